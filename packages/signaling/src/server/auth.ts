import type { IncomingHttpHeaders } from 'node:http';

/** What the auth hook is asked. */
export interface AuthRequest {
  /** The client's credential (`JoinOptions.token`), if it sent one. */
  token: string | undefined;
  /** The lobby asked for (undefined for a join by code). */
  room: string | undefined;
  /** True when a peer returns with a resume token. */
  resume: boolean;
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Decides who may join: resolves to an identity (anything but `undefined`, `null` or `false`) or
 * refuses (by returning one of those or throwing; a thrown error's message reaches the client).
 * Called on every join and resume.
 */
export type Authenticate = (request: AuthRequest) => unknown | Promise<unknown>;

/** Runs the hook; never throws. */
export async function askAuth(
  hook: Authenticate,
  request: AuthRequest,
): Promise<{ identity: unknown } | { refused: string }> {
  let identity: unknown;
  try {
    identity = await hook(request);
  } catch (error) {
    return { refused: error instanceof Error ? error.message : 'refused by the auth hook' };
  }
  if (identity === undefined || identity === null || identity === false)
    return { refused: 'refused by the auth hook' };
  return { identity };
}
