// The README's 20-line example, kept compiling and tested (test/hello.test.ts).
import { rpc, type Session, SimNetwork } from '@meshplay/core';

class Chat {
  readonly heard: string[] = [];
  constructor(readonly session: Session) {}
  @rpc({ mode: 'any', rateLimit: 5 }) // anyone may call it, 5 calls/s per sender
  say(text: string) {
    this.heard.push(`${this.session.remoteSender} says ${text}`);
  }
  @rpc({ mode: 'any' })
  roll(sides: number): number {
    // a request: the caller awaits the value
    return 1 + Math.floor(Math.random() * sides);
  }
}

/** Runs the example; returns what each peer heard and the roll. */
export async function hello(): Promise<{ heard: string[][]; roll: number; alice: string }> {
  const net = new SimNetwork({ seed: 1, latency: 40, loss: 0.05 });
  const chats: Chat[] = [];
  const [host, alice] = await net.sessions(3, {
    setup: (session, i) => void (chats[i] = session.register('chat', new Chat(session))),
  });
  alice!.rpc(chats[1]!).say('hello'); // to everyone
  const roll = alice!.request(chats[1]!, { to: host!.id }).roll(20); // typed: Promise<number>
  await net.run(200);
  return { heard: chats.map((c) => c.heard), roll: await roll, alice: alice!.id };
}
