import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignalingServer } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { NetnsLab, type NetnsLink } from '../../../hardening/netns.js';
import type { ArenaGame } from '../src/game/arena-game.js';
import { Bot } from '../src/game/bot.js';
import { joinArena } from '../src/net/join.js';
import { browserNetnsProblem, CHROMIUM_ARGS, chromiumInNamespace, findChromium } from './chromium.js';
import { buildClient, serveStatic } from './client-build.js';

const executablePath = findChromium();
const netnsProblem = executablePath ? browserNetnsProblem() : undefined;
const artifacts = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

interface Seen {
  self: string;
  host: boolean;
  players: { owner: string; name: string; x: number; y: number; score: number }[];
}

async function snapshot(page: Page): Promise<Seen> {
  return page.evaluate(() => window.meshplayArena!.snapshot());
}

function nodeSnapshot(game: ArenaGame): Seen {
  game.replication.render();
  return {
    self: game.session.id,
    host: game.session.isHost,
    players: game
      .players()
      .map((p) => ({ owner: p.owner ?? '', name: p.name, ...game.position(p), score: 0 })),
  };
}

/** Polls `check` until it returns true or `ms` pass (then fails with `what`). */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!executablePath || netnsProblem !== undefined)(
  'two browser pages and a Node bot in one lobby',
  () => {
    let dir: string;
    let lab: NetnsLab | undefined;
    let link: NetnsLink;
    let web: { url: string; server: Server };
    let signaling: SignalingServer;
    let browser: Browser;
    let bot: ArenaGame | undefined;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'arena-e2e-'));
      await buildClient(dir);
      // Chromium runs in a namespace of its own; the servers and the Node bot listen on the root end
      // of its veth, so every packet of the test stays on loopback or on that veth.
      lab = new NetnsLab();
      link = lab.add();
      // Chromium gathers no candidates on a host without a default route; this one leads only to
      // the root end of the veth.
      lab.exec(link, 'ip', ['route', 'add', 'default', 'via', link.gateway]);
      web = await serveStatic(dir, link.gateway);
      signaling = await SignalingServer.start({ port: 0, host: link.gateway });
      const wrapper = await chromiumInNamespace(dir, executablePath!, link);
      browser = await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS });
    }, 60_000);

    afterAll(async () => {
      await bot?.close();
      await browser?.close();
      await signaling?.close();
      await new Promise((resolve) => web?.server.close(resolve));
      lab?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }, 30_000);

    it('all see each other move; an RPC goes browser → Node → browser; screenshot saved', async () => {
      const ws = `ws://${link.gateway}:${signaling.port}`;
      const errors: string[] = [];
      const open = async (query: string) => {
        const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
        page.on('pageerror', (error) => errors.push(String(error)));
        await page.goto(`${web.url}/?signal=${encodeURIComponent(ws)}&autojoin&${query}`);
        await page.waitForFunction(() => window.meshplayArena !== undefined, undefined, { timeout: 20_000 });
        return page;
      };

      // Page A creates the lobby and hosts; page B and the Node bot join by its code.
      const alice = await open('name=alice');
      const code = await alice.evaluate(() => window.meshplayArena!.code);
      await alice.evaluate(() => {
        const log: string[] = [];
        (window as { transportLog?: string[] }).transportLog = log;
        const transport = window.meshplayArena!.game.session.transport as unknown as {
          webrtcEvents: { on(type: string, fn: (e: { peer: string; state: string }) => void): void };
          events: { on(type: string, fn: (e: { peer?: string; error: Error }) => void): void };
        };
        const t0 = performance.now();
        const at = () => `${(performance.now() - t0).toFixed(0)}ms`;
        for (const kind of ['connection-state', 'signaling-state'])
          transport.webrtcEvents.on(kind, (e) =>
            log.push(`${at()} ${kind} ${e.peer.slice(0, 5)} ${e.state}`),
          );
        transport.events.on('error', (e) => log.push(`${at()} error ${e.error.message}`));
      });
      expect(code).toMatch(/^[A-Z0-9]{4,}$/);
      expect(await alice.textContent('#code')).toBe(code);
      const bob = await open(`name=bob&code=${code}`);
      const joined = await joinArena({
        signaling: new WebSocketSignaling({ url: ws, WebSocket: WebSocket as never }),
        name: 'nodebot',
        code,
        bindAddress: link.gateway,
      }).catch(async (error: Error) => {
        // Say what the browser host's transport saw (for the transport's maintainers).
        const seen = await alice.evaluate(() => (window as { transportLog?: string[] }).transportLog);
        throw new Error(
          `the Node bot could not join: ${error.message}; the host page saw: ${seen?.join(' | ')}`,
        );
      });
      bot = joined.game;
      const hailed: { from: string; text: string }[] = [];
      bot.events.on('hailed', ({ from, text }) => hailed.push({ from, text }));
      const brain = new Bot(bot, { shotEveryMs: 100_000 });

      const views = async () => [await snapshot(alice), await snapshot(bob), nodeSnapshot(bot!)];
      await until('everyone sees three players', async () =>
        (await views()).every((v) => v.players.length === 3),
      );
      const [a0, b0] = await views();
      expect(a0!.host).toBe(true);
      expect(b0!.host).toBe(false);

      // Alice walks right, Bob walks down (real key presses), the bot wanders.
      await alice.keyboard.down('KeyD');
      await bob.keyboard.down('KeyS');
      const start = await views();
      const moved = (before: Seen[], after: Seen[]) =>
        after.every((view, i) =>
          view.players.every((p) => {
            const was = before[i]!.players.find((q) => q.owner === p.owner);
            return was !== undefined && Math.hypot(p.x - was.x, p.y - was.y) > 1;
          }),
        );
      await until('every peer sees every player (itself included) move', async () =>
        moved(start, await views()),
      );
      await alice.keyboard.up('KeyD');
      await bob.keyboard.up('KeyS');
      brain.stop();
      const end = await views();
      const alicePlayer = (view: Seen) => view.players.find((p) => p.name === 'alice')!;
      expect(alicePlayer(end[2]!).x).toBeGreaterThan(alicePlayer(start[2]!).x + 1);

      // Browser → Node → browser: Bob hails the Node bot and gets its answer.
      const answer = await bob.evaluate(
        (peer) => window.meshplayArena!.game.hail(peer, 'hello from bob'),
        bot.session.id,
      );
      expect(answer).toBe('nodebot hears "hello from bob"');
      expect(hailed).toEqual([{ from: b0!.self, text: 'hello from bob' }]);
      // And a shot from the browser client is answered by the browser host.
      const shot = await bob.evaluate(() => window.meshplayArena!.game.shoot(0));
      expect(shot.score).toBeGreaterThanOrEqual(0);
      expect(await bob.evaluate(() => window.meshplayArena!.game.shots)).toMatchObject({
        fired: 1,
        answered: 1,
      });
      // The overlay has figures (it refreshes twice a second).
      await until('the overlay shows a round trip', async () =>
        /rtt +\d/.test((await bob.textContent('#net')) ?? ''),
      );
      expect(await alice.isHidden('#lobby')).toBe(true);

      await mkdir(artifacts, { recursive: true });
      await alice.screenshot({ path: join(artifacts, 'arena-browser-host.png') });
      await bob.screenshot({ path: join(artifacts, 'arena-browser-client.png') });
      expect(errors).toEqual([]);
    }, 60_000);
  },
);
