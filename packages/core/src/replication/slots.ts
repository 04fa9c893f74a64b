/** The receiver does not have the object (not spawned there, or despawned). */
export const ABSENT = 0;
/** The receiver has the object but gets no state for it (yet): its spawn is unconfirmed, or it is the source. */
export const HELD = 1;
/** State may flow. */
export const READY = 2;

/**
 * What a sender knows about each of its objects as one receiver sees it, by {@link SendTable} row:
 * whether the receiver has it, the newest version it acknowledged (and the key it filed it under),
 * the version in flight, and the priority accumulated while the object waits for bandwidth.
 */
export class Slots {
  state = new Uint8Array(0);
  /** Control message number whose confirmation makes a HELD row READY (0: none). */
  readyAt = new Int32Array(0);
  /** Newest version acknowledged (-1: none, send whole) and the tick the receiver filed it under. */
  ackedVid = new Int32Array(0);
  ackedKey = new Int32Array(0);
  /** Version sent in a packet neither acknowledged nor lost yet (-1: none). */
  inflightVid = new Int32Array(0);
  /** Priority accumulated while an object waits for bandwidth (only once the budget was short). */
  accum = new Float64Array(0);
  /** Whether any object ever waited for bandwidth here (until then, `accum` is all zeros). */
  waited = false;

  /** Makes room for `capacity` rows. */
  grow(capacity: number): void {
    if (capacity <= this.state.length) return;
    const old = this.state.length;
    const grow32 = (a: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(a);
      return next;
    };
    const state = new Uint8Array(capacity);
    state.set(this.state);
    this.state = state;
    this.readyAt = grow32(this.readyAt);
    this.ackedVid = grow32(this.ackedVid);
    this.ackedKey = grow32(this.ackedKey);
    this.inflightVid = grow32(this.inflightVid);
    const accum = new Float64Array(capacity);
    accum.set(this.accum);
    this.accum = accum;
    for (let row = old; row < capacity; row++) this.reset(row);
  }

  /** Forgets a row (the receiver does not have it). */
  reset(row: number): void {
    this.state[row] = ABSENT;
    this.readyAt[row] = 0;
    this.ackedVid[row] = -1;
    this.ackedKey[row] = -1;
    this.inflightVid[row] = -1;
    this.accum[row] = 0;
  }

  /** The receiver has the object, with version `vid` filed under `key` (-1: nothing yet). */
  open(row: number, vid: number, key: number): void {
    this.reset(row);
    this.state[row] = HELD;
    this.ackedVid[row] = vid;
    this.ackedKey[row] = key;
  }

  /** Whether the receiver has the object. */
  has(row: number): boolean {
    return this.state[row] !== ABSENT;
  }

  /** A copy (a receiver leaving its cohort takes one). */
  clone(): Slots {
    const copy = new Slots();
    copy.state = this.state.slice();
    copy.readyAt = this.readyAt.slice();
    copy.ackedVid = this.ackedVid.slice();
    copy.ackedKey = this.ackedKey.slice();
    copy.inflightVid = this.inflightVid.slice();
    copy.accum = this.accum.slice();
    copy.waited = this.waited;
    return copy;
  }

  /** Whether `other` holds exactly the same (then two receivers may share one). */
  equals(other: Slots): boolean {
    const n = this.state.length;
    if (other.state.length !== n || other.waited !== this.waited) return false;
    let diff = 0;
    for (let row = 0; row < n; row++) {
      diff |=
        (this.state[row]! ^ other.state[row]!) |
        (this.readyAt[row]! ^ other.readyAt[row]!) |
        (this.ackedVid[row]! ^ other.ackedVid[row]!) |
        (this.ackedKey[row]! ^ other.ackedKey[row]!) |
        (this.inflightVid[row]! ^ other.inflightVid[row]!);
      if (this.accum[row] !== other.accum[row]) return false;
    }
    return diff === 0;
  }

  /** Sends the object whole next time (the receiver lost its baseline, or must be told afresh). */
  forget(row: number): void {
    this.ackedVid[row] = -1;
    this.ackedKey[row] = -1;
  }
}
