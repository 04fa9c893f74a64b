export type { SimTotals } from './delivery.js';
export { SimulationError } from './errors.js';
export { type LinkConfig, PERFECT_LINK } from './link.js';
export type { PartitionHandle } from './partitions.js';
export { Rng } from './rng.js';
export {
  type SetLinkOptions,
  type SimEndpoint,
  SimNetwork,
  type SimNetworkOptions,
  type SimTransportOptions,
} from './sim-network.js';
export { DEFAULT_MAX_MESSAGE_SIZE, SimTransport } from './sim-transport.js';
export { VirtualClock, type VirtualClockOptions } from './virtual-clock.js';
