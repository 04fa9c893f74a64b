import type { BitWriter } from './bits.js';
import type { PeerLink } from './entry.js';
import { RepKind } from './messages.js';
import type { Replication } from './replication.js';
import { HELD, READY } from './slots.js';

/**
 * Writes Control messages (reliable, in order with RPCs) and keeps count of them per link: a
 * receiver's ack says how many it got, which is how the sender learns that a spawn arrived and
 * state for the object may flow.
 */
export class ControlChannel {
  constructor(private readonly rep: Replication) {}

  /** Starts a message with operation `op`; write its body into the returned writer, then {@link send}. */
  begin(op: number): BitWriter {
    const w = this.rep.writer;
    w.reset();
    w.writeBits(op, 8);
    return w;
  }

  /** Sends the message being written; returns its number on the link. */
  send(link: PeerLink): number {
    this.rep.send(link.peer, RepKind.Control, this.rep.writer.finish());
    return ++link.controlSent;
  }

  /** State for `row` may flow to `link` once it confirms control message number `index`. */
  await(link: PeerLink, row: number, index: number): void {
    const slots = link.stream.own();
    slots.state[row] = HELD;
    if (link.controlAcked >= index) {
      slots.state[row] = READY;
      slots.readyAt[row] = 0;
      return;
    }
    slots.readyAt[row] = index;
    link.waiting.push(row);
  }

  /** Stops waiting on `row` (it stays as it is). */
  dropWaiting(link: PeerLink, row: number): void {
    link.stream.own().readyAt[row] = 0;
  }

  /** `link` confirmed `count` messages: the rows waiting for them become ready. */
  confirmed(link: PeerLink, count: number): void {
    if (count <= link.controlAcked) return;
    link.controlAcked = count;
    if (link.waiting.length === 0) return;
    const { state, readyAt } = link.stream.own();
    let kept = 0;
    const waiting = link.waiting;
    for (const row of waiting) {
      const at = readyAt[row]!;
      // Rows no longer waiting (dropped, despawned, listed twice) leave the list.
      if (at === 0 || state[row] !== HELD) continue;
      if (at > count) {
        waiting[kept++] = row;
        continue;
      }
      state[row] = READY;
      readyAt[row] = 0;
    }
    waiting.length = kept;
  }
}
