export type {
  JoinOptions,
  SignalingAdapter,
  SignalingEmitter,
  SignalingEvents,
  SignalingRoom,
  SignalPayload,
  SignalPeerId,
} from './contract.js';
export { SignalingError } from './contract.js';
export { SignalingEventEmitter } from './emitter.js';
export { MemorySignalingHub } from './memory.js';
