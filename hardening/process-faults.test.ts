// Faults with real processes on 127.0.0.1: peers SIGKILLed (star and mesh, host and client), and
// the signaling server restarted mid-game. Each peer is a Session over WebRTC in its own process
// (peer.ts), finding the others through a WebSocket signaling server run by this test.
import { SignalingServer } from '@meshplay/signaling/server';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, PeerProcess } from './peers.ts';
import type { PeerReport } from './protocol.ts';

const HEARTBEAT_TIMEOUT_MS = 2000;
/** Slack on top of the heartbeat timeout for a loaded machine (process start-up is not counted). */
const DETECT_SLACK_MS = 1500;
const SECRET = 'hardening-test-secret-0123456789abcdef';

let servers: SignalingServer[] = [];

afterEach(async () => {
  await killAll();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function server(port = 0): Promise<SignalingServer> {
  const started = await SignalingServer.start({ port, host: '127.0.0.1', secret: SECRET, leaseMs: 10_000 });
  servers.push(started);
  return started;
}

type Topology = 'host' | 'mesh';

/** Starts `n` peers one after the other (the first is the host) and waits until all are connected to all. */
async function group(url: string, room: string, topology: Topology, n: number): Promise<PeerProcess[]> {
  const peers: PeerProcess[] = [];
  for (let i = 0; i < n; i++) {
    const peer = PeerProcess.start({
      signaling: { url },
      room,
      topology,
      heartbeatIntervalMs: 250,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    });
    await peer.joined;
    peers.push(peer);
  }
  await until(async () => {
    const reports = await Promise.all(peers.map((p) => p.probe()));
    return reports.every((r) => r.connected && r.peers.length === n - 1);
  }, 30_000);
  return peers;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const now = () => performance.timeOrigin + performance.now();

/** Waits for `peer` to report `victim` gone; returns how long after `killedAt` it noticed. */
async function noticed(peer: PeerProcess, victim: string, killedAt: number): Promise<number> {
  const left = (await peer.next(
    (r) => r.evt === 'peer-left' && r.peer === victim,
    HEARTBEAT_TIMEOUT_MS + DETECT_SLACK_MS + 2000,
  )) as Extract<PeerReport, { evt: 'peer-left' }>;
  return left.at - killedAt;
}

/** Ticks `peer` has received from `from` so far (its last tick number). */
async function lastTickFrom(peer: PeerProcess, from: string): Promise<number> {
  return (await peer.probe()).tickFrom[from] ?? -1;
}

describe('a peer process SIGKILLed', () => {
  for (const topology of ['host', 'mesh'] as const) {
    it(`${topology}: a client is reported gone within the heartbeat timeout and the game goes on`, async () => {
      const signaling = await server();
      const [host, victim, survivor] = (await group(signaling.url, `kill-${topology}`, topology, 3)) as [
        PeerProcess,
        PeerProcess,
        PeerProcess,
      ];
      const hostId = await host.joined;
      const victimId = await victim.joined;
      host.send({ cmd: 'tick', everyMs: 50 });
      await until(async () => (await lastTickFrom(survivor, hostId)) > 5, 5000);
      const killedAt = now();
      await victim.kill('SIGKILL');
      const delays = await Promise.all([
        noticed(host, victimId, killedAt),
        noticed(survivor, victimId, killedAt),
      ]);
      console.log(
        JSON.stringify({ test: `SIGKILL ${topology} client`, noticedAfterMs: delays.map(Math.round) }),
      );
      for (const delay of delays) expect(delay).toBeLessThan(HEARTBEAT_TIMEOUT_MS + DETECT_SLACK_MS);
      const before = await lastTickFrom(survivor, hostId);
      await until(async () => (await lastTickFrom(survivor, hostId)) > before + 10, 5000);
      const report = await survivor.probe();
      expect(report.connected).toBe(true);
      expect(report.host).toBe(hostId);
      expect(report.peers).toEqual([hostId]);
    }, 60_000);
  }

  it('star: the host killed, its clients are told within the heartbeat timeout', async () => {
    const signaling = await server();
    const [host, a, b] = (await group(signaling.url, 'kill-star-host', 'host', 3)) as [
      PeerProcess,
      PeerProcess,
      PeerProcess,
    ];
    const killedAt = now();
    await host.kill('SIGKILL');
    // In star topology the host is the session: its clients are disconnected, not left hanging.
    for (const client of [a, b]) {
      const gone = await client.next(
        (r) => r.evt === 'disconnected',
        HEARTBEAT_TIMEOUT_MS + DETECT_SLACK_MS + 2000,
      );
      expect(gone.evt).toBe('disconnected');
    }
    console.log(
      JSON.stringify({ test: 'SIGKILL star host', disconnectedAfterMs: Math.round(now() - killedAt) }),
    );
  }, 60_000);

  it('mesh: the host killed, the others elect the same new host and the game goes on', async () => {
    const signaling = await server();
    const peers = await group(signaling.url, 'kill-mesh-host', 'mesh', 3);
    const [host, ...rest] = peers as [PeerProcess, PeerProcess, PeerProcess];
    const hostId = await host.joined;
    host.send({ cmd: 'tick', everyMs: 50 });
    await until(async () => (await lastTickFrom(rest[0], hostId)) > 5, 5000);
    const killedAt = now();
    await host.kill('SIGKILL');
    // Every survivor must report the old host gone (a peer that hears the new host's announcement
    // before its own heartbeat timeout fires must not keep the old host as a ghost member).
    const delays = await Promise.all(rest.map((p) => noticed(p, hostId, killedAt)));
    for (const delay of delays) expect(delay).toBeLessThan(HEARTBEAT_TIMEOUT_MS + DETECT_SLACK_MS);
    // Deterministic election: both survivors name the same new host, one of themselves.
    let hosts: (string | undefined)[] = [];
    await until(async () => {
      hosts = (await Promise.all(rest.map((p) => p.probe()))).map((r) => r.host);
      return hosts.every((h) => h !== undefined && h !== hostId);
    }, 5000);
    expect(hosts[0]).toBe(hosts[1]);
    const ids = await Promise.all(rest.map((p) => p.joined));
    expect(ids).toContain(hosts[0]);
    const newHost = rest[ids.indexOf(hosts[0] as string)] as PeerProcess;
    const other = rest[1 - ids.indexOf(hosts[0] as string)] as PeerProcess;
    // The new host runs the game loop now; the other peer keeps receiving ticks.
    newHost.send({ cmd: 'tick', everyMs: 50 });
    await until(async () => (await lastTickFrom(other, hosts[0] as string)) > 10, 5000);
    console.log(JSON.stringify({ test: 'SIGKILL mesh host', noticedAfterMs: delays.map(Math.round) }));
  }, 60_000);
});

describe('the signaling server restarted mid-game', () => {
  it('established peers keep playing while it is down, and a new peer joins once it is back', async () => {
    const first = await server();
    const port = first.port;
    const url = first.url;
    const [host, client] = (await group(url, 'restart', 'host', 2)) as [PeerProcess, PeerProcess];
    const hostId = await host.joined;
    host.send({ cmd: 'tick', everyMs: 50 });
    await until(async () => (await lastTickFrom(client, hostId)) > 5, 5000);
    await first.close();
    servers = servers.filter((s) => s !== first);
    // Down for 2 s: the game goes on over the peer-to-peer links.
    const before = await lastTickFrom(client, hostId);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const during = await client.probe();
    expect(during.connected).toBe(true);
    expect(during.tickFrom[hostId] ?? -1).toBeGreaterThan(before + 20);
    // Back on the same port (same secret, so the peers' resume tokens still hold).
    await server(port);
    const late = PeerProcess.start({
      signaling: { url },
      room: 'restart',
      topology: 'host',
      heartbeatIntervalMs: 250,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    });
    await late.next((r) => r.evt === 'connected', 30_000);
    await until(async () => (await lastTickFrom(late, hostId)) > 5, 10_000);
    const hostView = await host.probe();
    expect(hostView.peers).toHaveLength(2);
    expect((await client.probe()).connected).toBe(true);
  }, 60_000);
});
