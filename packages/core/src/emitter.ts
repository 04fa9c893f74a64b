import mittImport, { type Emitter, type EventType } from 'mitt';

// mitt ships CommonJS typings for an ESM build: under NodeNext the default import is typed as the
// module namespace while the runtime value (ESM build) is the factory itself. Accept both.
const factory = ((mittImport as unknown as { default?: unknown }).default ?? mittImport) as <
  Events extends Record<EventType, unknown>,
>() => Emitter<Events>;

/** Makes a typed mitt emitter (the one event mechanism used across meshplay). */
export function createEmitter<Events extends Record<EventType, unknown>>(): Emitter<Events> {
  return factory<Events>();
}

export type { Emitter, EventType };
