// A UDP relay on 127.0.0.1 between two peers that can lose, delay and so reorder packets, spliced
// in by rewriting the ICE candidates that pass through signaling. Loopback never loses or
// reorders by itself, and channel semantics only show under loss.

import { createSocket, type Socket } from 'node:dgram';
import { Rng } from '@meshplay/core';
import type { SignalingAdapter, SignalingRoom } from '@meshplay/signaling';

interface Side {
  /** The socket standing in for this peer: the other peer sends to it, thinking it is this one. */
  readonly standIn: Socket;
  /** The socket packets reach this peer from (the stand-in for the other peer). */
  readonly replyFrom: Socket;
  /** The peer's real port, learned from its candidate. */
  port: number | undefined;
  /** A packet waiting to be overtaken. */
  held?: { packet: Buffer; timer: ReturnType<typeof setTimeout> };
}

/** Relays one pair of peers; `loss` and `reorder` apply to packets in both directions. */
export class LossyRelay {
  /** Probability that a packet is dropped. */
  loss = 0;
  /** Probability that a packet is swapped with the next one towards the same peer. */
  reorder = 0;
  /** Longest a packet waits for a successor to swap with. */
  maxHoldMs = 20;
  /** Packets dropped so far. */
  dropped = 0;
  /** Packets swapped with their successor so far. */
  swapped = 0;
  readonly #sides = new Map<string, Side>();
  readonly #sockets: Socket[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #random: Rng;
  #closed = false;

  private constructor(seed: number) {
    this.#random = new Rng(seed);
  }

  /** A relay with two sockets bound on 127.0.0.1. */
  static async create(seed = 1): Promise<LossyRelay> {
    const relay = new LossyRelay(seed);
    for (let i = 0; i < 2; i++) {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      relay.#sockets.push(socket);
    }
    return relay;
  }

  /** Wraps `adapter` so the candidates its peers send point at this relay. At most two peers. */
  wrap(adapter: SignalingAdapter): SignalingAdapter {
    return {
      join: async (room, options) => {
        const joined = await adapter.join(room, options);
        const side = this.#side(joined.selfId);
        return new Proxy(joined, {
          get: (target, key, receiver) => {
            if (key !== 'send') return Reflect.get(target, key, receiver);
            return (to: string, payload: unknown) => target.send(to, this.#rewrite(side, payload));
          },
        }) as SignalingRoom;
      },
    };
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const socket of this.#sockets) socket.close();
  }

  #side(peer: string): Side {
    const index = this.#sides.size;
    if (index >= 2) throw new Error('a LossyRelay relays exactly two peers');
    const side: Side = {
      standIn: this.#sockets[index] as Socket,
      replyFrom: this.#sockets[1 - index] as Socket,
      port: undefined,
    };
    this.#sides.set(peer, side);
    // What reaches a peer's stand-in came from the other peer and is meant for this one.
    side.standIn.on('message', (packet) => this.#forward(packet, side));
    return side;
  }

  /** Rewrites a candidate sent by `side`'s peer so the other peer reaches it through the relay. */
  #rewrite(side: Side, payload: unknown): unknown {
    const message = payload as { t?: string; candidate?: string };
    if (message.t !== 'ice' || typeof message.candidate !== 'string') return payload;
    const fields = message.candidate.split(' ');
    side.port = Number(fields[5]);
    fields[5] = String(side.standIn.address().port);
    return { ...message, candidate: fields.join(' ') };
  }

  #forward(packet: Buffer, to: Side): void {
    const port = to.port;
    if (port === undefined) return;
    if (this.#random.next() < this.loss) {
      this.dropped++;
      return;
    }
    const send = (bytes: Buffer) => {
      if (!this.#closed) to.replyFrom.send(bytes, port, '127.0.0.1');
    };
    // Reordering swaps a packet with the next one towards the same peer, so it arrives one
    // packet late: SCTP delivers it (a packet held much longer would be given up as lost first).
    const held = to.held;
    if (held) {
      to.held = undefined;
      clearTimeout(held.timer);
      this.#timers.delete(held.timer);
      send(packet);
      send(held.packet);
      this.swapped++;
      return;
    }
    if (this.#random.next() < this.reorder) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (to.held?.timer === timer) to.held = undefined;
        send(packet);
      }, this.maxHoldMs);
      this.#timers.add(timer);
      to.held = { packet, timer };
      return;
    }
    send(packet);
  }
}
