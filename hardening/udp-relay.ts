// A UDP relay between two peers that adds delay and jitter, spliced in by rewriting the ICE
// candidates that pass through signaling. This kernel has no `tc netem`, so latency comes from
// here; loss comes from iptables inside the peers' namespaces (see netns.ts), so the relay never
// decides what is lost.
import { createSocket, type Socket } from 'node:dgram';

/** A small seeded PRNG (mulberry32), so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One relayed peer: where it really is and the socket that stands in for it. */
interface Side {
  /** Bound on the address this peer's partner can reach: the partner sends here, thinking it is this peer. */
  readonly standIn: Socket;
  /** The peer's real address (known up front) and port (learned from its candidates). */
  readonly host: string;
  port: number | undefined;
  /** Socket on this peer's own network, the one packets reach it from. */
  readonly near: Socket;
}

/** Options of {@link DelayRelay.create}. */
export interface DelayRelayOptions {
  /** The relay's end of the first peer's link, and that peer's own address. */
  readonly addressA: string;
  readonly peerA: string;
  /** The same for the second peer. */
  readonly addressB: string;
  readonly peerB: string;
  /** One-way delay added to every packet, in ms. */
  readonly delayMs?: number;
  /** Uniform extra delay in [0, jitterMs) per packet (so packets may overtake each other). */
  readonly jitterMs?: number;
  readonly seed?: number;
}

/**
 * Relays exactly two peers. Peer A lives on the network of `addressA`, peer B on `addressB`;
 * each peer's candidates are rewritten so the other reaches it through the relay.
 */
export class DelayRelay {
  delayMs: number;
  jitterMs: number;
  /** Packets forwarded, per direction. */
  readonly forwarded = { toA: 0, toB: 0 };
  readonly #sides: Side[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #random: () => number;
  #closed = false;

  private constructor(options: DelayRelayOptions) {
    this.delayMs = options.delayMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.#random = prng(options.seed ?? 1);
  }

  /** Binds one socket on each address. */
  static async create(options: DelayRelayOptions): Promise<DelayRelay> {
    const relay = new DelayRelay(options);
    const bind = async (address: string) => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      return socket;
    };
    const onA = await bind(options.addressA);
    const onB = await bind(options.addressB);
    // A's stand-in lives on B's network (B sends to it); packets then reach A from `onA`.
    const a: Side = { standIn: onB, near: onA, host: options.peerA, port: undefined };
    const b: Side = { standIn: onA, near: onB, host: options.peerB, port: undefined };
    relay.#sides.push(a, b);
    // What arrives on `onB` came from B and is meant for A, and the other way round.
    onB.on('message', (packet) => relay.#forward(packet, a));
    onA.on('message', (packet) => relay.#forward(packet, b));
    return relay;
  }

  /**
   * Rewrites a signaling payload on its way between the peers: a UDP candidate of either peer is
   * pointed at that peer's stand-in. Anything else passes unchanged (an arrow, to pass as a hook).
   */
  readonly rewrite = <T>(_from: string, payload: T): T => {
    const message = payload as { t?: string; candidate?: string };
    if (message?.t !== 'ice' || typeof message.candidate !== 'string') return payload;
    const fields = message.candidate.split(' ');
    // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    if (fields.length < 8 || fields[2]?.toLowerCase() !== 'udp') return payload;
    const side = this.#sides.find((s) => s.host === fields[4]);
    if (!side) return payload;
    side.port = Number(fields[5]);
    const at = side.standIn.address();
    fields[4] = at.address;
    fields[5] = String(at.port);
    return { ...message, candidate: fields.join(' ') } as T;
  };

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const side of this.#sides) side.near.close();
  }

  #forward(packet: Buffer, to: Side): void {
    const { host, port } = to;
    if (port === undefined || this.#closed) return;
    if (to === this.#sides[0]) this.forwarded.toA++;
    else this.forwarded.toB++;
    const delay = this.delayMs + this.#random() * this.jitterMs;
    const send = () => {
      if (!this.#closed) to.near.send(packet, port, host);
    };
    if (delay <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, delay);
    this.#timers.add(timer);
  }
}
