import { customRandom, nanoid, urlAlphabet } from 'nanoid';

/** A peer's identity: a 21-character nanoid string, unique across sessions. */
export type PeerId = string;

/** Length of every {@link PeerId}. */
export const PEER_ID_LENGTH = 21;

/** Makes a fresh random {@link PeerId} (crypto-random). */
export function createPeerId(): PeerId {
  return nanoid(PEER_ID_LENGTH);
}

/**
 * Makes a {@link PeerId} generator driven by `random` (a function returning floats in [0, 1)), so
 * a seeded simulation produces the same ids on every run.
 */
export function seededPeerIds(random: () => number): () => PeerId {
  return customRandom(urlAlphabet, PEER_ID_LENGTH, (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
    return bytes;
  });
}

const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{21}$/;

/** True when `value` has the shape of a {@link PeerId}. */
export function isPeerId(value: unknown): value is PeerId {
  return typeof value === 'string' && PEER_ID_PATTERN.test(value);
}
