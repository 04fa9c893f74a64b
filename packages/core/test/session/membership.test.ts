import { describe, expect, it } from 'vitest';
import { createSessions, joinSession, MessageKind, Session, SimNetwork } from '../../src/index.js';
import { writeControl } from '../../src/wire/encode.js';
import { ByteWriter } from '../../src/wire/writer.js';
import { setup } from '../fixtures.js';

function outcome(session: Session) {
  const log: string[] = [];
  session.events.on('disconnected', ({ code, reason }) => log.push(`${code}: ${reason}`));
  return log;
}

describe('joining: version check, auth hook, refusals', () => {
  it('the auth hook admits on true and refuses with its reason otherwise; the refused peer learns why', async () => {
    const net = new SimNetwork({ seed: 5, latency: 10 });
    const seen: unknown[] = [];
    const sessions = await createSessions(net, 3, {
      waitConnected: false,
      auth: async (_peer, credentials) => {
        seen.push(credentials);
        return credentials === 'good' ? true : 'bad token';
      },
      perPeer: (i) => ({ credentials: i === 1 ? 'good' : 'evil' }),
    });
    const refused = outcome(sessions[2]!);
    await net.run(500);
    expect(seen.sort()).toEqual(['evil', 'good']);
    expect(sessions[1]!.connected).toBe(true);
    expect(sessions[2]!.connected).toBe(false);
    expect(refused).toEqual(['E_AUTH_REFUSED: bad token']);
    await expect(sessions[2]!.ready()).rejects.toMatchObject({ code: 'E_AUTH_REFUSED' });
    expect(sessions[0]!.peers()).toEqual([sessions[1]!.id]);
  });

  it('an auth hook that does not answer in time refuses with E_AUTH_TIMEOUT; one that throws refuses', async () => {
    const net = new SimNetwork({ seed: 5, latency: 10 });
    const sessions = await createSessions(net, 3, {
      waitConnected: false,
      authTimeoutMs: 300,
      auth: (_peer, credentials) => {
        if (credentials === 'throw') throw new Error('database down');
        return new Promise(() => {});
      },
      perPeer: (i) => ({ credentials: i === 1 ? 'hang' : 'throw' }),
    });
    const hung = outcome(sessions[1]!);
    const threw = outcome(sessions[2]!);
    await net.run(800);
    expect(hung).toEqual(['E_AUTH_TIMEOUT: auth did not answer within 300 ms']);
    expect(threw).toEqual(['E_AUTH_REFUSED: auth failed: database down']);
  });

  it('refuses new peers when asked, keeping existing members', async () => {
    const { net, sessions } = await setup(2);
    sessions[0]!.refuseNewPeers = true;
    const late = await joinSession(net, sessions, { waitConnected: false });
    const log = outcome(late);
    await net.run(500);
    expect(log).toEqual(['E_REFUSED: the session accepts no new peers']);
    expect(sessions[1]!.connected).toBe(true);
  });

  it('a peer speaking another protocol version is refused with E_PROTOCOL_VERSION', async () => {
    const { net, host } = await setup(1);
    const stranger = net.createTransport();
    const goodbyes: number[][] = [];
    stranger.events.on('message', ({ data }) => goodbyes.push([...data.slice(0, 2)]));
    net.connect(host.id, stranger.localId);
    await net.run(50);
    const w = new ByteWriter();
    writeControl(w, MessageKind.Hello, { v: 99, c: null });
    stranger.send(host.id, 0, w.toBytes());
    await net.run(500);
    expect(goodbyes[0]).toEqual([MessageKind.Goodbye, 10]); // 10 = E_PROTOCOL_VERSION on the wire
    expect(stranger.peers()).toEqual([]);
    expect(host.peers()).toEqual([]);
  });

  it('a link that never says hello is dropped after the join timeout', async () => {
    const { net, host } = await setup(1, { joinTimeoutMs: 400 });
    const silent = net.createTransport();
    net.connect(host.id, silent.localId);
    await net.run(300);
    expect(silent.peers()).toEqual([host.id]);
    await net.run(500);
    expect(silent.peers()).toEqual([]);
  });

  it('a client with no host gives up after the join timeout', async () => {
    const net = new SimNetwork({ seed: 1 });
    const lonely = new Session({
      transport: net.createTransport(),
      role: 'client',
      scheduler: net.scheduler,
      joinTimeoutMs: 500,
    });
    const log = outcome(lonely);
    await net.run(600);
    expect(log).toEqual(['E_TIMEOUT: no welcome from a host within 500 ms']);
  });
});

describe('kicks and heartbeats', () => {
  it('kick removes a member, tells it the reason, and tells everyone else', async () => {
    const { net, sessions } = await setup(3);
    const kicked = outcome(sessions[2]!);
    const left: string[] = [];
    sessions[1]!.events.on('peer-left', ({ peer, code, reason }) => left.push(`${peer} ${code} ${reason}`));
    sessions[0]!.kick(sessions[2]!.id, 'cheating');
    await net.run(500);
    expect(kicked).toEqual(['E_KICKED: cheating']);
    expect(left).toEqual([`${sessions[2]!.id} E_KICKED announced by the host`]);
    expect(() => sessions[1]!.kick(sessions[0]!.id)).toThrow(
      expect.objectContaining({ code: 'E_UNAUTHORIZED_RPC' }),
    );
  });

  it('a crashed client is reported gone within the heartbeat timeout', async () => {
    const { net, sessions } = await setup(3); // heartbeat 200 ms, timeout 1000 ms
    const left: { code: string; at: number }[] = [];
    sessions[0]!.events.on('peer-left', ({ code }) => left.push({ code, at: net.now() }));
    const crashedAt = net.now();
    net.crash(sessions[2]!.transport.localId);
    await net.run(1500);
    expect(left).toHaveLength(1);
    expect(left[0]!.code).toBe('E_TIMEOUT');
    expect(left[0]!.at - crashedAt).toBeLessThanOrEqual(1000 + 200 + 10);
    expect(sessions[1]!.peers()).toEqual([sessions[0]!.id]);
  });

  it('measures RTT with heartbeats', async () => {
    const { net, sessions } = await setup(2, { latency: 25 });
    await net.run(500);
    expect(sessions[1]!.rtt(sessions[0]!.id)).toBe(50);
  });
});
