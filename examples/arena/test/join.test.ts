import { SignalingServer } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { joinArena } from '../src/net/join.js';

describe('joining an arena by lobby code', () => {
  let server: SignalingServer;
  const signaling = () =>
    new WebSocketSignaling({ url: `ws://127.0.0.1:${server.port}`, WebSocket: WebSocket as never });

  beforeAll(async () => {
    server = await SignalingServer.start({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives the creator the lobby code and the host role; a joiner gets a player of its own', async () => {
    const host = await joinArena({ signaling: signaling(), name: 'h', bindAddress: '127.0.0.1' });
    const guest = await joinArena({
      signaling: signaling(),
      name: 'g',
      code: host.code,
      bindAddress: '127.0.0.1',
    });
    try {
      expect(host.code).toMatch(/^[A-Z0-9]{4,}$/);
      expect(guest.code).toBe(host.code);
      expect(host.game.session.isHost).toBe(true);
      expect(guest.game.session.isHost).toBe(false);
      expect(guest.game.me?.name).toBe('g');
      expect(guest.game.me?.owner).toBe(guest.game.session.id);
    } finally {
      await guest.game.close();
      await host.game.close();
    }
  }, 30_000);

  it('refuses to join a lobby of the other topology, and names that are not 1–24 characters', async () => {
    const host = await joinArena({
      signaling: signaling(),
      name: 'h',
      topology: 'mesh',
      bindAddress: '127.0.0.1',
    });
    try {
      await expect(
        joinArena({
          signaling: signaling(),
          name: 'g',
          code: host.code,
          topology: 'host',
          bindAddress: '127.0.0.1',
        }),
      ).rejects.toMatchObject({ code: 'E_TOPOLOGY' });
      await expect(
        joinArena({ signaling: signaling(), name: 'x'.repeat(25), code: host.code, topology: 'mesh' }),
      ).rejects.toMatchObject({ code: 'E_BAD_NAME' });
    } finally {
      await host.game.close();
    }
  }, 30_000);
});
