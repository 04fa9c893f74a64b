import type { ChannelConfig, PeerId } from '@meshplay/core';
import type { DriverChannelInit, DriverPeerConfig } from './driver.js';
import type { ResolvedOptions } from './options.js';

/** What the driver gets to create the peer connection to `peer`. */
export function peerConfig(options: ResolvedOptions, peer: PeerId): DriverPeerConfig {
  return {
    iceServers: options.iceServers,
    label: `meshplay:${peer}`,
    ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
    ...(options.sctpSendBufferBytes === undefined
      ? {}
      : { sctpSendBufferBytes: options.sctpSendBufferBytes }),
  };
}

/**
 * What the driver gets to create channel `index` of the layout: negotiated with the index as its
 * id, so both ends create the same channels and nothing is announced in-band.
 */
export function channelInit(config: ChannelConfig, index: number): DriverChannelInit {
  return {
    id: index,
    label: config.label ?? `channel-${index}`,
    ordered: config.ordered,
    ...(config.maxRetransmits === undefined ? {} : { maxRetransmits: config.maxRetransmits }),
    ...(config.maxPacketLifeTime === undefined ? {} : { maxPacketLifeTime: config.maxPacketLifeTime }),
    ...(config.protocol === undefined ? {} : { protocol: config.protocol }),
  };
}
