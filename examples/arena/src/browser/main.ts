// The browser client: a lobby form (create, or join by code), then the arena on a canvas with
// keyboard input and the net-stats overlay. URL parameters fill the form: `name`, `signal`,
// `topology`, `code`; `autojoin` submits it; `bot` lets a bot play.
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import type { ArenaGame } from '../game/arena-game.js';
import { Bot } from '../game/bot.js';
import { joinArena } from '../net/join.js';
import { Controls } from './keyboard.js';
import { NetOverlay } from './overlay.js';
import { ArenaView } from './view.js';

const SCALE = 20;

/** What the page exposes for scripted checks (the end-to-end test) and the console. */
export interface ArenaPage {
  game: ArenaGame;
  code: string;
  /** The players as this page draws them. */
  snapshot(): {
    self: string;
    host: boolean;
    players: { owner: string; name: string; x: number; y: number; score: number }[];
  };
}

declare global {
  interface Window {
    meshplayArena?: ArenaPage;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const form = $<HTMLFormElement>('lobby');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;

field('name').value = params.get('name') ?? `player-${Math.floor(Math.random() * 1000)}`;
field('signal').value = params.get('signal') ?? `ws://${location.hostname || '127.0.0.1'}:9080`;
field('topology').value = params.get('topology') === 'mesh' ? 'mesh' : 'host';
field('code').value = params.get('code') ?? '';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void enter();
});
if (params.has('autojoin')) void enter();

async function enter(): Promise<void> {
  const button = form.querySelector('button')!;
  button.disabled = true;
  $('lobby-error').textContent = '';
  try {
    const code = field('code').value.trim();
    const { game, code: joined } = await joinArena({
      signaling: new WebSocketSignaling({ url: field('signal').value.trim() }),
      topology: field('topology').value === 'mesh' ? 'mesh' : 'host',
      name: field('name').value.trim(),
      ...(code ? { code } : {}),
    });
    play(game, joined);
  } catch (error) {
    $('lobby-error').textContent = (error as Error).message;
    button.disabled = false;
  }
}

function play(game: ArenaGame, code: string): void {
  form.hidden = true;
  $('game').hidden = false;
  $('code').textContent = code;
  const role = () => `${game.session.isHost ? 'host' : 'client'} (${game.topology})`;
  $('role').textContent = role();
  const canvas = $<HTMLCanvasElement>('arena');
  const view = new ArenaView(game, canvas, SCALE);
  const controls = new Controls(game, canvas, SCALE);
  const overlay = new NetOverlay(game, $('net'), $<HTMLCanvasElement>('graph'), $('scores'));
  if (params.has('bot')) new Bot(game, { seed: Math.floor(Math.random() * 1e9) });

  const frame = () => {
    if (!game.session.connected) return;
    game.replication.render();
    view.draw();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const probes = setInterval(() => game.probe(), 200);
  const refresh = setInterval(() => {
    overlay.refresh();
    $('role').textContent = role();
  }, 500);
  game.session.events.on('disconnected', ({ reason }) => {
    clearInterval(probes);
    clearInterval(refresh);
    controls.dispose();
    $('role').textContent = `disconnected: ${reason}`;
  });
  window.addEventListener('pagehide', () => void game.close());

  window.meshplayArena = {
    game,
    code,
    snapshot: () => ({
      self: game.session.id,
      host: game.session.isHost,
      players: game
        .players()
        .map((p) => ({ owner: p.owner ?? '', name: p.name, ...game.position(p), score: game.scoreOf(p) })),
    }),
  };
}
