export { CloseReason } from './close-reason.js';
export type {
  ConnectionState,
  GatheringState,
  IceServerConfig,
  SignalingState,
} from './driver.js';
export type { WebRtcEvents } from './events.js';
export { type LibDataChannelIceServer, normaliseCandidate, toLibDataChannelIceServers } from './ice.js';
export { MAX_USER_CHANNELS, type Topology, type WebRtcTransportOptions } from './options.js';
export { WebRtcTransport } from './webrtc-transport.js';
