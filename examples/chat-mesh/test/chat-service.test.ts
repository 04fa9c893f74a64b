// The Chat service alone, on SimNetwork (virtual time): the rules that the end-to-end test cannot
// provoke on demand — a message overtaking its sender's name, and hostile input.
import { type Session, SimNetwork } from '@meshplay/core';
import { expect, it } from 'vitest';
import { Chat, type ChatServiceEvents } from '../src/chat.js';

async function mesh(names: string[]) {
  const net = new SimNetwork({ seed: 3, latency: 20 });
  const chats: Chat[] = [];
  const sessions = await net.sessions(names.length, {
    topology: 'mesh',
    setup: (session, i) => void (chats[i] = session.register('chat', new Chat(session, names[i]!))),
  });
  const heard = chats.map((chat) => {
    const log: ChatServiceEvents['message'][] = [];
    chat.events.on('message', (m) => log.push(m));
    return log;
  });
  return { net, sessions, chats, heard };
}

function refusals(session: Session) {
  const got: { code: string; reason: string }[] = [];
  session.events.on('refused', ({ code, reason }) => got.push({ code, reason }));
  return got;
}

it('holds messages from a peer until its name arrives, then shows them under it, in order', async () => {
  const { net, sessions, chats, heard } = await mesh(['alice', 'bob']);
  const [alice, bob] = chats as [Chat, Chat];
  bob.sayToAll('first');
  bob.sayToAll('second');
  await net.run(100);
  expect(heard[0]).toEqual([]);
  expect(alice.nameOf(sessions[1]!.id)).toBeUndefined();

  bob.introduceTo(sessions[0]!.id);
  await net.run(100);
  const from = sessions[1]!.id;
  expect(heard[0]).toEqual([
    { from, name: 'bob', text: 'first' },
    { from, name: 'bob', text: 'second' },
  ]);
  // A peer's first name stands: a later introduction cannot rename it under the others' eyes.
  sessions[1]!.rpc(bob, { to: sessions[0]!.id }).introduce('alice');
  bob.sayToAll('third');
  await net.run(100);
  expect(heard[0]!.at(-1)).toEqual({ from, name: 'bob', text: 'third' });
  expect(alice.nameOf(sessions[0]!.id)).toBe('alice');
  await net.stop();
});

it('refuses hostile names and lines with a reason to the sender and shows nothing', async () => {
  const { net, sessions, chats, heard } = await mesh(['alice', 'mallory']);
  const mallory = chats[1]!;
  const refused = refusals(sessions[1]!);
  mallory.introduceTo(sessions[0]!.id);
  await net.run(100);
  const caller = sessions[1]!.rpc(mallory);
  caller.say('\u001b[2J\u001b[Hyou have been hacked'); // terminal escape codes
  caller.say('x'.repeat(1001));
  caller.say('   ');
  (caller.say as (...args: unknown[]) => void)(42);
  (caller.say as (...args: unknown[]) => void)('two', 'arguments');
  await net.run(200);
  expect(heard[0]).toEqual([]);
  expect(refused.map((r) => r.code)).toEqual(Array(5).fill('E_INVALID_ARGS'));
  const reasons = refused.map((r) => r.reason);
  expect(reasons[0]).toMatch(/control characters/);
  expect(reasons[1]).toMatch(/longer than 1000 characters/);
  expect(reasons[2]).toMatch(/empty/);
  expect(reasons[3]).toMatch(/expected a string/);
  expect(reasons[4]).toMatch(/expected one argument/);

  caller.say('a fair line');
  await net.run(100);
  expect(heard[0]).toEqual([{ from: sessions[1]!.id, name: 'mallory', text: 'a fair line' }]);
  await net.stop();
});
