import { BadPacketError, type PeerId, TransportError } from '@meshplay/core';
import type { DriverPeer } from './driver.js';
import { offerAsDtlsClient } from './sdp.js';
import type { SignalMessage } from './signal-messages.js';

/** Candidates that arrived before the remote description are held, up to this many. */
const MAX_PENDING_CANDIDATES = 64;

/** What a {@link Negotiation} needs from its link. */
export interface NegotiationHost {
  readonly peer: PeerId;
  readonly offerer: boolean;
  /** The connection attempt the link is (stamped on every message). */
  readonly attempt: number;
  /** Whether the link is closed (then nothing more is done). */
  readonly closed: boolean;
  signal(message: SignalMessage): void;
  /** Something the peer sent was refused; the link carries on. */
  refused(error: Error): void;
  /** The link cannot come up. */
  fail(error: Error): void;
}

/**
 * One link's offer/answer exchange over signaling: descriptions both ways, candidates both ways
 * (the peer's held until its description is set, ours held by the offerer until the answer is),
 * every message stamped with the attempt number.
 */
export class Negotiation {
  #remote: 'none' | 'setting' | 'set' = 'none';
  #pending: { candidate: string; mid: string }[] = [];
  #held: { candidate: string; mid: string }[] = [];
  #holding: boolean;

  constructor(
    readonly host: NegotiationHost,
    readonly pc: DriverPeer,
  ) {
    this.#holding = host.offerer;
  }

  /** Whether the peer's description has not arrived yet (so an offer may still start this link). */
  get awaitingRemote(): boolean {
    return this.#remote === 'none';
  }

  /** Starts the exchange from the offering side: the offer arrives at {@link localDescription}. */
  offer(): void {
    this.pc.createOffer().catch((error) =>
      this.host.fail(
        new TransportError('E_TRANSPORT', `could not create an offer: ${errorText(error)}`, {
          cause: error,
        }),
      ),
    );
  }

  /** Our description is ready: send it (an offer names us the DTLS client, see sdp.ts). */
  localDescription(type: 'offer' | 'answer', sdp: string): void {
    this.host.signal({
      t: 'sdp',
      n: this.host.attempt,
      type,
      sdp: type === 'offer' ? offerAsDtlsClient(sdp) : sdp,
    });
  }

  /**
   * One of our candidates. The offerer holds them until the answer is set: libdatachannel hands a
   * remote description to its ICE agent a moment before it stores it for DTLS fingerprint checks,
   * and if the answerer's connectivity checks are already arriving, ICE and DTLS can complete
   * inside that moment and fail ("certificate verify failed"; seen on loaded machines). Without
   * our candidates the answerer cannot check before we have its answer.
   */
  localCandidate(candidate: string, mid: string): void {
    if (this.#holding) this.#held.push({ candidate, mid });
    else this.host.signal({ t: 'ice', n: this.host.attempt, candidate, mid });
  }

  /** Takes a description or candidate from the peer. Never throws: see {@link NegotiationHost}. */
  async handle(message: SignalMessage): Promise<void> {
    const { host } = this;
    if (host.closed || message.t === 'retry') return;
    if (message.t === 'ice') {
      if (this.#remote === 'set') {
        await this.#addCandidate(message.candidate, message.mid);
      } else if (this.#pending.length < MAX_PENDING_CANDIDATES) {
        this.#pending.push(message);
      } else {
        host.refused(new BadPacketError(`${host.peer} sent too many ICE candidates before its description`));
      }
      return;
    }
    const expected = host.offerer ? 'answer' : 'offer';
    if (message.type !== expected || this.#remote !== 'none') {
      host.refused(
        new BadPacketError(
          `unexpected SDP ${message.type} from ${host.peer} (this side ${host.offerer ? 'offers' : 'answers'})`,
        ),
      );
      return;
    }
    this.#remote = 'setting';
    try {
      await this.pc.setRemoteDescription(message.type, message.sdp);
    } catch (error) {
      // A link whose description failed cannot come up: say why and give up now, not at the timeout.
      host.fail(
        new BadPacketError(
          `${host.peer} sent an SDP ${message.type} the WebRTC stack refused: ${errorText(error)}`,
          {
            cause: error,
          },
        ),
      );
      return;
    }
    if (host.closed) return;
    this.#remote = 'set';
    this.#release();
    const pending = this.#pending;
    this.#pending = [];
    for (const { candidate, mid } of pending) await this.#addCandidate(candidate, mid);
  }

  /** Sends the candidates held back (see {@link Negotiation.localCandidate}). */
  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    const held = this.#held;
    this.#held = [];
    for (const { candidate, mid } of held)
      this.host.signal({ t: 'ice', n: this.host.attempt, candidate, mid });
  }

  async #addCandidate(candidate: string, mid: string): Promise<void> {
    try {
      await this.pc.addRemoteCandidate(candidate, mid);
    } catch (error) {
      // One bad candidate does not doom the link: others may still connect.
      this.host.refused(
        new BadPacketError(
          `${this.host.peer} sent an ICE candidate the WebRTC stack refused: ${errorText(error)}`,
          {
            cause: error,
          },
        ),
      );
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
