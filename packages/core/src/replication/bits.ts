// The bit-level coding of replicated state: integer codes (bit-codes.ts), the writer that packs
// them most-significant bit first (bit-writer.ts) and the reader that checks every read against
// the end of input (bit-reader.ts).

export { bitLength, expGolombBits, unzigzag, zigzag } from './bit-codes.js';
export { BitReader } from './bit-reader.js';
export { BitWriter } from './bit-writer.js';
