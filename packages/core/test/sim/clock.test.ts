import { describe, expect, it } from 'vitest';
import { Rng, VirtualClock } from '../../src/sim/index.js';

describe('VirtualClock', () => {
  it('fires by time, then by insertion order, and only when advanced', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    clock.setTimeout(() => fired.push('d@0'), 0);
    expect(fired).toEqual([]);
    clock.fireUntil(15);
    expect(fired).toEqual(['d@0', 'a@10']);
    expect(clock.now()).toBe(10);
    clock.advanceTo(15);
    expect(clock.now()).toBe(15);
    clock.fireUntil(100);
    expect(fired).toEqual(['d@0', 'a@10', 'b@20', 'c@20']);
  });

  it('runs timers scheduled while firing in the same pass when due', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 0);
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.fireUntil(10);
    expect(fired).toEqual([5, 5, 10]);
  });

  it('clearTimeout cancels; foreign handles are ignored', () => {
    const clock = new VirtualClock();
    let fired = 0;
    const handle = clock.setTimeout(() => fired++, 5);
    clock.setTimeout(() => fired++, 6);
    clock.clearTimeout(handle);
    clock.clearTimeout(123);
    expect(clock.nextTime()).toBe(6);
    clock.fireUntil(10);
    expect(fired).toBe(1);
    expect(clock.nextTime()).toBeUndefined();
  });

  it('keeps order across many timers (heap)', () => {
    const clock = new VirtualClock();
    const rng = new Rng(9);
    const fired: [number, number][] = [];
    for (let i = 0; i < 2_000; i++) {
      const at = rng.int(100);
      clock.setTimeout(() => fired.push([at, i]), at);
    }
    clock.fireUntil(1_000);
    const sorted = [...fired].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(fired).toEqual(sorted);
  });

  it('keeps order and drops cancelled timers when many are cleared', () => {
    const clock = new VirtualClock();
    const rng = new Rng(4);
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 20_000; i++) {
      const at = rng.int(1_000);
      handles.push({ at, i, handle: clock.setTimeout(() => fired.push(i), at) });
    }
    const kept = handles.filter(() => rng.next() < 0.1);
    const keptSet = new Set(kept);
    for (const h of handles) if (!keptSet.has(h)) clock.clearTimeout(h.handle);
    clock.fireUntil(1_000);
    expect(fired).toEqual(kept.sort((x, y) => x.at - y.at || x.i - y.i).map((h) => h.i));
  });

  it('hands task errors to onError and carries on', () => {
    const errors: unknown[] = [];
    const clock = new VirtualClock({ onError: (e) => errors.push(e) });
    let after = false;
    clock.setTimeout(() => {
      throw new Error('x');
    }, 1);
    clock.setTimeout(() => (after = true), 2);
    clock.fireUntil(5);
    expect(errors).toHaveLength(1);
    expect(after).toBe(true);
  });

  it('fires on real timers in real-time mode, and stop() clears them', async () => {
    const clock = new VirtualClock({ realtime: true });
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 15);
    clock.setTimeout(() => fired.push(-1), 40);
    await new Promise((resolve) => setTimeout(resolve, 25));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(14);
    clock.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toHaveLength(1);
  });
});

describe('Rng', () => {
  it('repeats for the same seed and differs for another', () => {
    const take = (r: Rng) => Array.from({ length: 5 }, () => r.next());
    expect(take(new Rng(1))).toEqual(take(new Rng(1)));
    expect(take(new Rng(1))).not.toEqual(take(new Rng(2)));
    expect(take(new Rng('x'))).not.toEqual(take(new Rng('y')));
  });

  it('draws in range with a flat distribution', () => {
    const r = new Rng(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      buckets[r.int(10)]!++;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('forks independent streams without moving the parent', () => {
    const parent = new Rng(3);
    const untouched = new Rng(3);
    const child = parent.fork('link');
    child.next();
    parent.fork('other').next();
    expect(parent.next()).toBe(untouched.next());
    expect(new Rng(3).fork('link').next()).not.toBe(new Rng(3).fork('link2').next());
    expect(parent.fork('link').path).toBe(new Rng(3).fork('link').path);
  });
});
