import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalingError } from '../src/index.js';
import { type ServerLogEvent, SignalingServer } from '../src/server/index.js';
import { WebSocketSignaling } from '../src/websocket.js';
import { unique, until } from './helpers.js';
import { client, lobbySuite, TEST_TIMINGS } from './lobby-suite.js';
import { raw } from './raw.js';

lobbySuite('in-process', () => ({}));

describe('WebSocket server protocol', () => {
  let server: SignalingServer;
  const log: ServerLogEvent[] = [];

  beforeAll(async () => {
    server = await SignalingServer.start({
      port: 0,
      ...TEST_TIMINGS,
      joinTimeoutMs: 400,
      pingIntervalMs: 150,
      maxConnections: 50,
      log: (event) => log.push(event),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('closes a connection that does not join in time (listing lobbies does not count)', async () => {
    const idle = await raw(server.url);
    idle.send({ type: 'list', rid: 1 });
    expect(await idle.next((m) => m.type === 'lobbies')).toMatchObject({ rid: 1 });
    const started = Date.now();
    const { code, reason } = await idle.closed;
    expect(code).toBe(4002);
    expect(reason).toMatch(/^E_JOIN_TIMEOUT: /);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses another protocol version with E_VERSION', async () => {
    const old = await raw(server.url);
    old.send({ type: 'join', v: 99, room: unique('v') });
    expect(await old.closed).toMatchObject({ code: 4003, reason: expect.stringMatching(/^E_VERSION: /) });
  });

  it('refuses forged resume tokens and tokens of peers whose lease ran out', async () => {
    const forger = await raw(server.url);
    forger.send({ type: 'resume', v: 1, resume: 'eyJwZWVyIjoiYSJ9.bm90LWEtbWFj' });
    expect(await forger.closed).toMatchObject({
      code: 4004,
      reason: expect.stringMatching(/^E_RESUME_REFUSED: /),
    });

    const name = unique('lapsed');
    const keeper = await client(server.url).join(name);
    const leaver = await raw(server.url);
    leaver.send({ type: 'join', v: 1, room: name });
    const joined = await leaver.next((m) => m.type === 'joined');
    leaver.socket.terminate();
    await until(() => keeper.peers().length === 0, 4000, 'the lease to run out');
    const late = await raw(server.url);
    late.send({ type: 'resume', v: 1, resume: joined.resume });
    expect(await late.closed).toMatchObject({
      code: 4004,
      reason: expect.stringMatching(/^E_RESUME_REFUSED: /),
    });
    await keeper.leave();
  });

  it('cuts a socket that stops answering pings, keeping its place for a resume', async () => {
    const name = unique('silent');
    const keeper = await client(server.url).join(name);
    const mute = await raw(server.url, { autoPong: false });
    mute.send({ type: 'join', v: 1, room: name });
    const joined = await mute.next((m) => m.type === 'joined');
    const { code } = await mute.closed;
    expect(code).toBe(1006);
    expect(log.some((e) => e.event === 'timeout' && e.peer === joined.self)).toBe(true);
    expect(keeper.peers()).toEqual([joined.self]);
    const back = await raw(server.url);
    back.send({ type: 'resume', v: 1, resume: joined.resume });
    expect(await back.next((m) => m.type === 'joined')).toMatchObject({ self: joined.self, resumed: true });
    back.send({ type: 'leave' });
    expect(await back.closed).toMatchObject({ code: 1000 });
    await keeper.leave();
  });

  it('serves /healthz and /lobbies over HTTP on the same port', async () => {
    const room = await client(server.url).join(unique('http'));
    const base = server.url.replace('ws:', 'http:');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, node: server.node, store: 'memory', peers: 1 });
    const lobbies = (await (await fetch(`${base}/lobbies`)).json()) as { lobbies: { room: string }[] };
    expect(lobbies.lobbies.map((lobby) => lobby.room)).toContain(room.room);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    await room.leave();
  });

  it('needs a WebSocket class where there is no global one', () => {
    expect(() => new WebSocketSignaling({ url: server.url })).toThrow(SignalingError);
  });
});

describe('WebSocket server limits and auth', () => {
  it('asks the auth hook on join and resume and refuses with E_UNAUTHORIZED', async () => {
    const asked: { token: string | undefined; resume: boolean }[] = [];
    const log: ServerLogEvent[] = [];
    const server = await SignalingServer.start({
      port: 0,
      ...TEST_TIMINGS,
      log: (event) => log.push(event),
      authenticate: async ({ token, resume }) => {
        asked.push({ token, resume });
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (token === 'banned') throw new SignalingError('E_BANNED', 'this account is banned');
        return token === 'alice-token' ? 'alice' : null;
      },
    });
    try {
      const name = unique('auth');
      await expect(client(server.url).join(name)).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
      await expect(client(server.url).join(name, { token: 'banned' })).rejects.toMatchObject({
        code: 'E_UNAUTHORIZED',
        message: expect.stringContaining('banned'),
      });
      const alice = await client(server.url).join(name, { token: 'alice-token' });
      expect(log.find((e) => e.event === 'join')).toMatchObject({ peer: alice.selfId, user: 'alice' });
      expect(asked).toEqual([
        { token: undefined, resume: false },
        { token: 'banned', resume: false },
        { token: 'alice-token', resume: false },
      ]);
      await alice.leave();

      // A returning peer is asked again: a resume is no way around the hook.
      const bob = await raw(server.url);
      bob.send({ type: 'join', v: 1, room: name, token: 'alice-token' });
      const joined = await bob.next((m) => m.type === 'joined');
      bob.socket.terminate();
      const sneaky = await raw(server.url);
      sneaky.send({ type: 'resume', v: 1, resume: joined.resume });
      expect(await sneaky.closed).toMatchObject({
        code: 4001,
        reason: expect.stringMatching(/^E_UNAUTHORIZED: /),
      });
      const honest = await raw(server.url);
      honest.send({ type: 'resume', v: 1, resume: joined.resume, token: 'alice-token' });
      expect(await honest.next((m) => m.type === 'joined')).toMatchObject({
        self: joined.self,
        resumed: true,
      });
      expect(asked.slice(3)).toEqual([
        { token: 'alice-token', resume: false },
        { token: undefined, resume: true },
        { token: 'alice-token', resume: true },
      ]);
      honest.socket.close();
    } finally {
      await server.close();
    }
  });

  it('refuses connections beyond maxConnections with E_SERVER_FULL', async () => {
    const server = await SignalingServer.start({ port: 0, ...TEST_TIMINGS, maxConnections: 2 });
    try {
      const held = [await raw(server.url), await raw(server.url)];
      const extra = await raw(server.url);
      expect(await extra.closed).toMatchObject({
        code: 4013,
        reason: expect.stringMatching(/^E_SERVER_FULL: /),
      });
      for (const socket of held) socket.socket.close();
    } finally {
      await server.close();
    }
  });
});
