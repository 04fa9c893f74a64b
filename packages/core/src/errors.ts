/**
 * Every error meshplay raises or reports carries one of these stable codes. The numeric value is
 * what travels on the wire when a peer is told why its input was refused.
 */
export const ErrorCode = {
  E_BAD_PACKET: 1,
  E_UNKNOWN_OBJECT: 2,
  E_UNKNOWN_RPC: 3,
  E_UNAUTHORIZED_RPC: 4,
  E_INVALID_ARGS: 5,
  E_RATE_LIMITED: 6,
  E_RPC_TIMEOUT: 7,
  E_RPC_ABORTED: 8,
  E_PEER_LEFT: 9,
  E_PROTOCOL_VERSION: 10,
  E_AUTH_REFUSED: 11,
  E_AUTH_TIMEOUT: 12,
  E_REFUSED: 13,
  E_KICKED: 14,
  E_TIMEOUT: 15,
  E_SESSION_CLOSED: 16,
  E_NOT_CONNECTED: 17,
  E_MESSAGE_TOO_LARGE: 18,
  E_RPC_FAILED: 19,
  E_TRANSPORT: 20,
  E_SCHEMA_MISMATCH: 21,
  E_HOST_LEFT: 22,
  E_INVALID_CONFIG: 23,
  E_SPAWN_LIMIT: 24,
  E_UNAUTHORIZED_WRITE: 25,
} as const;

/** One of the stable error code strings, e.g. `'E_BAD_PACKET'`. */
export type ErrorCodeName = keyof typeof ErrorCode;

const NAME_BY_NUMBER = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, value]) => [value, name as ErrorCodeName]),
);

/** Looks up a code name by its wire number (unknown numbers read as `E_BAD_PACKET`). */
export function errorCodeName(wire: number): ErrorCodeName {
  return NAME_BY_NUMBER.get(wire) ?? 'E_BAD_PACKET';
}

/** Base class of every meshplay error: a message plus a stable {@link ErrorCodeName}. */
export class MeshplayError extends Error {
  override name = 'MeshplayError';
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A datagram or message that does not decode. */
export class BadPacketError extends MeshplayError {
  override name = 'BadPacketError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_BAD_PACKET', message, options);
  }
}

/** An RPC was refused before it ran: unknown target or method, no authority, bad args, rate limit. */
export class RpcRejectedError extends MeshplayError {
  override name = 'RpcRejectedError';
}

/** A request made with `request()` did not complete: timeout, abort, target gone, or it threw. */
export class RpcFailedError extends MeshplayError {
  override name = 'RpcFailedError';
}

/** The session could not be joined or was left: version mismatch, auth refusal, kick, timeout. */
export class SessionError extends MeshplayError {
  override name = 'SessionError';
}

/** A transport-level failure: a closed transport, an unknown channel, a link that could not open. */
export class TransportError extends MeshplayError {
  override name = 'TransportError';
}

/** A configuration that cannot work, refused when it is given rather than when it bites. */
export class ConfigError extends MeshplayError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('E_INVALID_CONFIG', message);
  }
}
