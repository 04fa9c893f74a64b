import { describe, expect, it } from 'vitest';
import { ClassLayout } from '../../src/replication/layout.js';
import { NetworkObject } from '../../src/replication/network-object.js';
import { SendTable } from '../../src/replication/send-table.js';
import { READY } from '../../src/replication/slots.js';
import { StateEncoder } from '../../src/replication/state-encoder.js';
import { StateStream } from '../../src/replication/state-stream.js';
import { sync } from '../../src/replication/sync.js';

class Dot extends NetworkObject {
  @sync({ quantize: { step: 1 } }) accessor x = 0;
}

const layout = new ClassLayout(Dot, 'Dot');

/** Two objects the receiver has, both written since, and their first packet sent. */
function sentOne() {
  const table = new SendTable();
  const dots = [new Dot(), new Dot()];
  const tracked = dots.map((dot, i) => table.add(dot, layout, i + 1, 0));
  const stream = new StateStream(table);
  for (const t of tracked) {
    stream.slots.open(t.row, t.latest, 0);
    stream.slots.state[t.row] = READY;
  }
  dots[0]!.x = 5;
  dots[1]!.x = 7;
  table.capture();
  const encoder = new StateEncoder({ maxBytes: 1200, budgetBytes: 64 * 1024 });
  expect(encoder.build(stream, 1, 0)).toHaveLength(1);
  for (const t of tracked) expect(stream.slots.inflightVid[t.row]).toBe(t.latest);
  return { table, tracked, stream };
}

describe('acks', () => {
  it('make what a packet carried the baselines of its objects', () => {
    const { tracked, stream } = sentOne();
    stream.acknowledge(0, 0, 10);
    for (const t of tracked) {
      expect(stream.slots.ackedVid[t.row]).toBe(t.latest);
      expect(stream.slots.ackedKey[t.row]).toBe(1);
      expect(stream.slots.inflightVid[t.row]).toBe(-1);
    }
  });

  it('change nothing for a row freed and reused since the packet left', () => {
    const { table, tracked, stream } = sentOne();
    table.remove(tracked[0]!);
    const reused = table.add(new Dot(), layout, 9, 0);
    expect(reused.row).toBe(tracked[0]!.row);
    stream.acknowledge(0, 0, 10);
    expect(stream.slots.ackedVid[reused.row]).toBe(-1);
    expect(stream.slots.ackedKey[reused.row]).toBe(-1);
    expect(stream.slots.ackedVid[tracked[1]!.row]).toBe(tracked[1]!.latest);
  });

  it('leave a freed row alone when its packet is lost', () => {
    const { table, tracked, stream } = sentOne();
    table.remove(tracked[0]!);
    const reused = table.add(new Dot(), layout, 9, 0);
    stream.slots.inflightVid[reused.row] = tracked[0]!.latest;
    // Lost: the loss timeout (1 s without a round-trip sample) passes.
    stream.expire(5000);
    expect(stream.slots.inflightVid[reused.row]).toBe(tracked[0]!.latest);
    expect(stream.slots.inflightVid[tracked[1]!.row]).toBe(-1);
  });
});
