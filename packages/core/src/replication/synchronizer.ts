import { BadPacketError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { BitReader } from './bits.js';
import type { Entry, LinkRef, PeerLink } from './entry.js';
import { ReplicationError } from './errors.js';
import { Received } from './history.js';
import { Blend, RenderDelay, SnapshotBuffer } from './interpolation.js';
import { Op, RepKind } from './messages.js';
import { CORE, touch } from './network-object.js';
import type { RenderStats } from './options.js';
import { InputBuffer, InputQueue } from './prediction.js';
import type { Replication } from './replication.js';
import { StateDecoder } from './state-decoder.js';
import { readAck, StateInbox } from './state-inbox.js';
import { StateStream } from './state-stream.js';

/** Inputs an owner repeats per message (all unacknowledged ones, up to this many). */
const MAX_INPUTS = 32;
/** Ticks the host keeps repeating a predicted object's authoritative state after it last changed. */
const AUTH_REPEAT_TICKS = 30;

const INPUT_OP = 0;
const AUTH_OP = 1;

/**
 * Moves state every tick: captures what this peer sends, writes state datagrams and acks, applies
 * what arrives (deltas into histories, values into objects, snapshots into interpolation buffers),
 * runs prediction on both ends, and keeps a client's clock on the host's.
 */
export class Synchronizer {
  readonly #decoder = new StateDecoder();
  readonly #scratch = new Float64Array(32);

  constructor(private readonly rep: Replication) {}

  createLink(peer: PeerId): PeerLink {
    return {
      peer,
      stream: new StateStream(this.rep.spawner.table),
      inbox: new StateInbox(this.#decoder),
      refs: new Map(),
      tombstones: 0,
      types: [],
      controlSent: 0,
      controlReceived: 0,
      controlAcked: 0,
      controlReported: 0,
      waiting: [],
      deferred: [],
      delay: new RenderDelay(this.rep.options.renderMargin),
      newestTick: -1,
      greeted: false,
    };
  }

  sendTypes(link: PeerLink): void {
    this.rep.types.write(this.rep.control.begin(Op.Types));
    this.rep.control.send(link);
  }

  /** Sets up what an entry needs on this peer: interpolation buffers, prediction queues. */
  prepare(entry: Entry): void {
    const { info } = entry;
    if (info.interpolated.length > 0) {
      entry.snapshots = new SnapshotBuffer(info.interpolated.length, info.angles);
      const values = entry.object[CORE].values;
      for (const f of info.interpolated) entry.smoothed[f.name] = values[f.index] as number;
    }
    if (info.predict) {
      const self = this.rep.session.id;
      if (entry.owner === self && !this.rep.session.isHost) entry.inputs = new InputBuffer();
      if (this.rep.session.isHost) entry.queue = new InputQueue();
    }
  }

  /** Files the interpolated fields of a received state as a snapshot. */
  snapshot(entry: Entry, history: Received, at: number, tick: number): void {
    const buffer = entry.snapshots;
    if (!buffer) return;
    const { info } = entry;
    const out = this.#scratch;
    const layout = info.layout;
    info.interpolated.forEach((f, i) => {
      const slot = f.slot;
      const int = layout.ints[slot];
      out[i] = int ? int.fromInt(history.ints[at + slot]!) : (history.refs![at + slot] as number);
    });
    buffer.push(tick, out.subarray(0, info.interpolated.length));
  }

  // ---- per tick ----

  beforeTick(tick: number): void {
    const rep = this.rep;
    rep.spawner.expire(tick);
    if (!rep.session.isHost) return;
    // The host applies owners' inputs, in order, at the tick boundary.
    for (const entry of rep.entries.values()) {
      if (!entry.queue || entry.dead) continue;
      const predict = entry.info.predict!;
      for (const [, input] of entry.queue.take(Number.POSITIVE_INFINITY))
        predict.apply(entry.object, input, rep.loop.dt);
    }
  }

  afterTick(tick: number): void {
    const rep = this.rep;
    const now = rep.scheduler.now();
    for (const link of rep.links.values()) {
      if (!link.greeted && rep.io.isLinked(link.peer)) rep.spawner.greet(link);
    }
    rep.spawner.table.capture();
    rep.spawner.refreshVisibility();
    rep.spawner.sendUpdates();
    for (const link of rep.links.values()) {
      if (!link.greeted) continue;
      for (const datagram of rep.encoder.build(link.stream, tick, now)) {
        rep.send(link.peer, RepKind.State, datagram);
      }
      if (link.inbox.ackDue || link.controlReceived !== link.controlReported) this.#sendAck(link);
    }
    this.#sendInputs(tick);
    this.rep.clockProbe.probe(now);
  }

  // ---- state ----

  receiveState(link: PeerLink, body: Uint8Array): void {
    const rep = this.rep;
    let foreign: LinkRef | undefined;
    const header = link.inbox.receive(body, {
      lookup: (id) => {
        const ref = link.refs.get(id);
        if (ref) return ref;
        // An object that exists but whose state this peer may not send: decode it, apply nothing.
        const entry = rep.entries.get(id);
        if (!entry) return undefined;
        foreign = this.#foreignRef(link, entry);
        return foreign;
      },
      layoutOf: (type) => {
        const info = link.types[type];
        return info && info !== 'mismatch' ? info.layout : undefined;
      },
      commit: (ref, at, tick, newest) => {
        const r = ref as LinkRef;
        if (r.expires !== Number.POSITIVE_INFINITY || r.entry.dead) return;
        if (newest) this.#apply(r.entry, r.history, at);
        this.snapshot(r.entry, r.history, at, tick);
      },
      resync: () => {},
    });
    if (foreign) {
      const entry = (foreign as LinkRef).entry;
      rep.refuse(
        new ReplicationError(
          'E_UNAUTHORIZED_WRITE',
          `${link.peer} sent state for object ${entry.id}, which it does not own`,
        ),
        link.peer,
        entry.object,
      );
    }
    if (!header) return;
    link.delay.observe(header.tick, rep.hostTick);
    if (header.tick > link.newestTick) {
      link.newestTick = header.tick;
      rep.events.emit('synchronized', { from: link.peer, tick: header.tick });
    }
  }

  #foreignRef(link: PeerLink, entry: Entry): LinkRef {
    return {
      id: entry.id,
      layout: entry.info.layout,
      typeIndex: link.types.indexOf(entry.info),
      history: new Received(entry.info.layout),
      entry,
      expires: 0,
    };
  }

  #apply(entry: Entry, history: Received, at: number): void {
    const { layout } = entry.info;
    const core = entry.object[CORE];
    const values = core.values;
    for (let s = 0; s < layout.count; s++) {
      const int = layout.ints[s];
      values[layout.fieldIndex[s]!] = int ? int.fromInt(history.ints[at + s]!) : history.refs![at + s];
    }
    // A star host passes it on.
    if (entry.tracked) touch(core);
  }

  receiveAck(link: PeerLink, r: BitReader): void {
    const rep = this.rep;
    // Round trips are measured to the ack's arrival, not to when a polling inbox applied it.
    const resync = readAck(r, link.stream, rep.io.receivedAt());
    const confirmed = r.readVarint();
    if (confirmed > link.controlSent) throw new BadPacketError('ack confirms control messages never sent');
    for (const id of resync) {
      const tracked = rep.entries.get(id)?.tracked;
      if (tracked) link.stream.own().forget(tracked.row);
    }
    rep.control.confirmed(link, confirmed);
  }

  #sendAck(link: PeerLink): void {
    const w = this.rep.writer;
    w.reset();
    link.inbox.writeAck(w);
    w.writeVarint(link.controlReceived);
    link.controlReported = link.controlReceived;
    this.rep.send(link.peer, RepKind.Ack, w.finish());
  }

  // ---- prediction ----

  input(entry: Entry, input: unknown): void {
    const rep = this.rep;
    const predict = entry.info.predict;
    if (!predict)
      throw new ReplicationError('E_REFUSED', `${entry.info.name} is not registered with prediction`);
    if (entry.owner !== rep.session.id)
      throw new ReplicationError('E_UNAUTHORIZED_WRITE', 'only the owner gives inputs');
    const value = predict.codec.normalize(input);
    entry.inputs?.push(rep.tick, value);
    predict.apply(entry.object, value, rep.loop.dt);
  }

  #sendInputs(tick: number): void {
    const rep = this.rep;
    const session = rep.session;
    const w = rep.writer;
    for (const entry of rep.entries.values()) {
      if (entry.dead || !entry.info.predict) continue;
      if (entry.inputs && entry.inputs.size > 0) {
        // Owner → host: every unacknowledged input, each time.
        const pending = [...entry.inputs.after(-1)].slice(-MAX_INPUTS);
        w.reset();
        w.writeBits(INPUT_OP, 8);
        w.writeVarint(entry.id);
        w.writeVarint(pending.length);
        let last = 0;
        for (const [t, input] of pending) {
          w.writeVarint(t - last);
          last = t;
          entry.info.predict.codec.write(w, input);
        }
        rep.send(session.hostId!, RepKind.Input, w.finish());
      } else if (session.isHost && entry.owner !== session.id && entry.tracked && entry.queue) {
        // Host → owner: the authoritative state and the newest input it includes.
        const tracked = entry.tracked;
        if (tracked.latest !== entry.authVid || entry.queue.lastApplied !== entry.authInput) {
          entry.authVid = tracked.latest;
          entry.authInput = entry.queue.lastApplied;
          entry.authChanged = tick;
        } else if (tick - entry.authChanged > AUTH_REPEAT_TICKS) continue;
        const link = rep.links.get(entry.owner);
        if (!link) continue;
        const at = tracked.newest();
        const { table } = tracked;
        const { layout } = entry.info;
        w.reset();
        w.writeBits(AUTH_OP, 8);
        w.writeVarint(entry.id);
        w.writeVarint(tick);
        w.writeVarint(entry.queue.lastApplied + 1);
        for (let s = 0; s < layout.count; s++) {
          const int = layout.ints[s];
          if (int) int.writeInt(w, table.ints[at + s]!);
          else layout.codecs[s]!.write(w, table.refs![at + s]);
        }
        rep.send(link.peer, RepKind.Input, w.finish());
      }
    }
  }

  receiveInput(link: PeerLink, r: BitReader): void {
    const rep = this.rep;
    const op = r.readBits(8);
    const entry = rep.entries.get(r.readVarint());
    if (!entry || entry.dead || !entry.info.predict) return;
    const predict = entry.info.predict;
    if (op === INPUT_OP) {
      if (!entry.queue || entry.owner !== link.peer) {
        return rep.refuse(
          new ReplicationError(
            'E_UNAUTHORIZED_WRITE',
            `${link.peer} sent inputs for an object it does not own`,
          ),
          link.peer,
          entry.object,
        );
      }
      const count = r.readVarint();
      if (count > MAX_INPUTS) throw new BadPacketError('too many inputs');
      let tick = 0;
      for (let i = 0; i < count; i++) {
        tick += r.readVarint();
        entry.queue.offer(tick, predict.codec.read(r));
      }
      return;
    }
    if (op !== AUTH_OP) throw new BadPacketError(`unknown input op ${op}`);
    if (link.peer !== rep.session.hostId)
      throw new BadPacketError('authoritative state from a peer that is not the host');
    const tick = r.readVarint();
    const applied = r.readVarint() - 1;
    const { layout } = entry.info;
    const state: unknown[] = [];
    for (let s = 0; s < layout.count; s++) {
      const int = layout.ints[s];
      state.push(int ? int.fromInt(int.readInt(r)) : layout.codecs[s]!.read(r));
    }
    if (tick <= entry.authTick || !entry.inputs) return;
    entry.authTick = tick;
    // Reconcile: take the host's state, then replay the inputs it has not applied yet.
    entry.inputs.acknowledge(applied);
    const values = entry.object[CORE].values;
    for (let s = 0; s < layout.count; s++) values[layout.fieldIndex[s]!] = state[s];
    for (const [, input] of entry.inputs.after(applied)) predict.apply(entry.object, input, rep.loop.dt);
  }

  // ---- rendering ----

  render(): RenderStats {
    const rep = this.rep;
    const stats: RenderStats = { interpolated: 0, extrapolated: 0, held: 0, empty: 0 };
    const hostTick = rep.hostTick;
    const out = this.#scratch;
    for (const entry of rep.entries.values()) {
      if (entry.dead || !entry.snapshots) continue;
      const fields = entry.info.interpolated;
      const link = entry.source !== undefined ? rep.links.get(entry.source) : undefined;
      if (!link || entry.object[CORE].writable) {
        const values = entry.object[CORE].values;
        for (const f of fields) entry.smoothed[f.name] = values[f.index] as number;
        continue;
      }
      const at = hostTick - link.delay.ticks;
      const kind = entry.snapshots.sample(at, out, rep.options.maxExtrapolateTicks, link.newestTick);
      if (kind === Blend.Empty) {
        stats.empty++;
        continue;
      }
      if (kind === Blend.Interpolated) stats.interpolated++;
      else if (kind === Blend.Extrapolated) stats.extrapolated++;
      else stats.held++;
      fields.forEach((f, i) => {
        entry.smoothed[f.name] = out[i]!;
      });
    }
    return stats;
  }
}
