export { ClockSync, type ClockSyncOptions } from './clock.js';
export type { VisibilityFilter } from './entry.js';
export { ReplicationError } from './errors.js';
export type {
  ArrayType,
  FieldType,
  Quantize,
  RecordType,
  ScalarType,
  SyncMode,
  SyncOptions,
  SyncValue,
  ValueOf,
} from './field-types.js';
export { Blend, type BlendKind, RenderDelay, SnapshotBuffer, shortestArc } from './interpolation.js';
export type { NetworkClass } from './layout.js';
export { NetworkObject, type ObjectId } from './network-object.js';
export type {
  InitOf,
  RenderStats,
  ReplicationEvents,
  ReplicationOptions,
  SpawnOptions,
} from './options.js';
export { InputBuffer, InputQueue } from './prediction.js';
export type { PredictionSpec, RegisterOptions } from './registry.js';
export { Replication } from './replication.js';
export { sync } from './sync.js';
export { TickLoop, type TickLoopOptions, type TickPhases } from './tick-loop.js';
