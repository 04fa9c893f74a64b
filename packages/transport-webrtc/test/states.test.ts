// What an application can observe about each link: Godot-style connection, gathering and
// signaling states (getters and events), host changes from signaling, RTT, and why links end.
import { afterAll, describe, expect, it } from 'vitest';
import type { WebRtcEvents } from '../src/index.js';
import { Pool, waitFor } from './helpers.js';

const pool = new Pool();
afterAll(() => pool.closeAll());

describe('observable state', () => {
  it('reports connection, gathering and signaling states per peer, as events and getters', async () => {
    const a = await pool.join('states');
    const seen: { [K in keyof WebRtcEvents]?: string[] } = {};
    a.webrtcEvents.on('*', (type, event) => {
      if ('state' in event) (seen[type] ??= []).push(event.state);
    });
    const b = await pool.join('states');
    await a.waitForPeer(b.localId);
    expect(a.connectionState(b.localId)).toBe('connected');
    expect(a.gatheringState(b.localId)).toBe('complete');
    expect(a.signalingState(b.localId)).toBe('stable');
    expect(seen['connection-state']).toEqual(['connecting', 'connected']);
    expect(seen['gathering-state']).toEqual(['gathering', 'complete']);
    const offered = a.localId < b.localId;
    expect(seen['signaling-state']).toEqual([offered ? 'have-local-offer' : 'have-remote-offer', 'stable']);
    expect(a.connectionState('nobody-xxxxxxxxxxxxxxx')).toBeUndefined();
  });

  it('measures RTT with the heartbeat', async () => {
    const [a, b] = await pool.group('rtt', 2, { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 1000 });
    await waitFor(() => a!.stats(b!.localId)?.rttMs !== undefined, 3000, 'an RTT sample');
    const rtt = a!.stats(b!.localId)!.rttMs!;
    expect(rtt).toBeGreaterThan(0);
    expect(rtt).toBeLessThan(100); // loopback
  });

  it('disconnect(peer, reason) tells both sides why, and the link is gone from every getter', async () => {
    const [a, b] = await pool.group('disconnect', 2);
    const gone: string[] = [];
    a!.events.on('peer-disconnected', ({ peer, reason }) => gone.push(`a:${peer === b!.localId}:${reason}`));
    b!.events.on('peer-disconnected', ({ peer, reason }) => gone.push(`b:${peer === a!.localId}:${reason}`));
    a!.disconnect(b!.localId, 'see you');
    expect(gone).toEqual(['a:true:see you']); // synchronously, on this side
    await waitFor(() => gone.length === 2, 5000, 'the other side');
    expect(gone[1]).toBe('b:true:see you');
    expect(a!.peers()).toEqual([]);
    expect(a!.stats(b!.localId)).toBeUndefined();
    expect(a!.connectionState(b!.localId)).toBeUndefined();
  });

  it('re-emits host changes from signaling and reports isHost/hostId from it', async () => {
    const [first, second, third] = await pool.group('host-change', 3);
    expect([first!.isHost, second!.isHost, third!.isHost]).toEqual([true, false, false]);
    const changes: string[] = [];
    second!.webrtcEvents.on('host-changed', ({ host }) => changes.push(host));
    third!.webrtcEvents.on('host-changed', ({ host }) => changes.push(host));
    await first!.close();
    await waitFor(() => changes.length === 2, 5000, 'the host change');
    expect(changes).toEqual([second!.localId, second!.localId]);
    expect(second!.isHost).toBe(true);
    expect(third!.hostId).toBe(second!.localId);
    // The links between the remaining peers are untouched.
    expect(second!.peers()).toEqual([third!.localId]);
  });

  it('close() reports every open link closed, rejects waiters, and then stays silent', async () => {
    const [a, b, c] = await pool.group('close', 3);
    const events: string[] = [];
    a!.events.on('*', (type) => events.push(String(type)));
    const never = a!.waitForPeer('never-xxxxxxxxxxxxxxxx', 60_000).catch((e: Error) => e.message);
    await a!.close();
    expect(events).toEqual(['peer-disconnected', 'peer-disconnected']);
    expect(await never).toMatch(/closed/);
    expect(() => a!.send(b!.localId, 0, new Uint8Array(1))).toThrow(/closed/);
    await waitFor(() => b!.peers().length === 1 && c!.peers().length === 1, 5000, 'the others to notice');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toHaveLength(2);
  });
});
