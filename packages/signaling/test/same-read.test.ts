// Regression: ws delivers every frame of one TCP read synchronously. A host that answers a newcomer
// at once (an offer on `peer-joined`) can land its payload in the same read as the newcomer's join
// answer; that payload must still reach the newcomer's listeners, attached after `join()` resolves.
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import { WebSocketSignaling } from '../src/websocket.js';
import { nextSignal } from './helpers.js';

const HOST = 'HhHhHhHhHhHhHhHhHhHh1';
const SELF = 'SsSsSsSsSsSsSsSsSsSs2';

describe('payloads that share a read with the join answer', () => {
  // A stand-in server that writes the join answer and a signal in one TCP write.
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; rid?: number; room?: string };
      if (message.type !== 'join') return;
      const joined = {
        type: 'joined',
        rid: message.rid,
        v: PROTOCOL_VERSION,
        room: message.room,
        code: 'ABC123',
        public: true,
        maxPeers: 8,
        self: SELF,
        host: HOST,
        peers: [HOST],
        sealed: false,
        resumed: false,
        restoring: false,
        resume: 'token',
        pingMs: 60_000,
      };
      const tcp = (socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      socket.send(JSON.stringify(joined));
      socket.send(JSON.stringify({ type: 'signal', from: HOST, payload: { offer: 'sdp' } }));
      tcp.uncork();
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reach listeners attached right after join() resolves', async () => {
    const { port } = server.address() as AddressInfo;
    const room = await new WebSocketSignaling({
      url: `ws://127.0.0.1:${port}`,
      WebSocket: WebSocket as never,
    }).join('same-read');
    expect(await nextSignal(room, HOST, 2000)).toEqual({ offer: 'sdp' });
    await room.leave();
  });
});
