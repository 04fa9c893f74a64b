// Signaling for peers in child processes (possibly in other network namespaces, which cannot
// reach the parent's sockets): the parent owns a MemorySignalingHub and joins rooms on each
// child's behalf; the child sees an ordinary SignalingAdapter over the IPC channel. The parent may
// rewrite what a child sends (the relay points candidates at itself this way).
import type { ChildProcess } from 'node:child_process';
import {
  type JoinOptions,
  type MemorySignalingHub,
  type SignalingAdapter,
  SignalingEventEmitter,
  type SignalingEvents,
  type SignalingRoom,
  type SignalPayload,
} from '@meshplay/signaling';

/** Signaling messages a child sends; anything else on the IPC channel is the test's own. */
type ToParent =
  | { sig: 'join'; room: string; options: JoinOptions | undefined }
  | { sig: 'send'; to: string; payload: SignalPayload }
  | { sig: 'leave' };

type ToChild =
  | { sig: 'joined'; selfId: string; hostId: string; peers: string[] }
  | { sig: 'event'; type: keyof SignalingEvents; event: unknown };

const FORWARDED = ['peer-joined', 'peer-left', 'signal', 'host-changed'] as const;

/** Rewrites a payload `from` sends (identity by default). */
export type Rewrite = (from: string, payload: SignalPayload) => SignalPayload;

/**
 * Parent side: serves one child's signaling from `hub`; resolves with the child's peer id once it
 * joined. The child's room is left when the child exits (as a crashed client's socket would close).
 */
/**
 * Sends to a child over IPC. A child that exits between the `connected` check and the write fails
 * the write with EPIPE, asynchronously: expected when tests kill peers, so it is dropped here
 * instead of surfacing as an uncaught error.
 */
export function toChild<T extends object>(child: ChildProcess, message: T): void {
  if (child.connected) child.send(message, (error) => void error);
}

export function serveSignaling(
  child: ChildProcess,
  hub: MemorySignalingHub,
  rewrite: Rewrite = (_, payload) => payload,
): Promise<string> {
  let room: SignalingRoom | undefined;
  return new Promise((resolve) => {
    child.on('message', async (message: ToParent) => {
      if (typeof message !== 'object' || message === null || !('sig' in message)) return;
      if (message.sig === 'join') {
        const joined = await hub.adapter().join(message.room, message.options);
        room = joined;
        for (const type of FORWARDED) {
          joined.events.on(type, (event) => {
            toChild<ToChild>(child, { sig: 'event', type, event });
          });
        }
        toChild<ToChild>(child, {
          sig: 'joined',
          selfId: joined.selfId,
          hostId: joined.hostId,
          peers: [...joined.peers()],
        });
        resolve(joined.selfId);
      } else if (message.sig === 'send') {
        room?.send(message.to, room ? rewrite(room.selfId, message.payload) : message.payload);
      } else {
        await room?.leave();
      }
    });
    child.on('exit', () => void room?.leave());
  });
}

/** Child side: a SignalingAdapter talking to {@link serveSignaling} in the parent. */
export function ipcSignaling(): SignalingAdapter {
  const send = (message: ToParent) => process.send?.(message);
  return {
    join: (roomName, options) =>
      new Promise((resolve) => {
        const events = new SignalingEventEmitter();
        const peers = new Set<string>();
        let hostId = '';
        let selfId = '';
        const room: SignalingRoom = {
          room: roomName,
          get selfId() {
            return selfId;
          },
          get hostId() {
            return hostId;
          },
          sealed: false,
          events,
          peers: () => [...peers],
          send: (to, payload) => send({ sig: 'send', to, payload }),
          seal: async () => {},
          leave: async () => {
            send({ sig: 'leave' });
          },
        };
        process.on('message', (message: ToChild) => {
          if (typeof message !== 'object' || message === null || !('sig' in message)) return;
          if (message.sig === 'joined') {
            selfId = message.selfId;
            hostId = message.hostId;
            for (const peer of message.peers) peers.add(peer);
            resolve(room);
            return;
          }
          const event = message.event as Record<string, string>;
          if (message.type === 'peer-joined') peers.add(event.peer as string);
          if (message.type === 'peer-left') peers.delete(event.peer as string);
          if (message.type === 'host-changed') hostId = event.host as string;
          events.emit(message.type, message.event as never);
        });
        send({ sig: 'join', room: roomName, options });
      }),
  };
}
