import { describe, expect, it } from 'vitest';
import { createSessions, rpc, SimNetwork } from '../../src/index.js';

class Chat {
  log: string[] = [];
  @rpc({ mode: 'any' })
  say(text: string) {
    this.log.push(text);
  }
}

describe('basic session', () => {
  it('connects a host and two clients and calls an rpc', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const chats: Chat[] = [];
    const sessions = await createSessions(net, 3, {
      setup: (s) => {
        const chat = new Chat();
        chats.push(chat);
        s.register('chat', chat);
      },
    });
    expect(sessions.every((s) => s.connected)).toBe(true);
    sessions[1]!.rpc(chats[1]!).say('hi');
    await net.run(100);
    expect(chats.map((c) => c.log)).toEqual([['hi'], [], ['hi']]);
  });
});
