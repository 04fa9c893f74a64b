import type { PeerId } from '../../src/ids.js';
import type { SimNetwork, SimTransport } from '../../src/sim/index.js';

/** A datagram carrying a 32-bit counter, padded to `size` bytes. */
export function numbered(n: number, size = 4): Uint8Array {
  const bytes = new Uint8Array(Math.max(4, size));
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

/** Reads the counter back. */
export function numberOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

export interface Received {
  at: number;
  peer: PeerId;
  channel: number;
  n: number;
}

/** Records every message `transport` receives, with the clock time it arrived. */
export function record(net: SimNetwork, transport: SimTransport): Received[] {
  const log: Received[] = [];
  transport.events.on('message', ({ peer, channel, data }) => {
    log.push({ at: net.now(), peer, channel, n: numberOf(data) });
  });
  return log;
}

/** Two linked endpoints, already open. */
export async function pair(net: SimNetwork): Promise<[SimTransport, SimTransport]> {
  const a = net.createTransport();
  const b = net.createTransport();
  net.connect(a, b);
  await net.runUntil(() => a.peers().length === 1 && b.peers().length === 1, 10_000);
  return [a, b];
}

/** Sends `count` numbered datagrams from `a` to `b` on `channel`, one every `gapMs`. */
export async function stream(
  net: SimNetwork,
  a: SimTransport,
  b: SimTransport,
  channel: number,
  count: number,
  gapMs: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    a.send(b.localId, channel, numbered(i));
    await net.run(gapMs);
  }
}

/** Counts adjacent pairs where a later send arrived before an earlier one. */
export function inversions(ns: readonly number[]): number {
  let count = 0;
  for (let i = 1; i < ns.length; i++) if (ns[i]! < ns[i - 1]!) count++;
  return count;
}
