// `pnpm --filter @meshplay/example-arena play`: the signaling server and the Vite dev server on
// loopback, for playing in a browser; with `--bots N` a Node host and N-1 bots open a lobby first.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Topology } from '@meshplay/core';
import { SignalingServer } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { createServer } from 'vite';
import { WebSocket } from 'ws';
import type { ArenaGame } from '../game/arena-game.js';
import { Bot } from '../game/bot.js';
import { joinArena } from '../net/join.js';

const { values } = parseArgs({
  options: {
    bots: { type: 'string', default: '0' },
    topology: { type: 'string', default: 'host' },
    'signal-port': { type: 'string', default: '9080' },
  },
});
const bots = Number(values.bots);
const topology = values.topology as Topology;
if (!Number.isInteger(bots) || bots < 0 || bots > 15) throw new Error('--bots must be an integer in 0..15');
if (topology !== 'host' && topology !== 'mesh') throw new Error('--topology must be host or mesh');

const root = fileURLToPath(new URL('../..', import.meta.url));
const signaling = await SignalingServer.start({ port: Number(values['signal-port']), host: '127.0.0.1' });
const signal = `ws://127.0.0.1:${signaling.port}`;
const vite = await createServer({ root, configFile: `${root}/vite.config.ts` });
await vite.listen();
const page = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';

const games: ArenaGame[] = [];
let query = `signal=${encodeURIComponent(signal)}&topology=${topology}`;
if (bots > 0) {
  const join = (name: string, code?: string) =>
    joinArena({
      signaling: new WebSocketSignaling({ url: signal, WebSocket: WebSocket as never }),
      topology,
      name,
      bindAddress: '127.0.0.1',
      ...(code ? { code } : {}),
    });
  const host = await join('node-host');
  games.push(host.game);
  for (let i = 1; i < bots; i++) games.push((await join(`bot-${i}`, host.code)).game);
  for (const [i, game] of games.entries()) new Bot(game, { seed: i + 1 });
  query += `&code=${host.code}`;
  console.log(`lobby ${host.code}: a Node host and ${bots - 1} bots are playing`);
}
console.log(`signaling ${signal}\nopen ${page}?${query}\nCtrl-C stops`);

process.once('SIGINT', async () => {
  for (const game of games.reverse()) await game.close();
  await vite.close();
  await signaling.close();
});
