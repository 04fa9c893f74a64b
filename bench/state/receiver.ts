// A meshplay receiver in the state benchmark: its stream on the host, its inbox and mirror
// histories, and the lossy delay lines between them.
import { BitReader, BitWriter } from '../../packages/core/src/replication/bits.ts';
import { Received } from '../../packages/core/src/replication/history.ts';
import type { ClassLayout } from '../../packages/core/src/replication/layout.ts';
import type { SendTable } from '../../packages/core/src/replication/send-table.ts';
import { READY } from '../../packages/core/src/replication/slots.ts';
import type { RemoteRef } from '../../packages/core/src/replication/state-decoder.ts';
import { StateDecoder } from '../../packages/core/src/replication/state-decoder.ts';
import { readAck, StateInbox } from '../../packages/core/src/replication/state-inbox.ts';
import { StateStream } from '../../packages/core/src/replication/state-stream.ts';
import type { Tracked } from '../../packages/core/src/replication/tracked.ts';
import { Rng } from '../../packages/core/src/sim/rng.ts';
import { SEED } from './scenario.ts';

/** meshplay's frame around a plugin body (kind + length). */
export const FRAME_BYTES = 3;
/** Reads datagram headers for receivers that only ack. */
const HEADERS = new StateDecoder();

/** A delay line with loss, on the tick clock. */
class Pipe {
  readonly #queue: { at: number; data: Uint8Array }[] = [];
  constructor(
    readonly rng: Rng,
    readonly loss: number,
    readonly delayMs: number,
  ) {}
  send(now: number, data: Uint8Array): void {
    if (this.loss > 0 && this.rng.chance(this.loss)) return;
    this.#queue.push({ at: now + this.delayMs, data });
  }
  take(now: number): Uint8Array[] {
    let n = 0;
    while (n < this.#queue.length && this.#queue[n]!.at <= now) n++;
    return this.#queue.splice(0, n).map((item) => item.data);
  }
}

/** A send buffer: datagrams copied in one after another, taken out as copies. */
class Outbox {
  #bytes = new Uint8Array(64 * 1024);
  #used = 0;
  readonly #ends: number[] = [];

  add(datagrams: readonly Uint8Array[]): void {
    for (const datagram of datagrams) {
      this.#bytes.set(datagram, this.#used);
      this.#used += datagram.length;
      this.#ends.push(this.#used);
    }
  }

  take(): Uint8Array[] {
    let from = 0;
    const out = this.#ends.map((end) => {
      const datagram = this.#bytes.slice(from, end);
      from = end;
      return datagram;
    });
    this.#used = 0;
    this.#ends.length = 0;
    return out;
  }
}

/** One receiver: its stream on the host, its inbox and mirror histories, and the two pipes. */
export class Receiver {
  readonly stream: StateStream;
  readonly inbox = new StateInbox();
  readonly refs = new Map<number, RemoteRef>();
  readonly forward: Pipe;
  readonly back: Pipe;
  readonly ackWriter = new BitWriter(64);
  readonly outbox = new Outbox();
  ackBytes = 0;

  constructor(
    index: number,
    layout: ClassLayout,
    table: SendTable,
    tracked: readonly Tracked[],
    loss: number,
    delayMs: number,
  ) {
    this.stream = new StateStream(table);
    const rng = new Rng(`${SEED}:${index}`);
    this.forward = new Pipe(rng.fork('forward'), loss, delayMs);
    this.back = new Pipe(rng.fork('back'), loss, delayMs);
    for (const tr of tracked) {
      // The spawn (reliable, not counted) gave the receiver the initial state, filed under tick 0.
      this.stream.slots.open(tr.row, tr.latest, 0);
      this.stream.slots.state[tr.row] = READY;
      const history = new Received(layout);
      const at = history.reserve(0);
      history.ints.set(table.ints.subarray(tr.newest(), tr.newest() + 3), at);
      this.refs.set(tr.id, { id: tr.id, layout, typeIndex: 0, history });
    }
  }

  /**
   * Delivers what is due to the receiver, which acks it. `decode`: false keeps only what the ack
   * needs (which packets arrived), so that the CPU runs time the host without the receivers'
   * decoding in the same process thrashing its caches between ticks (Colyseus runs no decoder).
   */
  deliver(now: number, layout: ClassLayout, decode: boolean): void {
    for (const data of this.forward.take(now)) {
      if (!decode) {
        this.inbox.window.receive(HEADERS.header(data).seq);
        continue;
      }
      this.inbox.receive(data, {
        lookup: (id) => this.refs.get(id),
        layoutOf: () => layout,
        commit: () => {},
        resync: () => {
          throw new Error('the benchmark never loses a baseline');
        },
      });
    }
    if (this.inbox.ackDue) {
      this.ackWriter.reset();
      this.inbox.writeAck(this.ackWriter);
      const ack = this.ackWriter.finish();
      this.ackBytes += ack.length + FRAME_BYTES;
      this.back.send(now, ack);
    }
  }

  /** Host side: applies the acks that are due. */
  acks(now: number): void {
    for (const data of this.back.take(now)) readAck(new BitReader(data), this.stream, now);
  }

  /** Whether the receiver's newest state of every object equals the host's (for the self-check). */
  matches(tracked: readonly Tracked[]): boolean {
    return tracked.every((tr) => {
      const h = this.refs.get(tr.id)!.history;
      const at = h.find(h.newest);
      const cur = tr.newest();
      return [0, 1, 2].every((s) => h.ints[at + s] === tr.table.ints[cur + s]);
    });
  }
}
