import { writeRpc } from '../src/wire/encode.js';
import { encodeValue } from '../src/wire/msgpack.js';
import { ByteWriter } from '../src/wire/writer.js';

/** Encodes an Rpc message by hand, as a hostile or buggy peer could. */
export function rawRpc(options: {
  node: number;
  method: number;
  args: unknown;
  target?: number;
  index?: number;
  from?: number;
  requestId?: number;
}): Uint8Array {
  const w = new ByteWriter();
  writeRpc(
    w,
    { target: options.target ?? 0, index: options.index ?? 0, from: options.from ?? -1 },
    options.requestId ?? 0,
    options.node,
    options.method,
    encodeValue(options.args),
  );
  return w.toBytes();
}
