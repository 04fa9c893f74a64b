import { describe, expect, it } from 'vitest';
import { HISTORY, Received } from '../../src/replication/history.js';
import { ClassLayout } from '../../src/replication/layout.js';
import { CORE, NetworkObject } from '../../src/replication/network-object.js';
import { SendTable } from '../../src/replication/send-table.js';
import { sync } from '../../src/replication/sync.js';

class Dot extends NetworkObject {
  @sync({ quantize: { step: 0.5 } }) accessor x = 0;
  @sync({ type: 'string' }) accessor label = '';
}

const layout = new ClassLayout(Dot, 'Dot');

class Plain extends NetworkObject {
  @sync({ quantize: { step: 0.5 } }) accessor x = 0;
}

const plainLayout = new ClassLayout(Plain, 'Plain');

describe('SendTable', () => {
  it('adds a version only when the wire form of a written object changes', () => {
    const table = new SendTable();
    const dot = new Dot();
    const t = table.add(dot, layout, 7, 0);
    const first = t.latest;
    expect(first).toBeGreaterThanOrEqual(0);
    table.capture();
    expect(t.latest).toBe(first);
    dot.x = 0.2; // rounds to the same step
    table.capture();
    expect(t.latest).toBe(first);
    dot.label = 'a';
    table.capture();
    expect(t.latest).toBeGreaterThan(first);
    expect(table.previous[t.row]).toBe(first);
    expect(table.refs![t.newest() + 1]).toBe('a');
    expect(table.refs![table.offsetOf(t.row, first) + 1]).toBe('');
  });

  it('looks only at the objects written since the last capture', () => {
    const table = new SendTable();
    const dots = Array.from({ length: 3 }, () => new Dot());
    const rows = dots.map((dot, i) => table.add(dot, layout, i + 1, 0));
    const before = rows.map((t) => t.latest);
    // Written behind the setters' back: not seen, since nobody reported it.
    dots[0]![CORE].values[layout.fieldIndex[0]!] = 5;
    dots[1]!.x = 5;
    table.capture();
    expect(rows.map((t) => t.latest > before[rows.indexOf(t)]!)).toEqual([false, true, false]);
    expect(table.ints[rows[1]!.newest()]).toBe(10);
  });

  it('keeps the recent versions, the newest and the previous one, and knows when a cell was rewritten', () => {
    const table = new SendTable();
    const dot = new Dot();
    const idle = new Dot();
    const t = table.add(dot, layout, 1, 0);
    const other = table.add(idle, layout, 2, 0);
    const versions = [t.latest];
    for (let i = 1; i <= HISTORY + 3; i++) {
      dot.x = i;
      table.capture();
      versions.push(t.latest);
      expect(table.ints[t.newest()]).toBe(2 * i);
    }
    // The last HISTORY passes are all there; older cells were rewritten.
    for (const v of versions.slice(-HISTORY)) expect(table.offsetOf(t.row, v)).toBeGreaterThanOrEqual(0);
    expect(table.offsetOf(t.row, versions[0]!)).toBe(-1);
    expect(table.offsetOf(t.row, versions[2]!)).toBe(-1);
    // An object idle for longer than the history keeps its newest version, and its previous one.
    expect(table.ints[table.offsetOf(other.row, other.latest)]).toBe(0);
    const old = other.latest;
    idle.x = 3;
    table.capture();
    expect(table.ints[table.offsetOf(other.row, old)]).toBe(0);
    expect(table.ints[other.newest()]).toBe(6);
  });

  it('keeps the previous version when the newest lands in its cell (idle for a multiple of the history)', () => {
    const table = new SendTable();
    const dot = new Dot();
    const other = new Dot();
    const t = table.add(dot, layout, 1, 0);
    table.add(other, layout, 2, 0);
    dot.x = 1;
    table.capture();
    const kept = t.latest;
    // Exactly HISTORY passes later (others keep the passes coming), dot changes twice.
    for (let i = 1; i < HISTORY; i++) {
      other.x = i;
      table.capture();
    }
    dot.x = 2;
    table.capture();
    expect(t.latest % HISTORY).toBe(kept % HISTORY);
    expect(table.ints[table.offsetOf(t.row, kept)]).toBe(2);
    expect(table.ints[t.newest()]).toBe(4);
    dot.x = 3;
    table.capture();
    // Two versions later the kept one is gone (its cell and the spill were reused).
    expect(table.offsetOf(t.row, kept)).toBe(-1);
  });

  it('keeps the previous version of an integer-only object in a table that also holds value slots', () => {
    const table = new SendTable();
    const plain = new Plain();
    const t = table.add(plain, plainLayout, 1, 0);
    const dot = new Dot();
    table.add(dot, layout, 2, 1);
    plain.x = 1;
    table.capture();
    const kept = t.latest;
    for (let i = 1; i < HISTORY; i++) {
      dot.x = i;
      table.capture();
    }
    // The newest version lands in the cell of the one before it: that one moves to the spill cell.
    plain.x = 2;
    table.capture();
    expect(t.latest % HISTORY).toBe(kept % HISTORY);
    expect(table.ints[table.offsetOf(t.row, kept)]).toBe(2);
    expect(table.ints[t.newest()]).toBe(4);
  });

  it('reuses the rows of removed objects under a new generation', () => {
    const table = new SendTable();
    const a = table.add(new Dot(), layout, 10, 0);
    const b = table.add(new Dot(), layout, 5, 0);
    expect([...table.order.subarray(0, table.count)]).toEqual([b.row, a.row]);
    const gen = table.gen[a.row];
    const labelled = new Dot();
    labelled.label = 'kept';
    table.remove(a);
    expect(a.removed).toBe(true);
    expect(table.gen[a.row]).toBe(gen! + 1);
    const c = table.add(labelled, layout, 7, 0);
    expect(c.row).toBe(a.row);
    expect([...table.order.subarray(0, table.count)]).toEqual([b.row, c.row]);
    expect(table.refs![c.newest() + 1]).toBe('kept');
    // A removed object's writes reach no table.
    expect(a.object[CORE].sink).toBeUndefined();
  });
});

describe('Received', () => {
  it('files states by key, in order or not, refusing duplicates and keys older than all it keeps', () => {
    const r = new Received(layout);
    for (let key = 10; key < 10 + HISTORY; key++) r.ints[r.reserve(key)] = key;
    expect(r.newest).toBe(9 + HISTORY);
    expect(r.reserve(12)).toBe(-1);
    expect(r.ints[r.find(12)]).toBe(12);
    // A newer key evicts the oldest.
    r.ints[r.reserve(100)] = 100;
    expect(r.find(10)).toBe(-1);
    expect(r.ints[r.find(11)]).toBe(11);
    // Late arrivals: one older than everything is refused, one in the range replaces the oldest.
    expect(r.reserve(5)).toBe(-1);
    const at = r.reserve(50);
    expect(at).toBeGreaterThanOrEqual(0);
    r.ints[at] = 50;
    expect(r.find(11)).toBe(-1);
    expect(r.ints[r.find(50)]).toBe(50);
    expect(r.newest).toBe(100);
  });
});
