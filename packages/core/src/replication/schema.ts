import { ConfigError } from '../errors.js';
import { codecFor, type FieldCodec } from './codecs.js';
import type { FieldType, SyncMode, SyncOptions } from './field-types.js';

// Decorator metadata (TC39) is how a member decorator reaches its class. Engines without
// `Symbol.metadata` get the well-known registry symbol that TypeScript and esbuild both fall back to.
const SymbolWithMetadata = Symbol as unknown as { metadata?: symbol };
SymbolWithMetadata.metadata ??= Symbol.for('Symbol.metadata');
const METADATA: symbol = SymbolWithMetadata.metadata;

/** Most fields of one mode a class may declare (each field is one bit of a change mask). */
export const MAX_FIELDS_PER_MODE = 32;

/** One `@sync` field as the replication layer sees it. */
export interface FieldSpec {
  readonly name: string;
  /** Position among all the class's fields (base classes first, then declaration order). */
  readonly index: number;
  readonly mode: SyncMode;
  /** Position among the fields of the same mode. */
  readonly slot: number;
  readonly codec: FieldCodec;
  readonly type: FieldType | undefined;
  /** Whether remote copies render interpolated. */
  readonly interpolate: boolean;
}

/** The `@sync` fields of a class, by mode. */
export interface ClassSchema {
  readonly fields: readonly FieldSpec[];
  readonly always: readonly FieldSpec[];
  readonly onChange: readonly FieldSpec[];
  readonly spawn: readonly FieldSpec[];
  /** A short text describing the layout, compared between peers to catch mismatched builds. */
  readonly signature: string;
}

interface Declared {
  readonly name: string;
  readonly options: SyncOptions;
}

const DECLARED = Symbol('meshplay.sync.declared');
const SCHEMA = Symbol('meshplay.sync.schema');

type Metadata = Record<PropertyKey, unknown>;

/** Where a declared field sits: its index among all fields and its slot among those of its mode. */
export interface FieldPosition {
  readonly index: number;
  readonly slot: number;
  readonly mode: SyncMode;
}

/** Records a field declaration in the class's decorator metadata and says where the field sits. */
export function declareField(
  metadata: DecoratorMetadata | undefined,
  name: string,
  options: SyncOptions,
): FieldPosition {
  if (!metadata) {
    throw new ConfigError(
      '@sync needs TC39 decorator metadata (TypeScript ≥ 5.2 or esbuild with standard decorators)',
    );
  }
  const meta = metadata as Metadata;
  let own = Object.hasOwn(meta, DECLARED) ? (meta[DECLARED] as Declared[]) : undefined;
  if (!own) {
    own = [];
    meta[DECLARED] = own;
  }
  const mode = options.mode ?? 'always';
  const before = [...inherited(Object.getPrototypeOf(meta)), ...own];
  own.push({ name, options });
  const slot = before.filter((d) => (d.options.mode ?? 'always') === mode).length;
  if (slot >= MAX_FIELDS_PER_MODE)
    throw new ConfigError(`field ${name}: more than ${MAX_FIELDS_PER_MODE} '${mode}' fields`);
  return { index: before.length, slot, mode };
}

function inherited(meta: Metadata | null): Declared[] {
  const chain: Metadata[] = [];
  for (let m = meta; m; m = Object.getPrototypeOf(m)) chain.unshift(m);
  return chain.flatMap((m) => (Object.hasOwn(m, DECLARED) ? (m[DECLARED] as Declared[]) : []));
}

/** The schema of a class with `@sync` fields (built once, on first use). */
export function schemaOf(ctor: abstract new (...args: any[]) => unknown): ClassSchema {
  const meta = (ctor as unknown as Record<symbol, Metadata | undefined>)[METADATA];
  if (meta && Object.hasOwn(meta, SCHEMA)) return meta[SCHEMA] as ClassSchema;
  const declared = inherited(meta ?? null);
  const counts: Record<SyncMode, number> = { always: 0, onChange: 0, spawn: 0 };
  const fields = declared.map(({ name, options }, index): FieldSpec => {
    const mode = options.mode ?? 'always';
    const codec = codecFor(options.type, options.quantize);
    const slot = counts[mode]++;
    const numeric = codec.kind === 'int' || options.type === 'float32' || options.type === 'float64';
    return {
      name,
      index,
      mode,
      slot,
      codec,
      type: options.type,
      interpolate: options.interpolate ?? (numeric && mode === 'always'),
    };
  });
  const schema: ClassSchema = {
    fields,
    always: fields.filter((f) => f.mode === 'always'),
    onChange: fields.filter((f) => f.mode === 'onChange'),
    spawn: fields.filter((f) => f.mode === 'spawn'),
    signature: declared
      .map(
        ({ name, options }) =>
          `${name}:${options.mode ?? 'always'}:${JSON.stringify(options.type ?? null)}:${JSON.stringify(options.quantize ?? null)}`,
      )
      .join(','),
  };
  if (meta) meta[SCHEMA] = schema;
  return schema;
}
