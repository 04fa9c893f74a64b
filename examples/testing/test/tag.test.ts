// A template for testing a meshplay game: every test builds its own seeded SimNetwork, so runs are
// fast (virtual time) and the same every time. Copy this file and change the game.
import { type Session, SimNetwork } from '@meshplay/core';
import { describe, expect, it } from 'vitest';
import { Tag } from '../src/tag.js';

/** Four players; the host starts the round with player 1 as "it". */
async function game(options: { latency?: number; loss?: number; jitter?: number } = {}) {
  const net = new SimNetwork({ seed: 42, latency: options.latency ?? 30, jitter: options.jitter ?? 0 });
  const tags: Tag[] = [];
  const sessions = await net.sessions(4, {
    heartbeatIntervalMs: 250,
    heartbeatTimeoutMs: 1500,
    setup: (s, i) => void (tags[i] = s.register('tag', new Tag(s))),
  });
  net.configure({ loss: options.loss ?? 0 });
  tags[0]!.begin(sessions[1]!.id);
  await net.run(200);
  return { net, sessions, tags };
}

/** What every peer thinks about who is "it". */
const views = (tags: Tag[]) => tags.map((t) => t.it);

describe('tag, tested on SimNetwork', () => {
  it('with latency: a tag counts only when "it" makes it, and everyone agrees', async () => {
    const { net, sessions, tags } = await game({ latency: 80, jitter: 20 });
    const [, one, two, three] = sessions as [Session, Session, Session, Session];
    const cheat = two.request(tags[2]!, { to: 'host' }).tag(three.id); // not "it": refused by the game
    const fair = one.request(tags[1]!, { to: 'host' }).tag(two.id);
    await net.run(500);
    expect(await cheat).toBe(false);
    expect(await fair).toBe(true);
    expect(views(tags)).toEqual([two.id, two.id, two.id, two.id]);
  });

  it('with 20% loss: reliable RPCs still converge', async () => {
    const { net, sessions, tags } = await game({ loss: 0.2 });
    let it = 1;
    for (let round = 0; round < 10; round++) {
      const next = 1 + (it % 3);
      const ok = sessions[it]!.request(tags[it]!, { to: 'host' }).tag(sessions[next]!.id);
      await net.run(1000);
      expect(await ok).toBe(true);
      it = next;
    }
    expect(new Set(views(tags))).toEqual(new Set([sessions[it]!.id]));
    expect(tags[3]!.history).toEqual(tags[0]!.history);
  });

  it('a late joiner can be tagged, and hears every later change', async () => {
    const { net, sessions, tags } = await game();
    const lateTag: Tag[] = [];
    const late = await net.join(sessions, {
      setup: (s) => void lateTag.push(s.register('tag', new Tag(s))),
    });
    const ok = sessions[1]!.request(tags[1]!, { to: 'host' }).tag(late.id);
    await net.run(300);
    expect(await ok).toBe(true);
    expect(lateTag[0]!.it).toBe(late.id);
  });

  it('a partition cuts "it" off; after the timeout the host hands the role on, and the cut peer is out', async () => {
    const { net, sessions, tags } = await game();
    const cut = net.partition([sessions[1]!.transport.localId]);
    await net.run(2500);
    net.heal(cut);
    await net.run(300);
    expect(sessions[1]!.connected).toBe(false);
    const remaining = [tags[0]!, tags[2]!, tags[3]!];
    expect(new Set(remaining.map((t) => t.it))).toEqual(new Set([sessions[2]!.id]));
  });
});
