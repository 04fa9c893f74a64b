import type { Emitter, EventHandlerMap, EventType, Handler, WildcardHandler } from 'mitt';

type AnyHandler = (...args: never[]) => void;

/**
 * Makes a typed emitter with mitt's interface and semantics (the one event mechanism used across
 * meshplay; handlers added or removed during an emit take effect from the next one).
 *
 * Handler lists are copy-on-write: `on`/`off` replace a type's list, so `emit` walks the current
 * one as it is. mitt itself copies the list and maps it into a new array on every emit, two
 * allocations per datagram on the transport's `message` event.
 */
export function createEmitter<Events extends Record<EventType, unknown>>(): Emitter<Events> {
  const all: EventHandlerMap<Events> = new Map();
  const list = (type: keyof Events | '*') => (all.get(type) ?? []) as AnyHandler[];
  return {
    all,
    on(type: keyof Events | '*', handler: AnyHandler) {
      all.set(type, [...list(type), handler] as never);
    },
    off(type: keyof Events | '*', handler?: AnyHandler) {
      const handlers = list(type);
      if (handler === undefined) {
        all.set(type, []);
        return;
      }
      const at = handlers.indexOf(handler);
      if (at >= 0) all.set(type, handlers.filter((_, i) => i !== at) as never);
    },
    emit<Key extends keyof Events>(type: Key, event?: Events[Key]) {
      const handlers = all.get(type) as Handler<Events[Key]>[] | undefined;
      if (handlers !== undefined) for (let i = 0; i < handlers.length; i++) handlers[i]!(event!);
      const wildcard = all.get('*') as WildcardHandler<Events>[] | undefined;
      if (wildcard !== undefined) for (let i = 0; i < wildcard.length; i++) wildcard[i]!(type, event!);
    },
  } as Emitter<Events>;
}

export type { Emitter, EventType };
