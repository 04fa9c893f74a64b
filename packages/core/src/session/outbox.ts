import { MeshplayError } from '../errors.js';
import type { PeerId } from '../ids.js';
import { isReliable, UNRELIABLE_MTU } from '../transport/channels.js';
import type { Transport } from '../transport/transport.js';
import { ByteWriter } from '../wire/writer.js';

/** Default largest batch on a reliable channel: 16 KiB passes every browser's SCTP stack. */
export const RELIABLE_BATCH_BYTES = 16 * 1024;

/**
 * Batches every message for the same peer and channel within one flush into as few datagrams as
 * possible (≤ {@link UNRELIABLE_MTU} on unreliable channels). A message larger than a reliable
 * batch goes alone (the transport fragments it); one larger than the unreliable MTU is refused.
 */
export class Outbox {
  readonly #batches = new Map<PeerId, (Batch | undefined)[]>();
  /** Batches holding something, in the order they got it: a flush visits only these. */
  #filled: Batch[] = [];
  #filledCount = 0;
  /** The other list, swapped in while a flush walks this one (slots reused: no array growth). */
  #spare: Batch[] = [];
  readonly #limits: number[];
  #scheduled = false;
  /** Datagrams handed to the transport since creation. */
  datagramsSent = 0;
  /** Bytes handed to the transport since creation. */
  bytesSent = 0;

  /**
   * @param schedule arranges a `flush()` soon (end of the current task)
   * @param autoFlush whether every message schedules that flush, or only urgent (control) ones
   */
  constructor(
    private readonly transport: Transport,
    private readonly schedule: () => void,
    private readonly autoFlush: boolean,
    private readonly onError: (error: unknown) => void,
    reliableBatchBytes = RELIABLE_BATCH_BYTES,
  ) {
    this.#limits = transport.channels.map((config) =>
      isReliable(config) ? reliableBatchBytes : UNRELIABLE_MTU,
    );
  }

  /**
   * Queues one encoded message (copied) for `peer` on `channel`. `urgent` messages (handshake,
   * heartbeats, membership) leave at the end of the task even when the game flushes by hand.
   */
  push(peer: PeerId, channel: number, message: Uint8Array, urgent = false): void {
    const limit = this.#limits[channel];
    if (limit === undefined) throw new MeshplayError('E_INVALID_CONFIG', `channel ${channel} does not exist`);
    if (message.length > limit && message.length > this.transport.maxMessageSize(peer)) {
      throw new MeshplayError(
        'E_MESSAGE_TOO_LARGE',
        `a ${message.length}-byte message exceeds the ${this.transport.maxMessageSize(peer)}-byte limit to ${peer}`,
      );
    }
    if (message.length > UNRELIABLE_MTU && limit === UNRELIABLE_MTU) {
      throw new MeshplayError(
        'E_MESSAGE_TOO_LARGE',
        `a ${message.length}-byte message cannot go on unreliable channel ${channel} (limit ${UNRELIABLE_MTU} bytes)`,
      );
    }
    let perChannel = this.#batches.get(peer);
    if (!perChannel) {
      perChannel = [];
      this.#batches.set(peer, perChannel);
    }
    let batch = perChannel[channel];
    if (!batch) {
      batch = { peer, channel, writer: new ByteWriter(Math.min(limit, 2048)), dropped: false };
      perChannel[channel] = batch;
    }
    const writer = batch.writer;
    if (writer.length > 0 && writer.length + message.length > limit) this.#send(batch);
    if (writer.length === 0) this.#filled[this.#filledCount++] = batch;
    writer.bytes(message);
    if (!this.#scheduled && (this.autoFlush || urgent)) {
      this.#scheduled = true;
      this.schedule();
    }
  }

  /** Sends every pending batch now. */
  flush(): void {
    this.#scheduled = false;
    // Swapped out first: a send may re-enter (a failing link queues goodbyes to others) and those
    // batches go to the next flush's list.
    const filled = this.#filled;
    const count = this.#filledCount;
    this.#filled = this.#spare;
    this.#filledCount = 0;
    for (let i = 0; i < count; i++) {
      const batch = filled[i]!;
      if (!batch.dropped && batch.writer.length > 0) this.#send(batch);
    }
    this.#spare = filled;
  }

  /** Forgets whatever is pending for a peer that is gone. */
  drop(peer: PeerId): void {
    const perChannel = this.#batches.get(peer);
    if (!perChannel) return;
    for (const batch of perChannel) if (batch) batch.dropped = true;
    this.#batches.delete(peer);
  }

  #send(batch: Batch): void {
    // A view, not a copy: transports copy what they keep (see Transport.send). The batch is emptied
    // first so that a flush re-entered from the transport (a link failing under us) cannot send it
    // twice; nothing writes to it again before the transport has taken its copy.
    const datagram = batch.writer.view();
    batch.writer.reset();
    this.datagramsSent++;
    this.bytesSent += datagram.length;
    try {
      this.transport.send(batch.peer, batch.channel, datagram);
    } catch (error) {
      // Flushes run at the end of a task: a failing send must not escape as an uncaught error.
      this.onError(error);
    }
  }
}

/** What is waiting for one peer on one channel. */
interface Batch {
  readonly peer: PeerId;
  readonly channel: number;
  readonly writer: ByteWriter;
  /** The peer is gone: whatever the batch holds is never sent. */
  dropped: boolean;
}
