// Shared set-up for the transport's tests: real node-datachannel links on 127.0.0.1, found
// through the in-memory signaling hub.
import { type PeerId, Session, type SessionOptions } from '@meshplay/core';
import { MemorySignalingHub, type SignalingAdapter, type SignalingRoom } from '@meshplay/signaling';
import { WebRtcTransport, type WebRtcTransportOptions } from '../src/index.js';

/** Options every test transport uses: loopback only, short timeouts. */
export const LOOPBACK = { bindAddress: '127.0.0.1', connectTimeoutMs: 10_000 } as const;

/** Polls `predicate` until true; rejects naming `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Transports to close in `afterAll`/`afterEach`. */
export class Pool {
  readonly #transports: WebRtcTransport[] = [];
  readonly hub = new MemorySignalingHub();

  readonly #rooms = new Map<WebRtcTransport, SignalingRoom>();

  /** Joins one more transport to `room`. */
  async join(room: string, options: Partial<WebRtcTransportOptions> = {}): Promise<WebRtcTransport> {
    let joined: SignalingRoom | undefined;
    const adapter: SignalingAdapter = {
      join: async (name, o) => (joined = await this.hub.adapter().join(name, o)),
    };
    const transport = await WebRtcTransport.join(adapter, room, {
      topology: 'mesh',
      ...LOOPBACK,
      ...options,
    });
    this.#transports.push(transport);
    this.#rooms.set(transport, joined as SignalingRoom);
    if (process.env.WEBRTC_DEBUG) debug(transport);
    return transport;
  }

  /** The signaling room `transport` joined through: lets a test speak as that peer. */
  signalingOf(transport: WebRtcTransport): SignalingRoom {
    const room = this.#rooms.get(transport);
    if (!room) throw new Error('not a transport of this pool');
    return room;
  }

  /** `n` transports in one room, every link open (mesh: all pairs; star: every client to the host). */
  async group(
    room: string,
    n: number,
    options: Partial<WebRtcTransportOptions> = {},
  ): Promise<WebRtcTransport[]> {
    const group: WebRtcTransport[] = [];
    for (let i = 0; i < n; i++) group.push(await this.join(room, options));
    const star = options.topology === 'star';
    await waitFor(
      () => group.every((t, i) => t.peers().length === (star ? (i === 0 ? n - 1 : 1) : n - 1)),
      20_000,
      `${n} transports to link up`,
    );
    return group;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#transports.splice(0).map((t) => t.close()));
  }
}

/** Records every datagram `transport` receives, by sender and channel. */
export function inbox(transport: WebRtcTransport): (from: PeerId, channel: number) => Uint8Array[] {
  const got = new Map<string, Uint8Array[]>();
  transport.events.on('message', ({ peer, channel, data }) => {
    const key = `${peer}/${channel}`;
    let list = got.get(key);
    if (!list) got.set(key, (list = []));
    list.push(data.slice());
  });
  return (from, channel) => got.get(`${from}/${channel}`) ?? [];
}

/** A datagram carrying `seq` as a u32 followed by `size - 4` filler bytes. */
export function numbered(seq: number, size = 8): Uint8Array {
  const data = new Uint8Array(Math.max(4, size));
  new DataView(data.buffer).setUint32(0, seq, true);
  return data;
}

/** Reads the sequence number of a {@link numbered} datagram. */
export function seqOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
}

/** Options of {@link sessions}. */
export interface SessionsOptions extends Partial<Omit<SessionOptions, 'transport' | 'role'>> {
  /** Called for each session right after it is made (register services here); index 0 is the host. */
  setup?: (session: Session, index: number) => void;
  /** Transport options on top of the pool's loopback defaults. */
  transport?: Partial<WebRtcTransportOptions>;
}

/**
 * `n` core Sessions over WebRTC transports in one room: the first to join is the signaling host
 * and so the session host; star (`topology: 'host'`) or mesh. Resolves once every session is
 * connected and knows the other n - 1.
 */
export async function sessions(
  pool: Pool,
  room: string,
  n: number,
  options: SessionsOptions = {},
): Promise<Session[]> {
  const { setup, transport: transportOptions, ...sessionOptions } = options;
  const topology = sessionOptions.topology ?? 'host';
  const list: Session[] = [];
  for (let i = 0; i < n; i++) {
    const transport = await pool.join(room, {
      topology: topology === 'mesh' ? 'mesh' : 'star',
      ...transportOptions,
    });
    const session = new Session({ ...sessionOptions, transport, role: transport.isHost ? 'host' : 'client' });
    setup?.(session, i);
    list.push(session);
  }
  // Mesh members may know each other (through the host) before their own link is up: wait for both.
  const linked = (s: Session) => topology !== 'mesh' || s.transport.peers().length === n - 1;
  await waitFor(
    () => list.every((s) => s.connected && s.peers().length === n - 1 && linked(s)),
    30_000,
    `${n} sessions to connect`,
  );
  return list;
}

/** Logs everything a transport reports (set WEBRTC_DEBUG=1 to investigate a failure). */
export function debug(transport: WebRtcTransport): void {
  const id = transport.localId.slice(0, 4);
  const t0 = performance.now();
  const log = (type: string, event: object) =>
    console.log(
      `[${(performance.now() - t0).toFixed(0)}ms ${id}] ${type}`,
      JSON.stringify(event, (k, v) => (k === 'error' ? String(v) : v)),
    );
  transport.events.on('*', (type, event) => type !== 'message' && log(String(type), event as object));
  transport.webrtcEvents.on('*', (type, event) => log(String(type), event as object));
}
