import { describe, expect, it } from 'vitest';
import { ClockSync } from '../../src/replication/clock.js';
import { Blend, RenderDelay, SnapshotBuffer, shortestArc } from '../../src/replication/interpolation.js';
import { InputBuffer, InputQueue } from '../../src/replication/prediction.js';
import { TickLoop } from '../../src/replication/tick-loop.js';
import { Rng } from '../../src/sim/rng.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

describe('TickLoop', () => {
  it('runs fixed steps on a virtual clock, phases around game logic, and caps catch-up', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const loop = new TickLoop({
      rate: 50,
      scheduler: clock,
      maxCatchUp: 3,
      onTick: (tick, dt) => log.push(`tick ${tick} ${dt}`),
    });
    loop.wrap({ before: (t) => log.push(`before ${t}`), after: (t) => log.push(`after ${t}`) });
    loop.start();
    clock.fireUntil(45);
    clock.advanceTo(45);
    expect(log).toEqual([
      'before 0',
      'tick 0 0.02',
      'after 0',
      'before 1',
      'tick 1 0.02',
      'after 1',
      'before 2',
      'tick 2 0.02',
      'after 2',
    ]);
    loop.stop();
    log.length = 0;
    // A game driving its own loop: after a long stall only `maxCatchUp` steps run, the rest is dropped.
    let now = 0;
    const manual = new TickLoop({
      rate: 10,
      timeline: () => now,
      maxCatchUp: 3,
      onTick: (t) => log.push(String(t)),
    });
    now = 1050;
    expect(manual.advance()).toBe(3);
    expect(log).toEqual(['8', '9', '10']);
    expect(manual.dropped).toBe(8);
    expect(manual.advance()).toBe(0);
  });
});

describe('ClockSync', () => {
  it('converges within a tick despite jitter and outliers, and never runs backwards', () => {
    const rng = new Rng(5);
    const trueOffset = 12_345.6;
    const clock = new ClockSync();
    const probes = Array.from({ length: 40 }, (_, i) => {
      const sentAt = i * 100;
      const up = 80 + (rng.next() * 40 - 20) + (rng.chance(0.15) ? 150 : 0);
      const down = 80 + (rng.next() * 40 - 20);
      return { sentAt, hostTime: sentAt + up + trueOffset, receivedAt: sentAt + up + down };
    }).sort((a, b) => a.receivedAt - b.receivedAt);
    let last = Number.NEGATIVE_INFINITY;
    for (const probe of probes) {
      clock.addSample(probe.sentAt, probe.hostTime, probe.receivedAt);
      const estimate = clock.hostTime(probe.receivedAt);
      // Small corrections slew; only the first (and errors past the jump threshold) may jump.
      if (last > Number.NEGATIVE_INFINITY) expect(estimate).toBeGreaterThanOrEqual(last);
      last = estimate;
    }
    expect(Math.abs(clock.hostTime(5000) - (5000 + trueOffset))).toBeLessThan(1000 / 60);
    expect(clock.rtt).toBeGreaterThan(100);
  });

  it('takes the time a probe waited on the host out of the round trip', () => {
    const trueOffset = 500;
    const held = new ClockSync();
    const naive = new ClockSync();
    for (let i = 0; i < 16; i++) {
      // 40 ms each way; the host applies each probe 25 ms after it arrived and answers with its
      // time then.
      const sentAt = i * 100;
      const hostTime = sentAt + 40 + 25 + trueOffset;
      held.addSample(sentAt, hostTime, sentAt + 105, 25);
      naive.addSample(sentAt, hostTime, sentAt + 105);
    }
    expect(held.targetOffset).toBeCloseTo(trueOffset, 9);
    expect(Math.abs(naive.targetOffset - trueOffset)).toBeGreaterThan(10);
  });

  it('slews small corrections instead of jumping', () => {
    const clock = new ClockSync({ slewRate: 0.05 });
    clock.addSample(0, 1000, 0);
    expect(clock.hostTime(0)).toBe(1000);
    for (let i = 1; i <= 16; i++) clock.addSample(i, i + 1100, i);
    // 100 ms off: corrected at 50 ms per second, not at once.
    expect(clock.hostTime(1000) - 1000).toBeLessThan(1100);
    expect(clock.hostTime(3000) - 3000).toBeCloseTo(1100, 5);
  });
});

