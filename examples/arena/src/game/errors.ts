/** Codes of {@link ArenaError}. */
export type ArenaErrorCode =
  | 'E_NOT_HOST'
  | 'E_BAD_SHOT'
  | 'E_NO_PLAYER'
  | 'E_BAD_NAME'
  | 'E_BAD_HAIL'
  | 'E_TOPOLOGY'
  | 'E_TIMEOUT';

/** A refusal of the arena game itself (session and replication errors keep their own classes). */
export class ArenaError extends Error {
  override name = 'ArenaError';
  constructor(
    readonly code: ArenaErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Why a display name is unusable, or undefined when it is fine (1–24 printable characters). */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'not a string';
  if (name.length < 1 || name.length > 24) return 'must be 1–24 characters';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'has control characters';
  return undefined;
}
