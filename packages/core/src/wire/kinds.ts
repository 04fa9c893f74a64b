/**
 * The message kind is the low four bits of a message's first byte; the high four bits are flags
 * whose meaning depends on the kind. A datagram is a run of messages back to back, each
 * self-delimiting. See docs/PROTOCOL.md.
 */
export const Kind = {
  Hello: 0,
  Welcome: 1,
  Goodbye: 2,
  Peer: 3,
  Ping: 4,
  Rpc: 5,
  Result: 6,
  Raw: 7,
  Error: 8,
  Services: 9,
  Host: 10,
  /** First kind a session plugin (replication) may own; kinds 11–15 are plugin kinds. */
  FirstPlugin: 11,
  LastPlugin: 15,
} as const;

/** Mask of the kind bits in a message's first byte. */
export const KIND_MASK = 0x0f;

/** Routed kinds (Rpc, Result, Raw): bits 4–5 say whom the message is for. */
export const Target = {
  /** The receiving peer only. */
  Direct: 0,
  /** Everyone in the session (the host relays in star topology). */
  All: 1,
  /** One peer, whose index follows. */
  One: 2,
  /** Everyone except one peer, whose index follows. */
  AllExcept: 3,
} as const;

/** Routed kinds: bit 6 set by the relaying host: the original sender's index follows. */
export const FLAG_RELAYED = 0x40;
/** Rpc: a request id follows (a response is wanted). Result: the result is an error. */
export const FLAG_KIND_SPECIFIC = 0x80;
/** Peer: the peer left (otherwise it joined). Ping: this is the pong. */
export const FLAG_SECOND_FORM = 0x10;

/** The protocol version exchanged in Hello; a mismatch refuses the join. */
export const PROTOCOL_VERSION = 1;
