// RPC throughput and wire cost through a zero-latency SimNetwork: a client calls a two-small-int
// method on the host in bursts (batched per flush). Baseline in the same run: the same number of
// 5-byte datagrams handed to the raw SimTransport one by one (no session, no batching).
import { createSessions, rpc, SimNetwork } from '@meshplay/core';
import { defineBenchmark } from './harness.ts';

class Arena {
  received = 0;
  @rpc({ mode: 'any' })
  move(x: number, y: number) {
    this.received += x + y >= 0 ? 1 : 0;
  }
}

const CALLS = 400_000;
const BURST = 1000;

async function measureRpc() {
  const net = new SimNetwork({ seed: 1 });
  const arenas: Arena[] = [];
  const [host, client] = await createSessions(net, 2, {
    setup: (s, i) => void (arenas[i] = s.register('arena', new Arena())),
    heartbeatIntervalMs: 60_000,
    heartbeatTimeoutMs: 120_000,
  });
  const caller = client!.rpc(arenas[1]!, { to: host!.id });
  const before = client!.transport.stats(host!.id)!;
  const bytesBefore = before.bytesSent;
  const datagramsBefore = before.messagesSent;
  const started = performance.now();
  for (let sent = 0; sent < CALLS; sent += BURST) {
    for (let i = 0; i < BURST; i++) caller.move(i & 63, 7);
    await net.run(0);
  }
  await net.runUntil(() => arenas[0]!.received === CALLS, 1000);
  const seconds = (performance.now() - started) / 1000;
  const after = client!.transport.stats(host!.id)!;
  return {
    calls_per_s: Math.round(CALLS / seconds),
    bytes_per_call: Number(((after.bytesSent - bytesBefore) / CALLS).toFixed(3)),
    calls_per_datagram: Math.round(CALLS / (after.messagesSent - datagramsBefore)),
  };
}

async function measureRaw() {
  const net = new SimNetwork({ seed: 1 });
  const a = net.createTransport();
  const b = net.createTransport();
  net.connect(a, b);
  await net.run(1);
  let received = 0;
  b.events.on('message', () => received++);
  const message = new Uint8Array([0x05, 0x01, 0x00, 0x92, 0x07]);
  const started = performance.now();
  for (let sent = 0; sent < CALLS; sent += BURST) {
    for (let i = 0; i < BURST; i++) a.send(b.localId, 0, message);
    await net.run(0);
  }
  await net.runUntil(() => received === CALLS, 1000);
  return Math.round(CALLS / ((performance.now() - started) / 1000));
}

export default defineBenchmark({
  name: 'rpc-sim',
  async run() {
    const raw = await measureRaw();
    const rpcFigures = await measureRpc();
    return {
      ...rpcFigures,
      raw_datagrams_per_s: raw,
      throughput_ratio: Number((rpcFigures.calls_per_s / raw).toFixed(2)),
      goal_bytes_per_call: 6,
    };
  },
});
