import { z } from 'zod';
import { rpc, type Session, SimNetwork, type SimSessionsOptions } from '../src/index.js';

/** A service with one method per interesting option combination, recording every call it gets. */
export class Game {
  readonly calls: { method: string; args: unknown[]; from: string | undefined }[] = [];
  constructor(readonly session?: Session) {}

  #record(method: string, args: unknown[]) {
    this.calls.push({ method, args, from: this.session?.remoteSender });
  }

  @rpc({ mode: 'any' })
  move(x: number, y: number) {
    this.#record('move', [x, y]);
  }

  @rpc({ mode: 'authority' })
  announce(text: string) {
    this.#record('announce', [text]);
  }

  @rpc({ mode: 'any', args: z.tuple([z.string().min(1).max(20)]) })
  rename(name: string) {
    this.#record('rename', [name]);
  }

  @rpc({ mode: 'any', rateLimit: 5 })
  shout(text: string) {
    this.#record('shout', [text]);
  }

  @rpc({ mode: 'any' })
  add(a: number, b: number): number {
    this.#record('add', [a, b]);
    return a + b;
  }

  @rpc({ mode: 'any' })
  async addLater(a: number, b: number): Promise<number> {
    this.#record('addLater', [a, b]);
    await Promise.resolve();
    return a + b;
  }

  @rpc({ mode: 'any' })
  fail(message: string): never {
    throw new Error(message);
  }

  @rpc({ mode: 'any' })
  never(): Promise<void> {
    return new Promise(() => {});
  }

  /** Not decorated: must not be callable remotely. */
  secret() {
    this.#record('secret', []);
  }

  of(method: string) {
    return this.calls.filter((call) => call.method === method);
  }
}

/** Options for {@link setup}. */
export interface SetupOptions extends SimSessionsOptions {
  seed?: number;
  latency?: number;
  /** Use this network instead of making one from `seed` and `latency`. */
  net?: SimNetwork;
}

/** A network of `n` sessions, each with a registered {@link Game} service. */
export async function setup(n: number, options: SetupOptions = {}) {
  const { seed = 1, latency = 10, net = new SimNetwork({ seed, latency }), ...rest } = options;
  const games: Game[] = [];
  const errors: { at: number; code: string; peer?: string }[] = [];
  const refusals: { at: number; code: string; by: string }[] = [];
  const sessions = await net.sessions(n, {
    heartbeatIntervalMs: 200,
    heartbeatTimeoutMs: 1000,
    requestTimeoutMs: 2000,
    ...rest,
    setup: (session, index) => {
      const game = new Game(session);
      games[index] = game;
      session.register('game', game);
      session.events.on('error', ({ error, peer }) => errors.push({ at: index, code: error.code, peer }));
      session.events.on('refused', ({ by, code }) => refusals.push({ at: index, code, by }));
      rest.setup?.(session, index);
    },
  });
  return { net, sessions, games, errors, refusals, host: sessions[0]! };
}
