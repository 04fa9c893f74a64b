/**
 * Bad input: one server is fed malformed JSON, wrong types, unknown kinds, oversized and binary
 * frames, invalid UTF-8, payloads to other lobbies and unknown ids, spoofed `from`, and join
 * floods — while two bystanders keep exchanging payloads through it. The server must never throw,
 * every offender must get a documented code, and the bystanders must never notice.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingRoom } from '../src/index.js';
import { ANSWER_CODES, CLOSE_CODES } from '../src/protocol.js';
import { type ServerLogEvent, SignalingServer } from '../src/server/index.js';
import { next, record, unique, until } from './helpers.js';
import { client } from './lobby-suite.js';
import { type RawClient, raw } from './raw.js';

const DOCUMENTED_ANSWERS = new Set<string>(ANSWER_CODES);
const DOCUMENTED_CLOSES = new Set<number>(Object.values(CLOSE_CODES));
const KINDS = ['join', 'resume', 'list', 'signal', 'seal', 'leave', 'ping', 'joined', 'hack', ''];

/** Message-shaped garbage: known and unknown kinds with fields of any JSON type. */
const messageShaped = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom(...KINDS), fc.jsonValue()),
      v: fc.oneof(fc.constant(1), fc.jsonValue()),
      rid: fc.oneof(fc.integer(), fc.jsonValue()),
      room: fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue()),
      code: fc.oneof(fc.string({ minLength: 6, maxLength: 6 }), fc.jsonValue()),
      to: fc.oneof(fc.string({ minLength: 21, maxLength: 21 }), fc.jsonValue()),
      from: fc.jsonValue(),
      payload: fc.jsonValue(),
      create: fc.jsonValue(),
      public: fc.jsonValue(),
      maxPeers: fc.oneof(fc.integer(), fc.jsonValue()),
      password: fc.jsonValue(),
      token: fc.jsonValue(),
      resume: fc.oneof(fc.string(), fc.jsonValue()),
    },
    { requiredKeys: ['type'] },
  )
  .map((message) => JSON.stringify(message));

const frames = fc.oneof(fc.string({ maxLength: 300 }), fc.json(), messageShaped);

