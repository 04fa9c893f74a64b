// Mutated protocol frames into a live WebSocket signaling server, from a client that has joined
// a lobby: every frame is served, answered with a documented error code, or ends the connection
// with a documented close code — never silence, never an internal error (1011) — and a bystander
// pair in another lobby keeps exchanging signals throughout.
import { Rng } from '@meshplay/core';
import { type ServerLogEvent, SignalingServer } from '@meshplay/signaling/server';
import { ANSWER_CODES, CLOSE_CODES } from '@meshplay/signaling/websocket';
import { WebSocket } from 'ws';
import { counts, defineTarget, type FuzzCounts, mutate } from '../harness.ts';

const ANSWERS = new Set<string>(ANSWER_CODES);
const CLOSES = new Map<number, string>(Object.entries(CLOSE_CODES).map(([name, code]) => [code, name]));
const encoder = new TextEncoder();

/** A raw protocol client: JSON out, parsed messages in, one waiter at a time. */
class Raw {
  readonly socket: WebSocket;
  readonly inbox: Record<string, unknown>[] = [];
  closed: number | undefined;
  #wake: (() => void) | undefined;

  private constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      try {
        this.inbox.push(JSON.parse(String(data)));
      } catch {
        this.inbox.push({ type: 'unparsable', text: String(data) });
      }
      this.#wake?.();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', (code) => {
      this.closed = code;
      this.#wake?.();
    });
  }

  static async open(url: string): Promise<Raw> {
    const raw = new Raw(url);
    await new Promise<void>((resolve, reject) => {
      raw.socket.once('open', () => resolve());
      raw.socket.once('error', reject);
    });
    return raw;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for a message matching `match` or the close; `undefined` means closed. */
  async until(
    match: (m: Record<string, unknown>) => boolean,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown> | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const at = this.inbox.findIndex(match);
      if (at >= 0) return this.inbox.splice(0, at + 1).at(-1);
      if (this.closed !== undefined) return undefined;
      if (performance.now() > deadline) throw new Error('the server left a frame unanswered');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Valid frames of every kind (the seed corpus), addressed to real peers of the attacker's lobby. */
function corpus(self: string, other: string): Uint8Array[] {
  const frames: unknown[] = [
    { type: 'ping' },
    { type: 'list', rid: 1 },
    {
      type: 'signal',
      to: other,
      payload: { t: 'sdp', n: 1, type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0' },
    },
    {
      type: 'signal',
      to: other,
      payload: { t: 'ice', n: 1, candidate: 'candidate:1 1 UDP 1 10.0.0.1 9 typ host', mid: '0' },
    },
    { type: 'signal', to: self, payload: 'me' },
    { type: 'seal', rid: 2 },
    { type: 'join', v: 1, room: 'other-room', create: true, public: true, maxPeers: 4, password: 'pw' },
    { type: 'join', v: 1, code: 'ABCDEF' },
    { type: 'resume', v: 1, resume: 'token.token.token' },
    { type: 'leave' },
  ];
  return frames.map((frame) => encoder.encode(JSON.stringify(frame)));
}

/** Whether `bytes` are valid UTF-8 (the server closes text frames that are not with 1007). */
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Records one refused input and the codes it drew (a frame may draw more than one answer). */
function tallyCodes(tally: FuzzCounts, codes: string[]): void {
  tally.refused++;
  for (const code of codes) tally.codes[code] = (tally.codes[code] ?? 0) + 1;
}

export default defineTarget({
  name: 'signaling-frames',
  async run(iterations, seed) {
    const internal: ServerLogEvent[] = [];
    const server = await SignalingServer.start({
      port: 0,
      host: '127.0.0.1',
      maxFrameBytes: 4096,
      // The target is the parser and the lobby rules, not the rate limiter (its own tests cover it).
      rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
      log: (event) => event.event === 'error' && internal.push(event),
    });
    const tally = counts();
    const rng = new Rng(seed);
    let reconnects = 0;
    const bystanders: Raw[] = [];
    try {
      // Two bystanders in their own lobby, to check they are still served at the end.
      for (let i = 0; i < 2; i++) {
        const b = await Raw.open(server.url);
        b.send({ type: 'join', v: 1, room: 'bystanders' });
        const joined = await b.until((m) => m.type === 'joined');
        if (!joined) throw new Error('a bystander could not join');
        bystanders.push(b);
      }
      // The attacker and a partner in a fresh lobby (so signals have a real recipient). A closed
      // attacker's seat lingers for its lease, so each reconnect takes a new lobby.
      let partner: Raw | undefined;
      const connect = async (): Promise<{ raw: Raw; seeds: Uint8Array[] }> => {
        partner?.socket.close();
        const room = `fuzz-${reconnects}`;
        partner = await Raw.open(server.url);
        partner.send({ type: 'join', v: 1, room });
        const host = await partner.until((m) => m.type === 'joined' || m.type === 'error');
        if (host?.type !== 'joined') throw new Error(`the partner could not join: ${JSON.stringify(host)}`);
        const raw = await Raw.open(server.url);
        raw.send({ type: 'join', v: 1, room });
        const joined = await raw.until((m) => m.type === 'joined' || m.type === 'error');
        if (joined?.type !== 'joined')
          throw new Error(`the attacker could not join: ${JSON.stringify(joined)}`);
        return { raw, seeds: corpus(String(joined.self), String(host.self)) };
      };
      let { raw, seeds } = await connect();
      for (let i = 0; i < iterations; i++) {
        if (raw.closed !== undefined) {
          reconnects++;
          ({ raw, seeds } = await connect());
        }
        const bytes = mutate(rng, seeds);
        tally.inputs++;
        // Invalid UTF-8 only ever meets the WebSocket layer (close 1007, which costs a reconnect):
        // send it raw now and then, and otherwise its lenient decoding, which reaches the parser.
        let text = utf8(bytes);
        if (text === undefined && rng.int(20) > 0) text = lenient.decode(bytes);
        if (text === undefined) raw.socket.send(bytes, { binary: false });
        else raw.send(text);
        raw.send({ type: 'ping' });
        // Drain until the pong: any error answers in between are this frame's refusals.
        const errors: string[] = [];
        const pong = await raw
          .until((m) => {
            if (m.type === 'error') errors.push(String(m.code));
            return m.type === 'pong';
          })
          .catch((error: Error) => {
            throw new Error(`${error.message}: ${text ?? Buffer.from(bytes).toString('hex')}`);
          });
        for (const code of errors) {
          if (!ANSWERS.has(code)) throw new Error(`undocumented answer ${code} for ${text ?? 'binary'}`);
        }
        if (pong === undefined) {
          const code = raw.closed as number;
          const name = CLOSES.get(code);
          if (!name || code === CLOSE_CODES.E_INTERNAL) {
            throw new Error(
              `connection closed with ${code} for ${text ?? Buffer.from(bytes).toString('hex')}`,
            );
          }
          tallyCodes(tally, [...errors, name]);
        } else if (errors.length > 0) {
          tallyCodes(tally, errors);
        } else {
          tally.accepted++;
        }
        if (internal.length > 0) throw new Error(`server error: ${JSON.stringify(internal[0])}`);
        // The partner's inbox fills with fuzzed signals; keep it from growing without end.
        if (partner) partner.inbox.length = 0;
      }
      // Still served: the bystanders can talk.
      const [x, y] = bystanders as [Raw, Raw];
      x.send({ type: 'ping' });
      if (!(await x.until((m) => m.type === 'pong'))) throw new Error('a bystander was dropped');
      y.send({ type: 'ping' });
      if (!(await y.until((m) => m.type === 'pong'))) throw new Error('a bystander was dropped');
      raw.socket.close();
      partner?.socket.close();
      return { ...tally, codes: { ...tally.codes, reconnects } };
    } finally {
      for (const b of bystanders) b.socket.close();
      await server.close();
    }
  },
});
