// The meshplay side of the state benchmark: the host's send table and encoder serving the
// scenario's world to simulated receivers.
import { ClassLayout } from '../../packages/core/src/replication/layout.ts';
import { NetworkObject } from '../../packages/core/src/replication/network-object.ts';
import { SendTable } from '../../packages/core/src/replication/send-table.ts';
import { StateEncoder } from '../../packages/core/src/replication/state-encoder.ts';
import { sync } from '../../packages/core/src/replication/sync.ts';
import type { Tracked } from '../../packages/core/src/replication/tracked.ts';
import { FRAME_BYTES, Receiver } from './receiver.ts';
import { cpuMs, ENTITIES, type Motion, TICK_MS, TICKS, World } from './scenario.ts';

/** The replicated entity: 1 mm positions, 1/4096-turn angles. */
export class Entity extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
  @sync({ type: 'angle', quantize: { bits: 12 } }) accessor angle = 0;
}

export interface MeshplayRun {
  bytes: number;
  ackBytes: number;
  updates: number;
  /** Per measured tick, ms: the setters, the host's ack handling, capture + every receiver's build. */
  assignMs: number;
  ackMs: number;
  encodeMs: number;
  converged: boolean;
  /** Share of per-receiver builds that reused another receiver's encoding. */
  shareRate: number;
}

/**
 * Runs the scenario through meshplay: `receivers` receivers over links losing `loss` of their
 * datagrams with `delays(i)` ms each way; `decode`: false has the receivers ack without decoding.
 */
export function runMeshplay(
  motion: Motion,
  receivers: number,
  loss: number,
  delays: (i: number) => number,
  decode = true,
): MeshplayRun {
  const world = new World();
  const layout = new ClassLayout(Entity, 'Entity');
  const table = new SendTable();
  const entities: Entity[] = [];
  const tracked: Tracked[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    const e = new Entity();
    e.x = world.x[i]!;
    e.y = world.y[i]!;
    e.angle = world.angle[i]!;
    entities.push(e);
    tracked.push(table.add(e, layout, i + 1, 0));
  }
  const rs = Array.from(
    { length: receivers },
    (_, i) => new Receiver(i, layout, table, tracked, loss, delays(i)),
  );
  const encoder = new StateEncoder({ maxBytes: 1197, budgetBytes: 64 * 1024 });
  let bytes = 0;
  let updates = 0;
  let assignMs = 0;
  let ackMs = 0;
  let encodeMs = 0;
  for (let tick = 1; tick <= TICKS + 30; tick++) {
    const now = tick * TICK_MS;
    for (const r of rs) r.deliver(now, layout, decode);
    // After the measured ticks, a quiet tail lets the receivers converge (nothing is counted then).
    const measured = tick <= TICKS;
    const acked = cpuMs();
    for (const r of rs) r.acks(now);
    if (measured) ackMs += cpuMs() - acked;
    if (measured) {
      updates += world.step(motion);
      const assigned = cpuMs();
      for (let i = 0; i < ENTITIES; i++) {
        if (!world.moved[i]) continue;
        const e = entities[i]!;
        e.x = world.x[i]!;
        e.y = world.y[i]!;
        e.angle = world.angle[i]!;
      }
      assignMs += cpuMs() - assigned;
    }
    const started = cpuMs();
    table.capture();
    // Datagrams are views valid until the next build: each goes into its receiver's send buffer
    // at once (counted, like the encoding); from there into the simulated network (not counted).
    for (const r of rs) r.outbox.add(encoder.build(r.stream, tick, now));
    if (measured) encodeMs += cpuMs() - started;
    rs.forEach((r, i) => {
      for (const datagram of r.outbox.take()) {
        if (measured && i === 0) bytes += datagram.length + FRAME_BYTES;
        r.forward.send(now, datagram);
      }
    });
  }
  return {
    bytes,
    ackBytes: rs[0]!.ackBytes,
    updates,
    assignMs: assignMs / TICKS,
    ackMs: ackMs / TICKS,
    encodeMs: encodeMs / TICKS,
    converged: decode && rs.every((r) => r.matches(tracked)),
    shareRate: encoder.stats.shared / Math.max(1, encoder.stats.shared + encoder.stats.encoded),
  };
}