describe('bad input', () => {
  let server: SignalingServer;
  const log: ServerLogEvent[] = [];
  let a: SignalingRoom;
  let b: SignalingRoom;
  let echoes = 0;
  let pump: ReturnType<typeof setInterval>;
  const calm = unique('calm');

  beforeAll(async () => {
    server = await SignalingServer.start({
      port: 0,
      leaseMs: 3000,
      maxFrameBytes: 4096,
      maxPeersPerLobby: 16,
      rateLimit: { perSecond: 500, burst: 500 },
      log: (event) => log.push(event),
    });
    a = await client(server.url).join(calm);
    b = await client(server.url).join(calm);
    // The bystanders: a pings b every 5 ms, b echoes, a counts.
    b.events.on('signal', ({ from, payload }) => {
      if (from === a.selfId) b.send(a.selfId, payload);
    });
    a.events.on('signal', ({ from }) => {
      if (from === b.selfId) echoes++;
    });
    let n = 0;
    pump = setInterval(() => a.send(b.selfId, { n: n++ }), 5);
  });

  afterAll(async () => {
    clearInterval(pump);
    await Promise.all([a.leave(), b.leave()]);
    await server.close();
  });

  /** Runs `attack` and checks the bystanders kept talking meanwhile. */
  async function whileServed(attack: () => Promise<void>): Promise<void> {
    const before = echoes;
    await attack();
    await until(() => echoes > before + 5, 3000, 'the bystanders to keep talking');
  }

  /** Every error answer a raw client got carries a documented code. */
  function expectDocumentedAnswers(clients: RawClient[]): void {
    for (const c of clients) {
      for (const message of c.received) {
        const m = message as { type?: string; code?: string };
        if (m.type === 'error') expect(DOCUMENTED_ANSWERS.has(m.code as string), `code ${m.code}`).toBe(true);
      }
    }
  }

  it('survives every kind of bad input while other clients keep being served', async () => {
    const aLog = record(a);
    const bLog = record(b);
    const used: RawClient[] = [];
    const closes: number[] = [];
    const fresh = async (joined: boolean): Promise<RawClient> => {
      const c = await raw(server.url);
      used.push(c);
      // 1005 (no status) is this test closing its own sockets.
      void c.closed.then(({ code }) => code !== 1005 && closes.push(code));
      if (joined) {
        c.send({ type: 'join', v: 1, room: unique('fuzz') });
        await c.next((m) => m.type === 'joined');
      }
      return c;
    };

    // 1. Generated garbage, on a fresh and on a joined connection: each frame is followed by a
    // ping, whose pong proves the connection is still served (or the connection ended with a
    // documented code).
    await whileServed(async () => {
      const pool = { fresh: await fresh(false), joined: await fresh(true) };
      await fc.assert(
        fc.asyncProperty(frames, fc.boolean(), async (frame, useJoined) => {
          const key = useJoined ? 'joined' : 'fresh';
          let c = pool[key];
          if (c.socket.readyState !== c.socket.OPEN) c = pool[key] = await fresh(useJoined);
          c.sendText(frame);
          c.send({ type: 'ping' });
          const outcome = await Promise.race([
            c
              .next((m) => m.type === 'pong')
              .then(
                () => 'served',
                () => 'silent',
              ),
            c.closed.then(({ code }) => code),
          ]);
          // The sender is either still served or told why not: never left hanging.
          expect(outcome, frame).not.toBe('silent');
          if (outcome !== 'served') {
            expect(DOCUMENTED_CLOSES.has(outcome as number), `close ${outcome}`).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });

    // 2. Targeted refusals, each with its code.
    const mole = await fresh(false);
    mole.send({ type: 'join', v: 1, room: calm });
    const moleJoined = await mole.next((m) => m.type === 'joined');
    const other = await fresh(true);
    const cases: [unknown, string][] = [
      ['{"type":', 'E_BAD_JSON'],
      [[1, 2, 3], 'E_BAD_MESSAGE'],
      [{ type: 'hack' }, 'E_UNKNOWN_TYPE'],
      [{ type: 'join', v: 1, room: 42 }, 'E_BAD_MESSAGE'],
      [{ type: 'join', v: 1, room: 'another' }, 'E_ALREADY_JOINED'],
      [{ type: 'signal', to: 7, payload: 1 }, 'E_BAD_MESSAGE'],
      [{ type: 'signal', to: b.selfId }, 'E_BAD_MESSAGE'],
      [{ type: 'signal', to: b.selfId, from: a.selfId, payload: 'spoofed' }, 'E_SPOOFED_FROM'],
      [{ type: 'signal', to: 'nobody-here-at-all-xx', payload: 'lost' }, 'E_UNKNOWN_PEER'],
      [{ type: 'signal', to: moleJoined.self, payload: 'to myself' }, 'E_UNKNOWN_PEER'],
      [{ type: 'seal', rid: 9 }, 'E_NOT_HOST'],
    ];
    await whileServed(async () => {
      for (const [frame, code] of cases) {
        mole.sendText(typeof frame === 'string' ? frame : JSON.stringify(frame));
        expect((await mole.next((m) => m.type === 'error')).code, JSON.stringify(frame)).toBe(code);
      }
      // A payload for a bystander sent from another lobby.
      other.send({ type: 'signal', to: a.selfId, payload: 'across lobbies' });
      expect((await other.next((m) => m.type === 'error')).code).toBe('E_UNKNOWN_PEER');
      // Binary frames.
      mole.socket.send(new Uint8Array([1, 2, 3]));
      expect((await mole.next((m) => m.type === 'error')).code).toBe('E_BAD_MESSAGE');
      // Before joining, nothing but join, resume, list and ping is served.
      const stranger = await fresh(false);
      stranger.send({ type: 'signal', to: a.selfId, payload: 'x' });
      expect((await stranger.next((m) => m.type === 'error')).code).toBe('E_NOT_JOINED');
      stranger.send({ type: 'resume', v: 1, resume: 'garbage' });
      expect((await stranger.closed).code).toBe(4004);
    });

    // 3. Frames the WebSocket layer refuses: oversized (1009) and invalid UTF-8 (1007).
    await whileServed(async () => {
      const big = await fresh(true);
      big.send({ type: 'signal', to: a.selfId, payload: 'x'.repeat(5000) });
      expect((await big.closed).code).toBe(1009);
      const garbled = await fresh(false);
      garbled.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect((await garbled.closed).code).toBe(1007);
    });

    // 4. Join floods: one connection spamming joins is cut (rate limit); forty connections
    // rushing one lobby get sixteen seats and sixteen-only.
    await whileServed(async () => {
      const spammer = await fresh(false);
      for (let i = 0; i < 2000; i++) spammer.send({ type: 'join', v: 1, room: unique('spam') });
      expect(await spammer.closed).toMatchObject({
        code: 4008,
        reason: expect.stringMatching(/^E_RATE_LIMITED/),
      });
      const rush = unique('rush');
      const crowd = await Promise.all(Array.from({ length: 40 }, () => fresh(false)));
      for (const c of crowd) c.send({ type: 'join', v: 1, room: rush, rid: 1 });
      const answers = await Promise.all(crowd.map((c) => c.next((m) => m.rid === 1)));
      expect(answers.filter((m) => m.type === 'joined')).toHaveLength(16);
      expect(answers.filter((m) => m.type === 'error').map((m) => m.code)).toEqual(
        Array(24).fill('E_ROOM_FULL'),
      );
      for (const c of crowd) c.socket.close();
    });

    // Nothing reached the bystanders but each other's payloads and the mole coming and going.
    mole.send({ type: 'leave' });
    await next(a, 'peer-left', (e) => e.peer === moleJoined.self);
    const unexpected = (entries: typeof aLog) =>
      entries.filter(
        ([type, event]) =>
          !(type === 'signal' && [a.selfId, b.selfId].includes((event as { from: string }).from)) &&
          !(
            (type === 'peer-joined' || type === 'peer-left') &&
            (event as { peer: string }).peer === moleJoined.self
          ),
      );
    expect(unexpected(aLog)).toEqual([]);
    expect(unexpected(bLog)).toEqual([]);
    for (const [, event] of [...aLog, ...bLog]) {
      const payload = (event as { payload?: unknown }).payload;
      if (payload !== undefined) expect(payload).toMatchObject({ n: expect.any(Number) });
    }
    expectDocumentedAnswers(used);
    for (const code of closes) expect(DOCUMENTED_CLOSES.has(code), `close ${code}`).toBe(true);
    // The server never failed inside.
    expect(log.filter((event) => event.event === 'error')).toEqual([]);
    for (const c of used) c.socket.terminate();
  });
});
