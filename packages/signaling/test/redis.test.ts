import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingRoom } from '../src/index.js';
import { SignalingServer, type SignalingServerOptions } from '../src/server/index.js';
import { startCli } from './cli-process.js';
import { next, nextSignal, record, unique, until, within } from './helpers.js';
import { client, lobbySuite, TEST_TIMINGS } from './lobby-suite.js';
import { needRedis } from './services.js';
import { type WebRtcPeer, webRtcPeer } from './webrtc-peer.js';

const redis = await needRedis();

describe.skipIf(redis.skip)('Redis', () => {
  lobbySuite('one node on Redis', () => ({ redis: redis.url, redisPrefix: `${unique('mpt')}:` }));

  describe('two nodes sharing lobbies', () => {
    let one: SignalingServer;
    let two: SignalingServer;
    let shared: SignalingServerOptions;
    const rooms: SignalingRoom[] = [];
    const peers: WebRtcPeer[] = [];
    const keep = <T extends SignalingRoom>(room: T): T => {
      rooms.push(room);
      return room;
    };

    beforeAll(async () => {
      shared = { ...TEST_TIMINGS, redis: redis.url, redisPrefix: `${unique('mpt')}:` };
      one = await SignalingServer.start({ port: 0, ...shared });
      two = await SignalingServer.start({ port: 0, ...shared });
    });
    afterAll(async () => {
      for (const peer of peers) peer.close();
      await Promise.all(rooms.map((room) => room.leave()));
      await Promise.all([one.close(), two.close()]);
    });

    it('puts peers of different nodes in one lobby, relays between them and hands the host on', async () => {
      expect(one.port).not.toBe(two.port);
      const name = unique('span');
      const a = keep(await client(one.url).join(name));
      const bSeen = next(a, 'peer-joined');
      const b = keep(await client(two.url).join(name));
      const c = keep(await client(two.url).joinByCode(a.code as string));
      expect((await bSeen).peer).toBe(b.selfId);
      expect(b.hostId).toBe(a.selfId);
      expect(c.peers()).toEqual([a.selfId, b.selfId]);

      a.send(b.selfId, { sdp: 'offer from node one' });
      expect(await nextSignal(b, a.selfId)).toEqual({ sdp: 'offer from node one' });
      b.send(a.selfId, 'answer from node two');
      expect(await nextSignal(a, b.selfId)).toBe('answer from node two');
      c.send(b.selfId, 'same node');
      expect(await nextSignal(b, c.selfId)).toBe('same node');

      const listed = await client(two.url).listLobbies();
      expect(listed.find((lobby) => lobby.room === name)).toMatchObject({ peers: 3, code: a.code });

      const handover = Promise.all([next(b, 'host-changed'), next(c, 'host-changed')]);
      await a.leave();
      expect((await handover).map((e) => e.host)).toEqual([b.selfId, b.selfId]);
      const sealed = next(c, 'sealed');
      await b.seal();
      await sealed;
      await expect(client(one.url).join(name)).rejects.toMatchObject({ code: 'E_SEALED' });
    });

    it('lets real WebRTC peers on the two nodes connect through them', async () => {
      const name = unique('rtc');
      const a = keep(await client(one.url).join(name));
      const met = next(a, 'peer-joined');
      const b = keep(await client(two.url).join(name));
      // a may address b once its own node has told it about b.
      expect((await met).peer).toBe(b.selfId);
      const offerer = webRtcPeer(a, b.selfId, true);
      const answerer = webRtcPeer(b, a.selfId, false);
      peers.push(offerer, answerer);
      const [fromA, fromB] = await within(
        Promise.all([offerer.channel, answerer.channel]),
        10_000,
        'data channels',
      );
      fromA.sendMessage('hello over WebRTC');
      fromB.sendMessage('hello back');
      await until(
        () => answerer.messages.length > 0 && offerer.messages.length > 0,
        5000,
        'data channel messages',
      );
      expect(answerer.messages).toEqual(['hello over WebRTC']);
      expect(offerer.messages).toEqual(['hello back']);
      expect(offerer.states).toContain('connected');
      // The signaling sockets may go now; the WebRTC link does not need them.
      await Promise.all([a.leave(), b.leave()]);
      fromA.sendMessage('still here');
      await until(() => answerer.messages.length === 2, 3000, 'a message after signaling closed');
    });

    it('keeps lobbies of the two nodes apart and refuses payloads across them', async () => {
      const a = keep(await client(one.url).join(unique('left')));
      const b = keep(await client(two.url).join(unique('right')));
      const bLog = record(b);
      const refused = next(a, 'error');
      a.send(b.selfId, 'across');
      expect((await refused).error).toMatchObject({ code: 'E_UNKNOWN_PEER' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bLog).toEqual([]);
    });

    it('resumes on the other node when one shuts down', async () => {
      const three = await SignalingServer.start({ port: 0, ...shared });
      const name = unique('move');
      const mover = keep(await client([three.url, two.url]).join(name));
      const stayer = keep(await client(two.url).join(name));
      const stayerLog = record(stayer);
      const back = next(mover, 'reconnected');
      await three.close();
      await back;
      stayer.send(mover.selfId, 'found you');
      expect(await nextSignal(mover, stayer.selfId)).toBe('found you');
      expect(mover.hostId).toBe(mover.selfId);
      await new Promise((resolve) => setTimeout(resolve, TEST_TIMINGS.leaseMs + 300));
      expect(stayerLog.map(([type]) => type)).toEqual([]);
    });

    it('loses no lobby when a node dies: its peers time out and the others carry on', async () => {
      const dying = await startCli([
        '--port',
        '0',
        '--redis',
        redis.url,
        '--redis-prefix',
        shared.redisPrefix as string,
        '--lease-ms',
        String(TEST_TIMINGS.leaseMs),
      ]);
      const health = await fetch(`http://127.0.0.1:${dying.port}/healthz`);
      expect(await health.json()).toMatchObject({ ok: true, store: 'redis' });
      const name = unique('doomed');
      const host = await client(dying.url, { reconnect: false }).join(name);
      const other = await client(dying.url, { reconnect: false }).join(name);
      const survivor = keep(await client(two.url).join(name));
      expect(survivor.hostId).toBe(host.selfId);
      const gone = new Set<string>();
      survivor.events.on('peer-left', ({ peer }) => gone.add(peer));
      dying.child.kill('SIGKILL');
      expect((await dying.exited).signal).toBe('SIGKILL');
      // The dead node's peers expire one lease after their last renewal (the role may pass
      // through the other doomed peer on the way if its lease ends a moment later).
      await until(() => gone.size === 2, 6000, 'both peers of the dead node to time out');
      expect(survivor.hostId).toBe(survivor.selfId);
      expect([...gone].sort()).toEqual([host.selfId, other.selfId].sort());
      // The lobby lives on: newcomers on either node find it, by name and by code.
      const late = keep(await client(one.url).join(name, { create: false }));
      expect(late.hostId).toBe(survivor.selfId);
      const byCode = keep(await client(two.url).joinByCode(host.code as string));
      expect(byCode.peers()).toEqual([survivor.selfId, late.selfId]);
    });
  });
});
