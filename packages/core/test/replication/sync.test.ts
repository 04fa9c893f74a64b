import { describe, expect, it } from 'vitest';
import { CORE, NetworkObject } from '../../src/replication/network-object.js';
import { schemaOf } from '../../src/replication/schema.js';
import { sync } from '../../src/replication/sync.js';

class Ship extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ type: 'angle', quantize: { bits: 12 } }) accessor heading = 0;
  @sync({ mode: 'onChange', type: 'string' }) accessor name = 'ship';
  @sync({ mode: 'spawn', type: 'uint8' }) accessor hull = 1;
}

class Cruiser extends Ship {
  @sync({ mode: 'onChange', type: 'uint16' }) accessor hp = 100;
  @sync({ type: 'float32' }) accessor shield = 0;
}

describe('@sync', () => {
  it('lists fields in declaration order, base class first, with slots per mode', () => {
    const schema = schemaOf(Cruiser);
    expect(schema.fields.map((f) => [f.name, f.index, f.mode, f.slot])).toEqual([
      ['x', 0, 'always', 0],
      ['heading', 1, 'always', 1],
      ['name', 2, 'onChange', 0],
      ['hull', 3, 'spawn', 0],
      ['hp', 4, 'onChange', 1],
      ['shield', 5, 'always', 2],
    ]);
    expect(schema.always.map((f) => f.name)).toEqual(['x', 'heading', 'shield']);
    expect(schemaOf(Ship).fields).toHaveLength(4);
    expect(schema.fields.find((f) => f.name === 'x')?.interpolate).toBe(true);
    expect(schema.fields.find((f) => f.name === 'name')?.interpolate).toBe(false);
    expect(schemaOf(Cruiser).signature).not.toBe(schemaOf(Ship).signature);
  });

  it('keeps values per instance and tracks what changed', () => {
    const a = new Cruiser();
    const b = new Cruiser();
    a.x = 5;
    a.hp = 50;
    expect([a.x, a.hp, b.x, b.hp]).toEqual([5, 50, 0, 100]);
    expect(a[CORE].touched).toBe(true);
    expect(a[CORE].dirty).toBe(0b10);
    expect(b[CORE].touched).toBe(false);
    a.name = 'ship';
    expect(a[CORE].dirty).toBe(0b10);
    a.name = 'other';
    expect(a[CORE].dirty).toBe(0b11);
  });

  it('refuses writes when the peer has no authority, changing nothing', () => {
    const a = new Ship();
    a[CORE].writable = false;
    expect(() => {
      a.x = 3;
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    expect(a.x).toBe(0);
    expect(a[CORE].touched).toBe(false);
  });

  it('makes the declared type the accessor type', () => {
    class Typed extends NetworkObject {
      @sync({ mode: 'onChange', type: 'string' }) accessor label = '';
      @sync({ type: { array: 'uint8' } }) accessor list: readonly number[] = [];
      @sync({ type: { record: { a: 'bool', b: 'string' } } }) accessor rec = { a: true, b: '' };
    }
    const t = new Typed();
    t.label = 'ok';
    t.list = [1, 2];
    t.rec = { a: false, b: 'x' };
    expect([t.label, t.list, t.rec]).toEqual(['ok', [1, 2], { a: false, b: 'x' }]);
    class Wrong extends NetworkObject {
      // @ts-expect-error: a string field cannot hold a number
      @sync({ type: 'string' }) accessor label = 0;
      // @ts-expect-error: a quantised field holds numbers
      @sync({ quantize: { step: 1 } }) accessor pos = 'a';
    }
    expect(schemaOf(Wrong).fields).toHaveLength(2);
  });
});
