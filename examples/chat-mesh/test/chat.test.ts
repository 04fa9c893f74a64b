// The chat end to end over the real stack on 127.0.0.1: the signaling server, WebSocket
// signaling, node-datachannel links in a full mesh, core sessions and RPC.
import { SignalingServer } from '@meshplay/signaling/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type ChatClientOptions } from '../src/chat-client.js';
import { type Log, record, waitFor } from './helpers.js';

let server: SignalingServer;
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await SignalingServer.start({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await server.close();
});

function options(name: string): ChatClientOptions {
  return { server: server.url, name, bindAddress: '127.0.0.1' };
}

async function enter(code: string | undefined, name: string): Promise<ChatClient> {
  const client =
    code === undefined ? await ChatClient.create(options(name)) : await ChatClient.join(code, options(name));
  clients.push(client);
  return client;
}

describe('chat over a full mesh', () => {
  it('three peers chat directly; the host seals; a fourth is refused; leaves and host changes are seen', async () => {
    const started = performance.now();
    const alice = await enter(undefined, 'alice');
    expect(alice.code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(alice.isHost).toBe(true);
    expect(alice.canSeal).toBe(true);
    const logs = new Map<ChatClient, Log>([[alice, record(alice)]]);
    const bob = await enter(alice.code, 'bob');
    logs.set(bob, record(bob));
    const carol = await enter(alice.code.toLowerCase(), 'carol'); // codes are case-insensitive
    logs.set(carol, record(carol));
    const trio = [alice, bob, carol];
    expect(bob.isHost || carol.isHost || bob.canSeal || carol.canSeal).toBe(false);

    // Everyone knows everyone by name, and every pair has its own WebRTC link: a full mesh.
    await waitFor(
      () => trio.every((c) => c.who().length === 3 && c.who().every((m) => m.name !== undefined)),
      15_000,
      'everyone to know everyone',
    );
    await waitFor(() => trio.every((c) => c.session.transport.peers().length === 2), 15_000, 'a full mesh');
    for (const c of trio) {
      expect(c.who().map((m) => m.name)).toEqual([
        c.name,
        ...['alice', 'bob', 'carol'].filter((n) => n !== c.name),
      ]);
      expect(
        c
          .who()
          .filter((m) => m.host)
          .map((m) => m.name),
      ).toEqual(['alice']);
    }
    // Joins were reported as they happened: alice saw bob and carol come, carol found both there.
    expect(logs.get(alice)!.joined.map((j) => [j.name, j.wasHere])).toEqual([
      ['bob', false],
      ['carol', false],
    ]);
    expect(logs.get(carol)!.joined.every((j) => j.wasHere)).toBe(true);

    // Every message reaches the two others exactly once, in order, under its sender's name.
    for (let i = 1; i <= 3; i++) for (const c of trio) c.say(`${c.name} #${i}`);
    await waitFor(() => trio.every((c) => logs.get(c)!.message.length === 6), 10_000, 'every message');
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show up
    for (const c of trio) {
      const heard = logs.get(c)!.message;
      expect(heard).toHaveLength(6);
      for (const other of trio.filter((o) => o !== c)) {
        const fromOther = heard.filter((m) => m.from === other.id);
        expect(fromOther.map((m) => m.name)).toEqual([other.name, other.name, other.name]);
        expect(fromOther.map((m) => m.text)).toEqual([1, 2, 3].map((i) => `${other.name} #${i}`));
      }
    }
    for (const c of trio) {
      for (const other of trio.filter((o) => o !== c)) {
        const stats = c.session.transport.stats(other.id)!;
        expect(stats.messagesReceived).toBeGreaterThan(0); // straight from that peer, not relayed
      }
    }
    for (const c of trio) expect(logs.get(c)!.error).toEqual([]);

    // Only the lobby's host may seal it; once sealed, a newcomer is refused with E_SEALED.
    await expect(carol.seal()).rejects.toMatchObject({ code: 'E_NOT_HOST' });
    await alice.seal();
    await waitFor(
      () => trio.every((c) => logs.get(c)!.sealed.length === 1),
      5000,
      'everyone to hear of the seal',
    );
    expect(alice.sealed && !alice.canSeal).toBe(true);
    await expect(enter(alice.code, 'dave')).rejects.toMatchObject({
      name: 'SignalingError',
      code: 'E_SEALED',
    });

    // Bob quits: the two others see him leave at once (a goodbye, not a heartbeat timeout).
    const quitAt = performance.now();
    await bob.quit();
    await waitFor(
      () => [alice, carol].every((c) => logs.get(c)!.left.some((l) => l.peer === bob.id)),
      2000,
      'bob to be seen leaving',
    );
    expect(performance.now() - quitAt).toBeLessThan(2000);
    for (const c of [alice, carol]) {
      expect(logs.get(c)!.left).toEqual([
        { peer: bob.id, name: 'bob', code: 'left', reason: expect.any(String) },
      ]);
      expect(
        c
          .who()
          .map((m) => m.name)
          .sort(),
      ).toEqual(['alice', 'carol']);
    }
    expect(logs.get(bob)!.closed).toEqual([{ code: 'left', reason: expect.any(String) }]);
    expect(() => bob.say('still there?')).toThrow(expect.objectContaining({ code: 'E_CLOSED' }));

    // The host quits: carol takes over the session, and the chat goes on.
    await alice.quit();
    await waitFor(() => logs.get(carol)!['host-changed'].length === 1, 2000, 'a new host');
    expect(logs.get(carol)!['host-changed']).toEqual([{ host: carol.id, name: 'carol' }]);
    expect(carol.isHost).toBe(true);
    expect(carol.who()).toEqual([{ id: carol.id, name: 'carol', self: true, host: true, rttMs: undefined }]);
    await carol.quit();
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 25_000);

  it('refuses bad names and bad lines locally, and unknown codes at the server', async () => {
    await expect(ChatClient.create(options(''))).rejects.toMatchObject({ code: 'E_BAD_NAME' });
    await expect(ChatClient.create(options('\u001b[2Jmallory'))).rejects.toMatchObject({
      code: 'E_BAD_NAME',
    });
    await expect(ChatClient.create(options('x'.repeat(33)))).rejects.toMatchObject({ code: 'E_BAD_NAME' });
    await expect(enter('ZZZZZZ', 'eve')).rejects.toMatchObject({ code: 'E_NO_ROOM' });
    const solo = await enter(undefined, 'solo');
    expect(() => solo.say('')).toThrow(expect.objectContaining({ code: 'E_BAD_TEXT' }));
    expect(() => solo.say('bell\u0007')).toThrow(expect.objectContaining({ code: 'E_BAD_TEXT' }));
    expect(() => solo.say('y'.repeat(1001))).toThrow(expect.objectContaining({ code: 'E_BAD_TEXT' }));
    solo.say('nobody hears this, and that is fine');
    await solo.quit();
  });

  it('a lobby created with a password admits only those who give it', async () => {
    const locked = await ChatClient.create({ ...options('keeper'), password: 'open sesame' });
    clients.push(locked);
    await expect(enter(locked.code, 'guesser')).rejects.toMatchObject({ code: 'E_BAD_PASSWORD' });
    await expect(
      ChatClient.join(locked.code, { ...options('guesser'), password: 'open says me' }),
    ).rejects.toMatchObject({ code: 'E_BAD_PASSWORD' });
    const friend = await ChatClient.join(locked.code, { ...options('friend'), password: 'open sesame' });
    clients.push(friend);
    await waitFor(() => friend.who().some((m) => m.name === 'keeper'), 10_000, 'friend to meet the keeper');
    await Promise.all([friend.quit(), locked.quit()]);
  });
});
