/**
 * The lobby behaviour every WebSocket server must show, whatever holds its lobbies: run by
 * websocket.test.ts (in-process lobbies) and redis.test.ts (lobbies in Redis).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SignalingRoom } from '../src/index.js';
import { SignalingServer, type SignalingServerOptions } from '../src/server/index.js';
import { WebSocketSignaling, type WebSocketSignalingOptions } from '../src/websocket.js';
import { next, nextSignal, record, unique, until } from './helpers.js';
import { startProxy } from './proxy.js';

const ID = /^[A-Za-z0-9_-]{21}$/;

/** Fast timings for tests: leases of a second and a half. */
export const TEST_TIMINGS = { leaseMs: 1500, pingIntervalMs: 1000 } satisfies SignalingServerOptions;

/** A client of `url` that reconnects quickly. */
export function client(url: string | string[], options: Partial<WebSocketSignalingOptions> = {}) {
  return new WebSocketSignaling({
    url,
    WebSocket,
    timeoutMs: 3000,
    reconnect: { baseMs: 50, maxMs: 300 },
    ...options,
  });
}

/** Registers the shared lobby tests against servers started with `options()`. */
export function lobbySuite(label: string, options: () => SignalingServerOptions): void {
  describe(`lobbies (${label})`, () => {
    let server: SignalingServer;
    const rooms: SignalingRoom[] = [];
    const join = async (name: string, joinOptions: Parameters<WebSocketSignaling['join']>[1] = {}) => {
      const room = await client(server.url).join(name, joinOptions);
      rooms.push(room);
      return room;
    };

    beforeAll(async () => {
      server = await SignalingServer.start({ port: 0, ...TEST_TIMINGS, ...options() });
    });
    afterEach(async () => {
      await Promise.all(rooms.splice(0).map((room) => room.leave()));
    });
    afterAll(async () => {
      await server.close();
    });

    it('gives each peer a server-made id and relays payloads with a stamped from', async () => {
      const name = unique('pair');
      const a = await join(name);
      const joined = next(a, 'peer-joined');
      const b = await join(name);
      expect(a.selfId).toMatch(ID);
      expect(b.selfId).toMatch(ID);
      expect(a.selfId).not.toBe(b.selfId);
      expect(a.hostId).toBe(a.selfId);
      expect(b.hostId).toBe(a.selfId);
      expect(b.peers()).toEqual([a.selfId]);
      expect((await joined).peer).toBe(b.selfId);
      expect(a.peers()).toEqual([b.selfId]);

      const offer = { sdp: 'v=0\r\n', type: 'offer', nested: [1, { deep: true }] };
      const atB = next(b, 'signal');
      a.send(b.selfId, offer);
      expect(await atB).toEqual({ from: a.selfId, payload: offer });
      const atA = nextSignal(a, b.selfId);
      b.send(a.selfId, 'answer');
      expect(await atA).toBe('answer');
    });

    it('keeps lobbies apart', async () => {
      const [one, two] = [unique('iso'), unique('iso')];
      const a1 = await join(one);
      const a2 = await join(two);
      const seenByA1 = record(a1);
      const a2Saw = next(a2, 'peer-joined');
      const b2 = await join(two);
      expect((await a2Saw).peer).toBe(b2.selfId);
      expect(a1.peers()).toEqual([]);
      // A payload to a peer of another lobby is refused, and never arrives.
      const refused = next(a1, 'error');
      a1.send(b2.selfId, 'across lobbies');
      expect(((await refused).error as { code?: string }).code).toBe('E_UNKNOWN_PEER');
      const refusedUnknown = next(a1, 'error');
      a1.send('x'.repeat(21), 'nobody');
      expect(((await refusedUnknown).error as { code?: string }).code).toBe('E_UNKNOWN_PEER');
      b2.send(a2.selfId, 'inside');
      expect(await nextSignal(a2, b2.selfId)).toBe('inside');
      expect(seenByA1.filter(([type]) => type !== 'error')).toEqual([]);
    });

    it('joins by code, hides private lobbies, checks passwords and sizes', async () => {
      const open = unique('open');
      const hidden = unique('hidden');
      const host = await join(open, { maxPeers: 2 });
      const secret = await join(hidden, { public: false, password: 'hunter2' });
      expect(host.code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);

      const listed = await client(server.url).listLobbies();
      const mine = listed.find((lobby) => lobby.room === open);
      expect(mine).toMatchObject({ code: host.code, peers: 1, maxPeers: 2, password: false, sealed: false });
      expect(listed.some((lobby) => lobby.room === hidden)).toBe(false);

      const byCode = await client(server.url).joinByCode((host.code as string).toLowerCase());
      rooms.push(byCode);
      expect(byCode.room).toBe(open);
      expect(byCode.hostId).toBe(host.selfId);
      await expect(join(open)).rejects.toMatchObject({ code: 'E_ROOM_FULL' });

      await expect(join(hidden)).rejects.toMatchObject({ code: 'E_BAD_PASSWORD' });
      await expect(join(hidden, { password: 'wrong' })).rejects.toMatchObject({ code: 'E_BAD_PASSWORD' });
      await expect(client(server.url).joinByCode(secret.code as string)).rejects.toMatchObject({
        code: 'E_BAD_PASSWORD',
      });
      const guest = await client(server.url).joinByCode(secret.code as string, { password: 'hunter2' });
      rooms.push(guest);
      expect(guest.peers()).toEqual([secret.selfId]);

      await expect(client(server.url).joinByCode('ZZZZZZ')).rejects.toMatchObject({ code: 'E_NO_ROOM' });
      await expect(client(server.url).joinByCode('not a code')).rejects.toMatchObject({ code: 'E_NO_ROOM' });
      await expect(join(unique('absent'), { create: false })).rejects.toMatchObject({ code: 'E_NO_ROOM' });
    });

    it('lets only the host seal, then refuses joins; sockets may close after the seal', async () => {
      const name = unique('seal');
      const host = await join(name);
      const guest = await join(name);
      await expect(guest.seal()).rejects.toMatchObject({ code: 'E_NOT_HOST' });
      const guestSaw = next(guest, 'sealed');
      await host.seal();
      await guestSaw;
      expect(host.sealed).toBe(true);
      expect(guest.sealed).toBe(true);
      await expect(join(name)).rejects.toMatchObject({ code: 'E_SEALED' });
      // After the seal the host leaving hands nothing on: the session above owns the game now.
      const guestLog = record(guest);
      const left = next(guest, 'peer-left');
      await host.leave();
      await left;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(guestLog.map(([type]) => type)).toEqual(['peer-left']);
      expect(guest.hostId).toBe(host.selfId);
    });

    it('hands the host role to the oldest remaining peer when the host leaves before sealing', async () => {
      const name = unique('handover');
      const host = await join(name);
      const second = await join(name);
      const third = await join(name);
      const atSecond = next(second, 'host-changed');
      const atThird = next(third, 'host-changed');
      await host.leave();
      expect((await atSecond).host).toBe(second.selfId);
      expect((await atThird).host).toBe(second.selfId);
      expect(third.hostId).toBe(second.selfId);
      expect(third.peers()).toEqual([second.selfId]);
      const sealed = next(third, 'sealed');
      await second.seal();
      await sealed;
      expect(third.sealed).toBe(true);
    });

    it('resumes with the same id after a network drop, delivering what was sent meanwhile', async () => {
      const name = unique('drop');
      const proxy = await startProxy(server.port);
      try {
        const a = await client(proxy.url).join(name);
        rooms.push(a);
        const b = await join(name);
        const bLog = record(b);
        const aLog = record(a);
        const reconnecting = next(a, 'reconnecting');
        const reconnected = next(a, 'reconnected');
        proxy.dropAll();
        await reconnecting;
        // Both directions keep working across the gap: the server holds b's payload for a, and a
        // queues its own until it is back.
        b.send(a.selfId, 'while a was away');
        a.send(b.selfId, 'queued by a');
        await reconnected;
        expect(await nextSignal(b, a.selfId)).toBe('queued by a');
        await until(() => aLog.some(([type]) => type === 'signal'), 3000, 'the held payload');
        expect(aLog.find(([type]) => type === 'signal')?.[1]).toEqual({
          from: b.selfId,
          payload: 'while a was away',
        });
        expect(a.peers()).toEqual([b.selfId]);
        expect(bLog.map(([type]) => type)).toEqual(['signal']);
      } finally {
        await proxy.close();
      }
    });

    it('resumes every peer with the same ids, host and lobby after a server restart', async () => {
      const settings = { ...TEST_TIMINGS, ...options(), secret: 'restart secret' };
      const first = await SignalingServer.start({ port: 0, ...settings });
      const port = first.port;
      const name = unique('restart');
      const a = await client(first.url).join(name, { maxPeers: 3 });
      const b = await client(first.url).join(name);
      rooms.push(a, b);
      const aLog = record(a);
      const bLog = record(b);
      const back = Promise.all([next(a, 'reconnected'), next(b, 'reconnected')]);
      await first.close();
      await next(a, 'reconnecting');
      const second = await SignalingServer.start({ ...settings, port });
      try {
        await back;
        expect(a.hostId).toBe(a.selfId);
        expect(b.hostId).toBe(a.selfId);
        a.send(b.selfId, 'after restart');
        expect(await nextSignal(b, a.selfId)).toBe('after restart');
        b.send(a.selfId, 'and back');
        expect(await nextSignal(a, b.selfId)).toBe('and back');
        // The rebuilt lobby kept its settings: a third may join, a fourth may not.
        const c = await client(second.url).join(name);
        rooms.push(c);
        expect(c.hostId).toBe(a.selfId);
        await expect(client(second.url).join(name)).rejects.toMatchObject({ code: 'E_ROOM_FULL' });
        // Once the restore window closes nobody is dropped: everyone came back.
        await new Promise((resolve) => setTimeout(resolve, settings.leaseMs + 500));
        for (const log of [aLog, bLog]) {
          expect(
            log.filter(([type]) => type === 'peer-left' || type === 'host-changed' || type === 'closed'),
          ).toEqual([]);
        }
        expect(a.peers()).toEqual([b.selfId, c.selfId]);
      } finally {
        await Promise.all(rooms.splice(0).map((room) => room.leave()));
        await second.close();
      }
    });

    it('hands the host role on when the host drops and its lease runs out', async () => {
      const name = unique('expire');
      const proxy = await startProxy(server.port);
      try {
        // The host reaches the server through a proxy and does not reconnect: cutting the proxy
        // makes it vanish without a leave, as a crashed tab would.
        const host = await client(proxy.url, { reconnect: false }).join(name);
        const guest = await join(name);
        const left = next(guest, 'peer-left', undefined, 5000);
        const changed = next(guest, 'host-changed', undefined, 5000);
        const closed = next(host, 'closed');
        proxy.dropAll();
        expect((await closed).code).toBe('E_CLOSED_1006');
        const started = Date.now();
        expect((await left).peer).toBe(host.selfId);
        expect((await changed).host).toBe(guest.selfId);
        // Not at once: the peer kept its place for a resume until its lease (renewed every
        // quarter lease) ran out.
        expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_TIMINGS.leaseMs * 0.6);
      } finally {
        await proxy.close();
      }
    });
  });
}
