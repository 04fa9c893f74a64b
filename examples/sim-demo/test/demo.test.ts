import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/run.js';

describe('sim demo', () => {
  it('plays a full game in virtual time: every bot sees every player where the host has it', async () => {
    const lines: string[] = [];
    const summary = await runDemo({
      bots: 3,
      seconds: 3,
      tickHz: 30,
      latencyMs: 40,
      loss: 0.05,
      seed: 7,
      realtime: false,
      onStatus: (l) => lines.push(l),
    });
    expect(summary.peers).toBe(4);
    expect(summary.ticks).toBe(90);
    expect(summary.shots).toBeGreaterThan(5);
    expect(summary.refused).toBe(0);
    // Unreliable state at 5% loss: most ticks arrive, and after loss stops everyone converges.
    for (const states of summary.statesPerClient) expect(states).toBeGreaterThan(90 * 0.85);
    expect(summary.maxDivergence).toBeLessThanOrEqual(0.05); // positions travel rounded to 0.1
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.at(-1)).toMatch(/peers 4 \| rtt \d+ ms/);
  });
});
