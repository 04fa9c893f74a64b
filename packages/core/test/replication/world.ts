import { NetworkObject, Replication, type ReplicationOptions, sync } from '../../src/replication/index.js';
import { CORE } from '../../src/replication/network-object.js';
import { rpc } from '../../src/rpc/decorator.js';
import type { Session } from '../../src/session/session.js';
import { createSessions, joinSession, type SimSessionsOptions } from '../../src/session/sim-sessions.js';
import { SimNetwork, type SimNetworkOptions } from '../../src/sim/sim-network.js';

/** A ship of the tests: quantised position, wrapping heading, reliable name and hp, a spawn-only hull. */
export class Ship extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
  @sync({ type: 'angle', quantize: { bits: 12 } }) accessor heading = 0;
  @sync({ mode: 'onChange', type: 'string' }) accessor name = '';
  @sync({ mode: 'onChange', type: 'uint8' }) accessor hp = 100;
  @sync({ mode: 'spawn', type: 'uint8' }) accessor hull = 0;
  pings: string[] = [];

  @rpc({ mode: 'any' })
  ping(text: string) {
    this.pings.push(text);
  }
}

/** A pawn driven by inputs, predicted by its owner. */
export class Pawn extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
}

export interface PawnInput {
  dx: number;
  dy: number;
}

/** Registers the test classes the same way on every peer. */
export function registerAll(rep: Replication, spawnLimit?: number): void {
  rep.register(Ship, 'Ship', spawnLimit === undefined ? {} : { spawnLimit });
  rep.register<Pawn, PawnInput>(Pawn, 'Pawn', {
    predict: {
      input: { record: { dx: 'int8', dy: 'int8' } },
      apply: (pawn, input, dt) => {
        pawn.x += input.dx * dt;
        pawn.y += input.dy * dt;
      },
    },
  });
}

export interface World {
  net: SimNetwork;
  sessions: Session[];
  reps: Replication[];
  join(): Promise<Replication>;
}

/** Host + n − 1 clients, each with a Replication in poll mode. */
export async function world(
  n: number,
  options: {
    net?: SimNetworkOptions;
    rep?: ReplicationOptions;
    session?: SimSessionsOptions;
    spawnLimit?: number;
  } = {},
): Promise<World> {
  const net = new SimNetwork({ seed: 11, latency: 20, ...options.net });
  const reps: Replication[] = [];
  const sessionOptions: SimSessionsOptions = {
    inbox: 'poll',
    heartbeatTimeoutMs: 20_000,
    heartbeatIntervalMs: 1000,
    ...options.session,
    setup: (s) => {
      const rep = new Replication({
        rate: 30,
        ...(options.spawnLimit === undefined ? {} : { spawnLimit: options.spawnLimit }),
        ...options.rep,
      });
      registerAll(rep);
      s.use(rep);
      reps.push(rep);
    },
  };
  const sessions = await createSessions(net, n, sessionOptions);
  return {
    net,
    sessions,
    reps,
    async join() {
      const session = await joinSession(net, sessions, sessionOptions);
      sessions.push(session);
      return reps[reps.length - 1]!;
    },
  };
}

/** Differences between the host's objects and a client's copies (empty when converged). */
export function differences(host: Replication, client: Replication, ids?: readonly number[]): string[] {
  const out: string[] = [];
  const hostIds = new Set((ids ?? host.objects().map((o) => o.id)).filter((id) => host.get(id)));
  const clientIds = new Set(client.objects().map((o) => o.id));
  for (const id of hostIds) {
    const a = host.get(id)!;
    const b = client.get(id);
    if (!b) {
      out.push(`#${id} missing`);
      continue;
    }
    const info = (
      host as unknown as {
        types: {
          of(t: Function): {
            layout: {
              schema: {
                fields: { name: string; index: number; codec: { equals(a: unknown, b: unknown): boolean } }[];
              };
            };
          };
        };
      }
    ).types.of(a.constructor);
    for (const f of info.layout.schema.fields) {
      const va = a[CORE].values[f.index];
      const vb = b[CORE].values[f.index];
      if (!f.codec.equals(va, vb)) out.push(`#${id}.${f.name}: ${String(va)} ≠ ${String(vb)}`);
    }
  }
  if (!ids) for (const id of clientIds) if (!hostIds.has(id)) out.push(`#${id} extra`);
  return out;
}
