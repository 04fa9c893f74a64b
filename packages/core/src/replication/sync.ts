import type { SyncOptions, SyncValue } from './field-types.js';
import { CORE, type NetworkObject, touch, unauthorizedWrite } from './network-object.js';
import { declareField } from './schema.js';

/**
 * Declares a synchronised field: `@sync({ mode: 'always', quantize: { step: 0.001 } }) accessor x = 0`.
 * The accessor's value type must match the declared wire type (a `type: 'string'` field cannot hold a
 * number). Writes mark the field changed; a peer without authority over the object cannot write it.
 */
export function sync<const O extends SyncOptions = {}>(options?: O) {
  const opts: SyncOptions = options ?? {};
  return <This extends NetworkObject, V extends SyncValue<O>>(
    _target: ClassAccessorDecoratorTarget<This, V>,
    context: ClassAccessorDecoratorContext<This, V>,
  ): ClassAccessorDecoratorResult<This, V> => {
    const name = String(context.name);
    const { index, slot, mode } = declareField(context.metadata, name, opts);
    const bit = 1 << slot;
    return {
      get(this: This): V {
        return this[CORE].values[index] as V;
      },
      set(this: This, value: V): void {
        const core = this[CORE];
        if (!core.writable) unauthorizedWrite(this, name);
        if (core.values[index] === value) return;
        core.values[index] = value;
        if (mode === 'always') {
          if (!core.touched) touch(core);
        } else if (mode === 'onChange') core.dirty |= bit;
      },
      init(this: This, value: V): V {
        this[CORE].values[index] = value;
        return value;
      },
    };
  };
}
