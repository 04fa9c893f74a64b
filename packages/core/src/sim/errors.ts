import { type ErrorCodeName, MeshplayError } from '../errors.js';

/** Misuse of the simulation (unknown endpoint, overlapping `run` calls) or a `runUntil` timeout. */
export class SimulationError extends MeshplayError {
  override name = 'SimulationError';
  constructor(code: ErrorCodeName, message: string) {
    super(code, message);
  }
}
