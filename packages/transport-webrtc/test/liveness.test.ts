// Peers in other processes: a SIGKILLed peer is noticed by the heartbeat, and a process whose
// transports are closed exits by itself.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemorySignalingHub } from '@meshplay/signaling';
import { afterAll, describe, expect, it } from 'vitest';
import { serveSignaling } from '../../../hardening/ipc-signaling.js';
import { WebRtcTransport } from '../src/index.js';
import { debug, LOOPBACK, waitFor } from './helpers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
// Children run the TypeScript sources, like the tests themselves.
const execArgv = ['--conditions=@meshplay/source', '--import', 'tsx'];
const children: ChildProcess[] = [];
const transports: WebRtcTransport[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(transports.map((t) => t.close()));
});

describe('liveness', () => {
  it('reports a SIGKILLed peer gone by heartbeat within the default timeout (≤ 4 s), not libdatachannel’s 13–28 s', async () => {
    const hub = new MemorySignalingHub();
    // Default heartbeat: 500 ms interval, 3000 ms timeout, so reported within 3000 + 2 × 500 ms.
    const local = await WebRtcTransport.join(hub.adapter(), 'kill', {
      topology: 'mesh',
      ...LOOPBACK,
      connectTimeoutMs: 4000,
    });
    transports.push(local);
    if (process.env.WEBRTC_DEBUG) debug(local);
    const child = fork(join(fixtures, 'remote-peer.ts'), ['kill'], { execArgv, stdio: 'inherit' });
    children.push(child);
    serveSignaling(child, hub);
    const linked = new Promise<string>((resolve, reject) => {
      child.on(
        'message',
        (message: { op: string; self: string }) => message.op === 'linked' && resolve(message.self),
      );
      child.on('exit', (code, signal) =>
        reject(new Error(`the peer process exited early (${code ?? signal})`)),
      );
    });
    const remote = await linked;
    await local.waitForPeer(remote, 15_000).catch((error: Error) => {
      const state = [
        local.connectionState(remote),
        local.gatheringState(remote),
        local.signalingState(remote),
      ];
      throw new Error(`${error.message}; link state ${state.join('/')}`);
    });

    // The link works: the child echoes.
    const echoes: number[] = [];
    local.events.on('message', ({ data }) => echoes.push(data[0]!));
    local.send(remote, 0, new Uint8Array([9]));
    await waitFor(() => echoes.length === 1, 5000, 'the echo');

    const gone = new Promise<{ reason: string; at: number }>((resolve) =>
      local.events.on('peer-disconnected', ({ reason }) => resolve({ reason, at: performance.now() })),
    );
    const killedAt = performance.now();
    child.kill('SIGKILL');
    const { reason, at } = await gone;
    expect(reason).toBe('timeout');
    expect(at - killedAt).toBeGreaterThan(2500); // it was the heartbeat (nothing else is that slow or that fast)
    expect(at - killedAt).toBeLessThan(4000 + 500); // bound + scheduling slack
    expect(local.peers()).toEqual([]);
  }, 20_000);

  it('a process exits by itself once its transports are closed, with traffic still in flight, and no event fires after close', async () => {
    const child = spawn(process.execPath, [...execArgv, join(fixtures, 'close-and-exit.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    // The deadline: link up, send, close (a few seconds on a loaded machine), then exit within 3 s.
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit within 15 s; output so far: ${output}`)), 15_000),
    );
    const { code, signal, at } = await Promise.race([exited, deadline]);
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const report = Object.assign({}, ...lines) as {
      closedAt: number;
      queued: number;
      eventsAfterClose: number;
    };
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(report.queued).toBeGreaterThan(1024 * 1024); // real traffic was waiting when close() was called
    expect(at - report.closedAt).toBeLessThan(3000);
    expect(report.eventsAfterClose).toBe(0);
  }, 20_000);
});
