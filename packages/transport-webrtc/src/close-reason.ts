/** Why a link closed, as reported in `peer-disconnected` (a peer's own reason travels in its `Bye`). */
export const CloseReason = {
  /** This side called `close()`. */
  Closed: 'closed',
  /** The peer went silent for longer than the heartbeat timeout. */
  Timeout: 'timeout',
  /** ICE or DTLS failed, or a channel closed under the link. */
  Failed: 'failed',
  /** The peer closed without saying why. */
  Gone: 'gone',
  /** The peer left the signaling room before the link was up. */
  Left: 'left',
  /** The peer started a new connection attempt, replacing this one. */
  Replaced: 'replaced',
} as const;
