// What the webrtc benchmark's parts share: sizes, the RTT variant contract and small helpers.

export const BIND = '127.0.0.1';
export const MESSAGES = 200_000;
export const BURST = 1000;
export const SETUP_RUNS = 9;
export const MESH = 16;

/** What every RTT variant offers: `round(n)` returns the mean round trip of `n` in µs. */
export interface Rounds {
  round(n: number): Promise<number>;
  close(): void | Promise<void>;
}

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
export const tick = () => new Promise((resolve) => setImmediate(resolve));
export const until = async (done: () => boolean, timeoutMs: number, what: string) => {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
};
