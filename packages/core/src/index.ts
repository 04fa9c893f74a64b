export { createEmitter, type Emitter, type EventType } from './emitter.js';
export {
  BadPacketError,
  ConfigError,
  ErrorCode,
  type ErrorCodeName,
  errorCodeName,
  MeshplayError,
  RpcFailedError,
  RpcRejectedError,
  SessionError,
  TransportError,
} from './errors.js';
export type { PeerId } from './ids.js';
export { createPeerId, isPeerId, PEER_ID_LENGTH, seededPeerIds } from './ids.js';
export {
  type ArrayType,
  Blend,
  type BlendKind,
  ClockSync,
  type ClockSyncOptions,
  type FieldType,
  type InitOf,
  InputBuffer,
  InputQueue,
  type NetworkClass,
  NetworkObject,
  type ObjectId,
  type PredictionSpec,
  type Quantize,
  type RecordType,
  type RegisterOptions,
  RenderDelay,
  type RenderStats,
  Replication,
  ReplicationError,
  type ReplicationEvents,
  type ReplicationOptions,
  type ScalarType,
  SnapshotBuffer,
  type SpawnOptions,
  type SyncMode,
  type SyncOptions,
  type SyncValue,
  shortestArc,
  sync,
  TickLoop,
  type TickLoopOptions,
  type TickPhases,
  type ValueOf,
  type VisibilityFilter,
} from './replication/index.js';
export { type RpcMethodInfo, type RpcMode, type RpcOptions, rpc } from './rpc/decorator.js';
export type { NodeRegistry, NodeSpec, RpcNode } from './rpc/registry.js';
export type { CallTarget, MethodKeys, RequestTarget, RpcCaller, RpcRequester } from './rpc/types.js';
export { every, realScheduler, type Scheduler, type TimerHandle } from './scheduler.js';
export type { LeaveCode, SessionEvents } from './session/events.js';
export type { AuthVerdict, SessionOptions, Topology, ViolationPolicy } from './session/options.js';
export type { PluginIO, SessionPlugin } from './session/plugin.js';
export { Session } from './session/session.js';
export { createSessions, joinSession, type SimSessionsOptions } from './session/sim-sessions.js';
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  type LinkConfig,
  type PartitionHandle,
  PERFECT_LINK,
  Rng,
  type SetLinkOptions,
  type SimEndpoint,
  SimNetwork,
  type SimNetworkOptions,
  type SimTotals,
  SimTransport,
  type SimTransportOptions,
  SimulationError,
  VirtualClock,
  type VirtualClockOptions,
} from './sim/index.js';
export {
  BUILTIN_CHANNELS,
  Channel,
  type ChannelConfig,
  type ChannelKind,
  channelOf,
  FIRST_USER_CHANNEL,
  isReliable,
  UNRELIABLE_MTU,
} from './transport/channels.js';
export type { ChannelStats, PeerStats, Transport, TransportEvents } from './transport/transport.js';
export { Kind as MessageKind, PROTOCOL_VERSION } from './wire/kinds.js';
