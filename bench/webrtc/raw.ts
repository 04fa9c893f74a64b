// The raw node-datachannel baselines of the webrtc benchmark: peers that swap SDP and candidates
// by direct calls, keep libdatachannel's defaults and carry nothing of ours.
import { createRequire } from 'node:module';
import { BIND, BURST, MESH, MESSAGES, median, type Rounds, SETUP_RUNS, tick, until } from './common.ts';

// node-datachannel is a dependency of the transport package, not of the repository root.
interface RawChannel {
  sendMessage(message: string): boolean;
  sendMessageBinary(data: Uint8Array): boolean;
  onOpen(cb: () => void): void;
  onClosed(cb: () => void): void;
  onMessage(cb: (message: string | Uint8Array) => void): void;
  close(): void;
}
interface RawPeerConnection {
  onLocalDescription(cb: (sdp: string, type: string) => void): void;
  onLocalCandidate(cb: (candidate: string, mid: string) => void): void;
  onStateChange(cb: (state: string) => void): void;
  setLocalDescription(type?: string): void;
  setRemoteDescription(sdp: string, type: string): void;
  addRemoteCandidate(candidate: string, mid: string): void;
  createDataChannel(label: string, init: Record<string, unknown>): RawChannel;
  close(): void;
}
const require = createRequire(new URL('../../packages/transport-webrtc/package.json', import.meta.url));
const ndc = require('node-datachannel') as {
  PeerConnection: new (name: string, config: Record<string, unknown>) => RawPeerConnection;
};

const CHANNELS = [
  { unordered: false },
  { unordered: false, maxRetransmits: 0 },
  { unordered: true, maxRetransmits: 0 },
];

export interface RawLink {
  readonly pcs: RawPeerConnection[];
  /** Channels of each end, by id. */
  readonly channels: RawChannel[][];
  readonly open: Promise<void>;
}

/** Two raw peer connections with the three negotiated channels, wired directly to each other. */
export function rawLink(): RawLink {
  const config = { iceServers: [], bindAddress: BIND, disableAutoNegotiation: true };
  const pcs = [new ndc.PeerConnection('raw-a', config), new ndc.PeerConnection('raw-b', config)];
  const [a, b] = pcs as [RawPeerConnection, RawPeerConnection];
  for (const [pc, other] of [
    [a, b],
    [b, a],
  ] as const) {
    pc.onStateChange(() => {});
    pc.onLocalDescription((sdp, type) => {
      other.setRemoteDescription(sdp, type);
      if (type === 'offer') other.setLocalDescription('answer');
    });
    pc.onLocalCandidate((candidate, mid) => other.addRemoteCandidate(candidate, mid));
  }
  let opened = 0;
  let resolve!: () => void;
  const open = new Promise<void>((r) => (resolve = r));
  const channels = pcs.map((pc) =>
    CHANNELS.map((init, id) => {
      const dc = pc.createDataChannel(`c${id}`, { negotiated: true, id, ...init });
      dc.onOpen(() => ++opened === 2 * CHANNELS.length && resolve());
      dc.onClosed(() => {});
      dc.onMessage(() => {});
      return dc;
    }),
  );
  a.setLocalDescription('offer');
  return { pcs, channels, open };
}

export function closeRaw(links: RawLink[]): void {
  for (const link of links) for (const pc of link.pcs) pc.close();
}

export async function rawSetupMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SETUP_RUNS; i++) {
    const started = performance.now();
    const link = rawLink();
    await link.open;
    times.push(performance.now() - started);
    closeRaw([link]);
  }
  return median(times);
}

/** Raw ping-pong on a reliable channel: strings (the baseline) or a binary message. */
export async function rawPingPong(binary: boolean): Promise<Rounds> {
  const link = rawLink();
  await link.open;
  const [a, b] = [link.channels[0]![0]!, link.channels[1]![0]!];
  const ping = new Uint8Array(4);
  if (binary) b.onMessage((message) => b.sendMessageBinary(message as Uint8Array));
  else b.onMessage((message) => b.sendMessage(message as string));
  const send = binary ? () => a.sendMessageBinary(ping) : () => a.sendMessage('ping');
  let onPong = () => {};
  a.onMessage(() => onPong());
  return {
    round: (n) =>
      new Promise((resolve) => {
        let left = n;
        const started = performance.now();
        onPong = () => {
          if (--left === 0) resolve(((performance.now() - started) * 1000) / n);
          else send();
        };
        send();
      }),
    close: () => closeRaw([link]),
  };
}

/**
 * The floor: the least an awaited request/response can cost over raw node-datachannel, with binary
 * messages (a 2-byte id and a 1-byte value), a Map of pending resolvers and a promise per request;
 * no framing, routing, encoding or checks. No RPC layer over binary messages can go below it.
 */
export async function rawAwaited(): Promise<Rounds> {
  const link = rawLink();
  await link.open;
  const [a, b] = [link.channels[0]![0]!, link.channels[1]![0]!];
  b.onMessage((message) => {
    const m = message as Uint8Array;
    b.sendMessageBinary(Uint8Array.of(m[0]!, m[1]!, m[2]!));
  });
  const pending = new Map<number, (value: number) => void>();
  a.onMessage((message) => {
    const m = message as Uint8Array;
    const id = m[0]! | (m[1]! << 8);
    const resolve = pending.get(id)!;
    pending.delete(id);
    resolve(m[2]!);
  });
  let next = 0;
  const request = (value: number) =>
    new Promise<number>((resolve) => {
      const id = next++ & 0xffff;
      pending.set(id, resolve);
      a.sendMessageBinary(Uint8Array.of(id & 0xff, id >> 8, value & 0xff));
    });
  return {
    round: async (n) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await request(i);
      return ((performance.now() - started) * 1000) / n;
    },
    close: () => closeRaw([link]),
  };
}

export async function rawMessagesPerS(): Promise<number> {
  const link = rawLink();
  await link.open;
  const [a, b] = [link.channels[0]![0]!, link.channels[1]![0]!];
  let received = 0;
  b.onMessage(() => void received++);
  const message = new Uint8Array(32);
  const started = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BURST) {
    for (let i = 0; i < BURST; i++) a.sendMessageBinary(message);
    await tick();
  }
  await until(() => received === MESSAGES, 60_000, 'raw messages');
  const perS = MESSAGES / ((performance.now() - started) / 1000);
  closeRaw([link]);
  return perS;
}

export async function rawMeshMs(): Promise<number> {
  const started = performance.now();
  const links: RawLink[] = [];
  for (let i = 0; i < MESH; i++) for (let j = i + 1; j < MESH; j++) links.push(rawLink());
  await Promise.all(links.map((link) => link.open));
  const ms = performance.now() - started;
  closeRaw(links);
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the closes finish
  return ms;
}