describe('SnapshotBuffer', () => {
  it('blends numbers linearly and angles along the shortest arc', () => {
    const deg = (d: number) => (d * Math.PI) / 180;
    const buf = new SnapshotBuffer(2, [false, true]);
    buf.push(10, [0, deg(170)]);
    buf.push(12, [4, deg(-170)]);
    const out = new Float64Array(2);
    expect(buf.sample(11, out)).toBe(Blend.Interpolated);
    expect(out[0]).toBe(2);
    expect(Math.abs(shortestArc(out[1]!, deg(180)))).toBeLessThan(1e-9);
  });

  it('files out-of-order snapshots in place and caps extrapolation', () => {
    const buf = new SnapshotBuffer(1, [false]);
    buf.push(3, [30]);
    buf.push(1, [10]);
    buf.push(2, [20]);
    buf.push(2, [99]);
    const out = [0];
    expect(buf.sample(1.5, out)).toBe(Blend.Interpolated);
    expect(out[0]).toBe(15);
    expect(buf.sample(4, out, 2)).toBe(Blend.Extrapolated);
    expect(out[0]).toBe(40);
    expect(buf.sample(9, out, 2)).toBe(Blend.Held);
    expect(out[0]).toBe(50);
    expect(buf.sample(4, out, 2, 5)).toBe(Blend.Held);
    expect(out[0]).toBe(30);
    expect(buf.sample(0, out)).toBe(Blend.Held);
    expect(out[0]).toBe(10);
  });

  it('keeps the newest snapshots when full', () => {
    const buf = new SnapshotBuffer(1, [false], 4);
    for (let t = 0; t < 10; t++) buf.push(t, [t]);
    expect(buf.size).toBe(4);
    const out = [0];
    buf.sample(6.5, out);
    expect(out[0]).toBe(6.5);
    buf.push(1, [1]);
    expect(buf.sample(5, out)).toBe(Blend.Held);
  });
});

describe('RenderDelay', () => {
  it('renders three intervals past the arrival age, further when arrivals jitter', () => {
    const calm = new RenderDelay();
    const jittery = new RenderDelay();
    const rng = new Rng(9);
    for (let t = 0; t < 300; t++) {
      calm.observe(t, t + 3);
      jittery.observe(t, t + 3 + rng.next() * 2);
    }
    expect(calm.ticks).toBeGreaterThan(3 + 3 - 0.1);
    expect(calm.ticks).toBeLessThan(3 + 3.5);
    expect(jittery.ticks).toBeGreaterThan(calm.ticks + 0.5);
  });
});

describe('prediction buffers', () => {
  it('keeps the owner inputs until acknowledged and replays the rest in order', () => {
    const buf = new InputBuffer<string>();
    for (const t of [1, 2, 3, 4]) buf.push(t, `i${t}`);
    buf.push(4, 'i4b');
    buf.push(2, 'late');
    buf.acknowledge(2);
    expect([...buf.after(-1)]).toEqual([
      [3, 'i3'],
      [4, 'i4b'],
    ]);
  });

  it('applies host-side inputs once each, in tick order', () => {
    const q = new InputQueue<number>(4);
    expect(q.offer(3, 3)).toBe(true);
    expect(q.offer(1, 1)).toBe(true);
    expect(q.offer(1, 1)).toBe(false);
    expect(q.take(10)).toEqual([
      [1, 1],
      [3, 3],
    ]);
    expect(q.offer(2, 2)).toBe(false);
    for (let t = 4; t < 8; t++) q.offer(t, t);
    expect(q.offer(9, 9)).toBe(false);
  });
});
