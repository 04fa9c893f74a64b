import { BitReader, BitWriter } from '../../src/replication/bits.js';
import { Received } from '../../src/replication/history.js';
import { ClassLayout, type NetworkClass } from '../../src/replication/layout.js';
import { CORE, type NetworkObject } from '../../src/replication/network-object.js';
import { SendTable } from '../../src/replication/send-table.js';
import { READY } from '../../src/replication/slots.js';
import type { RemoteRef } from '../../src/replication/state-decoder.js';
import { StateEncoder } from '../../src/replication/state-encoder.js';
import { readAck, StateInbox } from '../../src/replication/state-inbox.js';
import { StateStream } from '../../src/replication/state-stream.js';
import type { Tracked } from '../../src/replication/tracked.js';
import { Rng } from '../../src/sim/rng.js';

/** A one-way lossy, jittery pipe on a tick clock. */
export class Pipe {
  loss = 0;
  latencyMs = 50;
  jitterMs = 0;
  readonly #queue: { at: number; data: Uint8Array }[] = [];
  constructor(readonly rng: Rng) {}
  send(now: number, data: Uint8Array): void {
    if (this.rng.chance(this.loss)) return;
    const jitter = this.jitterMs ? (this.rng.next() * 2 - 1) * this.jitterMs : 0;
    // Datagrams are views valid until the encoder's next build: the network takes a copy.
    this.#queue.push({ at: now + this.latencyMs + jitter, data: data.slice() });
  }
  take(now: number): Uint8Array[] {
    const due = this.#queue.filter((item) => item.at <= now).sort((a, b) => a.at - b.at);
    for (const item of due) this.#queue.splice(this.#queue.indexOf(item), 1);
    return due.map((item) => item.data);
  }
}

/**
 * One sender and one receiver of the state stream, driven tick by tick: the sender captures and
 * builds datagrams, the receiver decodes them and acks back over a second pipe.
 */
export class Loopback<T extends NetworkObject> {
  readonly layout: ClassLayout;
  readonly encoder: StateEncoder;
  readonly table = new SendTable();
  readonly stream = new StateStream(this.table);
  readonly inbox = new StateInbox();
  readonly tracked: Tracked[] = [];
  readonly mirrors = new Map<number, { object: T; ref: RemoteRef }>();
  readonly forward: Pipe;
  readonly back: Pipe;
  tick = 0;
  readonly tickMs: number;
  datagrams: Uint8Array[] = [];
  bytes = 0;
  resyncs = 0;

  constructor(
    readonly type: NetworkClass<T>,
    options: { seed?: number; tickMs?: number; maxBytes?: number; budgetBytes?: number } = {},
  ) {
    this.layout = new ClassLayout(type, type.name);
    this.encoder = new StateEncoder({
      maxBytes: options.maxBytes ?? 1190,
      budgetBytes: options.budgetBytes ?? 1 << 20,
    });
    const rng = new Rng(options.seed ?? 1);
    this.forward = new Pipe(rng.fork('forward'));
    this.back = new Pipe(rng.fork('back'));
    this.tickMs = options.tickMs ?? 1000 / 30;
  }

  get now(): number {
    return this.tick * this.tickMs;
  }

  /** Adds an object on both sides, as if its spawn (with its current state) had been confirmed. */
  add(object: T, id: number): void {
    const t = this.table.add(object, this.layout, id, 0);
    this.stream.slots.open(t.row, t.latest, this.tick);
    this.stream.slots.state[t.row] = READY;
    this.tracked.push(t);
    this.tracked.sort((a, b) => a.id - b.id);
    const mirror = new this.type();
    const history = new Received(this.layout);
    const at = history.reserve(this.tick);
    const from = t.newest();
    for (let s = 0; s < this.layout.count; s++) history.ints[at + s] = this.table.ints[from + s]!;
    if (history.refs)
      for (let s = 0; s < this.layout.count; s++) history.refs[at + s] = this.table.refs![from + s];
    this.#apply(mirror, history, at);
    this.mirrors.set(id, { object: mirror, ref: { id, layout: this.layout, typeIndex: 0, history } });
  }

  /** One tick: deliver what is due, capture, send, ack. */
  step(): void {
    this.tick++;
    const now = this.now;
    for (const data of this.forward.take(now)) {
      this.inbox.receive(data, {
        lookup: (id) => this.mirrors.get(id)?.ref,
        layoutOf: () => this.layout,
        commit: (ref, at, _tick, newest) => {
          if (newest) this.#apply(this.mirrors.get(ref.id)!.object, ref.history, at);
        },
        resync: () => {
          this.resyncs++;
        },
      });
    }
    if (this.inbox.ackDue) {
      const w = new BitWriter();
      this.inbox.writeAck(w);
      this.back.send(now, w.finish());
    }
    for (const data of this.back.take(now)) {
      for (const id of readAck(new BitReader(data), this.stream, now)) {
        const t = this.tracked.find((t) => t.id === id);
        if (t) this.stream.slots.forget(t.row);
      }
    }
    this.table.capture();
    this.datagrams = this.encoder.build(this.stream, this.tick, now);
    for (const d of this.datagrams) {
      this.bytes += d.length;
      this.forward.send(now, d);
    }
  }

  #apply(mirror: T, history: Received, at: number): void {
    const values = mirror[CORE].values;
    for (let s = 0; s < this.layout.count; s++) {
      const int = this.layout.ints[s];
      values[this.layout.fieldIndex[s]!] = int ? int.fromInt(history.ints[at + s]!) : history.refs![at + s];
    }
  }

  /** Whether every mirror holds exactly the sender's newest wire state. */
  converged(): boolean {
    return this.tracked.every((t) => {
      const mirror = this.mirrors.get(t.id)!.object;
      return this.layout.codecs.every((codec, s) => {
        const field = this.layout.fieldIndex[s]!;
        return codec.equals(mirror[CORE].values[field], t.object[CORE].values[field]);
      });
    });
  }
}
