/** The three built-in channel kinds every transport provides. */
export type ChannelKind = 'reliable' | 'unreliable-ordered' | 'unreliable';

/**
 * How a channel delivers, with the options Godot's `create_data_channel` takes. A channel with
 * neither `maxRetransmits` nor `maxPacketLifeTime` is reliable; the two are mutually exclusive.
 */
export interface ChannelConfig {
  /** Deliver in send order (late packets of an unreliable ordered channel are dropped). */
  readonly ordered: boolean;
  /** Retransmit at most this many times (0: never). */
  readonly maxRetransmits?: number;
  /** Retransmit for at most this many milliseconds. */
  readonly maxPacketLifeTime?: number;
  /** Sub-protocol name carried by WebRTC; informational elsewhere. */
  readonly protocol?: string;
  /** A readable name for stats and logs. */
  readonly label?: string;
}

/** Channel indices of the built-in kinds; user channels follow from {@link FIRST_USER_CHANNEL}. */
export const Channel = {
  Reliable: 0,
  UnreliableOrdered: 1,
  Unreliable: 2,
} as const;

/** Index of the first user-configured channel. */
export const FIRST_USER_CHANNEL = 3;

/** The built-in channels, at indices 0, 1 and 2. */
export const BUILTIN_CHANNELS: readonly ChannelConfig[] = [
  { ordered: true, label: 'reliable' },
  { ordered: true, maxRetransmits: 0, label: 'unreliable-ordered' },
  { ordered: false, maxRetransmits: 0, label: 'unreliable' },
];

/** Largest datagram the session puts on an unreliable channel (fits one IPv6 packet with headroom). */
export const UNRELIABLE_MTU = 1200;

/** Maps a channel kind to its built-in index. */
export function channelOf(kind: ChannelKind): number {
  switch (kind) {
    case 'reliable':
      return Channel.Reliable;
    case 'unreliable-ordered':
      return Channel.UnreliableOrdered;
    case 'unreliable':
      return Channel.Unreliable;
  }
}

/** True when the channel retransmits until delivery. */
export function isReliable(config: ChannelConfig): boolean {
  return config.maxRetransmits === undefined && config.maxPacketLifeTime === undefined;
}
