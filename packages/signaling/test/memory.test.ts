import { describe, expect, it } from 'vitest';
import { MemorySignalingHub, SignalingError } from '../src/index.js';
import { next, nextSignal, record } from './helpers.js';

const ID = /^[A-Za-z0-9_-]{21}$/;

describe('MemorySignalingHub', () => {
  it('lets two peers meet and exchange payloads, asynchronously and by value', async () => {
    const hub = new MemorySignalingHub();
    const a = await hub.adapter().join('room');
    const joined = next(a, 'peer-joined');
    const b = await hub.adapter().join('room');
    expect(a.selfId).toMatch(ID);
    expect(b.selfId).not.toBe(a.selfId);
    expect((await joined).peer).toBe(b.selfId);
    expect(b.peers()).toEqual([a.selfId]);
    expect(b.hostId).toBe(a.selfId);

    const offer = { sdp: 'v=0', candidates: ['c1'] };
    const received: unknown[] = [];
    b.events.on('signal', ({ payload }) => received.push(payload));
    a.send(b.selfId, offer);
    expect(received).toEqual([]); // not within the send call
    offer.candidates.push('mutated after sending');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).toEqual([{ sdp: 'v=0', candidates: ['c1'] }]);
    b.send(a.selfId, 'answer');
    expect(await nextSignal(a, b.selfId)).toBe('answer');
    expect(hub.rooms()).toEqual(['room']);
    await Promise.all([a.leave(), b.leave()]);
    expect(hub.rooms()).toEqual([]);
  });

  it('refuses by password, size, absence and seal, and lets only the host seal', async () => {
    const hub = new MemorySignalingHub();
    const host = await hub.adapter().join('vault', { password: 'pw', maxPeers: 2 });
    await expect(hub.adapter().join('vault')).rejects.toMatchObject({ code: 'E_BAD_PASSWORD' });
    await expect(hub.adapter().join('absent', { create: false })).rejects.toMatchObject({
      code: 'E_NO_ROOM',
    });
    const guest = await hub.adapter().join('vault', { password: 'pw' });
    await expect(hub.adapter().join('vault', { password: 'pw' })).rejects.toMatchObject({
      code: 'E_ROOM_FULL',
    });
    await expect(guest.seal()).rejects.toBeInstanceOf(SignalingError);
    await expect(guest.seal()).rejects.toMatchObject({ code: 'E_NOT_HOST' });
    const sealed = next(guest, 'sealed');
    await host.seal();
    await sealed;
    expect(guest.sealed).toBe(true);
    await guest.leave();
    await expect(hub.adapter().join('vault', { password: 'pw' })).rejects.toMatchObject({ code: 'E_SEALED' });
    await host.leave();
  });

  it('hands the host role to the oldest peer before the seal, and not after', async () => {
    const hub = new MemorySignalingHub();
    const [first, second, third] = [
      await hub.adapter().join('r'),
      await hub.adapter().join('r'),
      await hub.adapter().join('r'),
    ];
    const changed = next(third, 'host-changed');
    await first.leave();
    expect((await changed).host).toBe(second.selfId);
    expect(third.hostId).toBe(second.selfId);
    await second.seal();
    const thirdLog = record(third);
    await second.leave();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(thirdLog.map(([type]) => type)).toEqual(['peer-left']);
    expect(third.hostId).toBe(second.selfId);
    await third.leave();
  });

  it('reports payloads to unknown peers as errors and refuses sends after leaving', async () => {
    const hub = new MemorySignalingHub();
    const a = await hub.adapter().join('x');
    const other = await hub.adapter().join('y');
    const error = next(a, 'error');
    a.send(other.selfId, 'across rooms');
    expect((await error).error).toMatchObject({ code: 'E_UNKNOWN_PEER' });
    await a.leave();
    await a.leave();
    expect(() => a.send(other.selfId, 'late')).toThrow(SignalingError);
    await other.leave();
  });
});
