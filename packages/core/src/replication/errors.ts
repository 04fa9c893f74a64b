import { type ErrorCodeName, MeshplayError } from '../errors.js';

/**
 * A replication request that was refused: writing a field without authority (`E_UNAUTHORIZED_WRITE`),
 * spawning past the limit (`E_SPAWN_LIMIT`), an unknown object or type (`E_UNKNOWN_OBJECT`), a type
 * registered differently on two peers (`E_SCHEMA_MISMATCH`).
 */
export class ReplicationError extends MeshplayError {
  override name = 'ReplicationError';
  constructor(code: ErrorCodeName, message: string) {
    super(code, message);
  }
}
