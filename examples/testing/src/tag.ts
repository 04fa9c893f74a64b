import { rpc, type Session } from '@meshplay/core';

/**
 * A game of tag, host-authoritative: players ask the host to tag someone; the host decides (only
 * the current "it" may tag, and only a peer that is still here) and tells everyone who is "it".
 */
export class Tag {
  /** Who is "it", as this peer knows it. */
  it: string | undefined;
  /** Every change of "it" this peer has heard, in order. */
  readonly history: string[] = [];

  constructor(readonly session: Session) {
    // When "it" leaves, the host passes the role on.
    session.events.on('peer-left', ({ peer }) => {
      if (session.isHost && peer === this.it) this.#announce(session.peers()[0] ?? session.id);
    });
  }

  /** Host: starts a round with `first` as "it". */
  begin(first: string): void {
    this.#announce(first);
  }

  /** Anyone → host: "I tag `target`". Resolves with whether the tag counted. */
  @rpc({ mode: 'any', rateLimit: 4 })
  tag(target: string): boolean {
    const from = this.session.remoteSender;
    if (
      from !== this.it ||
      target === from ||
      !this.session.peers().concat(this.session.id).includes(target)
    ) {
      return false;
    }
    this.#announce(target);
    return true;
  }

  /** Host → everyone: the new "it". */
  @rpc({ mode: 'authority', local: true })
  nowIt(peer: string) {
    this.it = peer;
    this.history.push(peer);
  }

  #announce(peer: string): void {
    this.session.rpc<Tag>(this).nowIt(peer);
  }
}
