import { BadPacketError, ConfigError } from '../errors.js';
import type { BitReader, BitWriter } from './bits.js';
import { codecFor, type FieldCodec } from './codecs.js';
import type { FieldType } from './field-types.js';
import { ClassLayout, type NetworkClass } from './layout.js';
import type { NetworkObject } from './network-object.js';
import type { FieldSpec } from './schema.js';

/** Client-side prediction of a class: the input type and the deterministic step it drives. */
export interface PredictionSpec<T extends NetworkObject = NetworkObject, I = unknown> {
  /** Wire type of one input (e.g. `{ record: { dx: 'int8', dy: 'int8' } }`). */
  readonly input: FieldType;
  /** Applies one input for one step; runs on the owner (predicting, replaying) and on the host. */
  readonly apply: (object: T, input: I, dt: number) => void;
}

/** How a class is registered. */
export interface RegisterOptions<T extends NetworkObject = NetworkObject, I = unknown> {
  /** Most live objects of this class one non-host peer may own (default: the replication's limit). */
  readonly spawnLimit?: number;
  /** Opt-in client-side prediction (the host becomes authoritative for the fields). */
  readonly predict?: PredictionSpec<T, I>;
  /** How fast the object's send priority grows while it waits for bandwidth (default 1). */
  readonly priority?: number;
}

/** A registered class. */
export interface ClassInfo {
  readonly type: NetworkClass;
  readonly name: string;
  /** Index in this peer's type table (what its spawns carry). */
  readonly index: number;
  readonly layout: ClassLayout;
  readonly spawnLimit: number | undefined;
  readonly predict: (PredictionSpec & { readonly codec: FieldCodec }) | undefined;
  readonly priority: number;
  /** The `always` fields rendered interpolated, and which of them are angles. */
  readonly interpolated: readonly FieldSpec[];
  readonly angles: readonly boolean[];
}

const MAX_TYPES = 1024;

/**
 * The classes this peer can replicate, by name and by index. Every peer registers the same classes
 * under the same names; each sender announces its table (names and layout signatures) once per
 * link, so indices need not agree and mismatched builds are caught by name.
 */
export class TypeRegistry {
  readonly #byName = new Map<string, ClassInfo>();
  readonly #byType = new Map<NetworkClass, ClassInfo>();
  readonly #list: ClassInfo[] = [];

  /** Registers `type` under `name`. */
  register<T extends NetworkObject, I>(
    type: NetworkClass<T>,
    name: string,
    options: RegisterOptions<T, I> = {},
  ): ClassInfo {
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
      throw new ConfigError('a class name is a non-empty string of at most 64 characters');
    }
    if (this.#byName.has(name)) throw new ConfigError(`a class named '${name}' is already registered`);
    if (this.#byType.has(type)) throw new ConfigError(`${type.name} is already registered`);
    if (this.#list.length >= MAX_TYPES) throw new ConfigError(`at most ${MAX_TYPES} classes`);
    const layout = new ClassLayout(type, name);
    const interpolated = layout.schema.always.filter(
      (f) => f.interpolate && (f.codec.kind === 'int' || f.type === 'float32' || f.type === 'float64'),
    );
    const info: ClassInfo = {
      type,
      name,
      index: this.#list.length,
      layout,
      spawnLimit: options.spawnLimit,
      predict: options.predict
        ? { ...(options.predict as PredictionSpec), codec: codecFor(options.predict.input) }
        : undefined,
      priority: options.priority ?? 1,
      interpolated,
      angles: interpolated.map((f) => f.codec.kind === 'int' && f.codec.wraps),
    };
    this.#byName.set(name, info);
    this.#byType.set(type, info);
    this.#list.push(info);
    return info;
  }

  /** The registration of `type` (or of the nearest registered base class). */
  of(type: Function): ClassInfo | undefined {
    for (let t: Function | null = type; t && t !== Function.prototype; t = Object.getPrototypeOf(t)) {
      const info = this.#byType.get(t as NetworkClass);
      if (info) return info;
    }
    return undefined;
  }

  byName(name: string): ClassInfo | undefined {
    return this.#byName.get(name);
  }

  byIndex(index: number): ClassInfo | undefined {
    return this.#list[index];
  }

  get size(): number {
    return this.#list.length;
  }

  /** Writes the type table: names and layout signatures, in index order. */
  write(w: BitWriter): void {
    w.writeVarint(this.#list.length);
    for (const info of this.#list) {
      w.writeString(info.name);
      w.writeString(info.layout.schema.signature);
    }
  }

  /**
   * Reads a sender's type table and maps its indices to local classes: undefined for a name not
   * registered here, `'mismatch'` for a class whose fields differ.
   */
  read(r: BitReader): (ClassInfo | 'mismatch' | undefined)[] {
    const count = r.readVarint();
    if (count > MAX_TYPES) throw new BadPacketError('type table too long');
    const out: (ClassInfo | 'mismatch' | undefined)[] = [];
    for (let i = 0; i < count; i++) {
      const name = r.readString(64);
      const signature = r.readString(65_536);
      const local = this.#byName.get(name);
      out.push(local && local.layout.schema.signature !== signature ? 'mismatch' : local);
    }
    return out;
  }
}
