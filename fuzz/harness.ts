import { MeshplayError, type Rng } from '@meshplay/core';

/** What one fuzz target reports. */
export interface FuzzCounts {
  /** Inputs fed in. */
  inputs: number;
  /** Inputs applied without complaint (valid by chance, or harmless). */
  accepted: number;
  /** Inputs refused with a typed error. */
  refused: number;
  /** Refusals per error code. */
  codes: Record<string, number>;
}

/** A fuzz target: feeds `iterations` inputs derived from `seed`, throws on any invariant broken. */
export interface FuzzTarget {
  readonly name: string;
  run(iterations: number, seed: number): Promise<FuzzCounts>;
}

/** Identity helper that types a target definition. */
export function defineTarget(target: FuzzTarget): FuzzTarget {
  return target;
}

/** A fresh tally. */
export function counts(): FuzzCounts {
  return { inputs: 0, accepted: 0, refused: 0, codes: {} };
}

/** Records one refusal; anything that is not a typed meshplay error breaks the invariant. */
export function refused(tally: FuzzCounts, error: unknown, input: Uint8Array | unknown): void {
  if (!(error instanceof MeshplayError)) {
    const shown = input instanceof Uint8Array ? Buffer.from(input).toString('hex') : JSON.stringify(input);
    throw new Error(`untyped error for input ${shown}: ${String(error)}`, { cause: error });
  }
  tally.refused++;
  tally.codes[error.code] = (tally.codes[error.code] ?? 0) + 1;
}

/**
 * Derives a hostile input from real ones: bit flips, byte overwrites, truncation, insertion,
 * duplication of a slice, splicing two inputs, or plain random bytes.
 */
export function mutate(rng: Rng, corpus: readonly Uint8Array[]): Uint8Array {
  const base = corpus[rng.int(corpus.length)]!;
  let bytes: Uint8Array = base.slice();
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = bytes.length === 0 ? 0 : rng.int(bytes.length);
    switch (rng.int(8)) {
      case 0:
        if (bytes.length) bytes[at] = bytes[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        if (bytes.length) bytes[at] = rng.int(256);
        break;
      case 2:
        bytes = bytes.slice(0, Math.max(1, at));
        break;
      case 3: {
        const extra = Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
        bytes = concat(bytes.slice(0, at), extra, bytes.slice(at));
        break;
      }
      case 4:
        bytes = concat(bytes, bytes.slice(at));
        break;
      case 5: {
        const other = corpus[rng.int(corpus.length)]!;
        bytes = concat(bytes.slice(0, at), other.slice(rng.int(other.length)));
        break;
      }
      case 6:
        if (bytes.length) bytes[at] = [0x00, 0x7f, 0x80, 0xff, 0xc1, 0xdd, 0xdf][rng.int(7)]!;
        break;
      default:
        bytes = Uint8Array.from({ length: 1 + rng.int(48) }, () => rng.int(256));
    }
  }
  return bytes.length === 0 ? new Uint8Array([rng.int(256)]) : bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
