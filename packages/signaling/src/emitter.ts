import type { SignalingEmitter, SignalingEvents } from './contract.js';

type Handler = (event: never) => void;

/** A mitt-style typed emitter for {@link SignalingEvents}, kept here so the root stays dependency-free. */
export class SignalingEventEmitter implements SignalingEmitter {
  readonly #handlers = new Map<keyof SignalingEvents, Handler[]>();

  on<K extends keyof SignalingEvents>(type: K, handler: (event: SignalingEvents[K]) => void): void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as Handler);
    this.#handlers.set(type, list);
  }

  off<K extends keyof SignalingEvents>(type: K, handler?: (event: SignalingEvents[K]) => void): void {
    if (!handler) {
      this.#handlers.delete(type);
      return;
    }
    const list = this.#handlers.get(type);
    if (!list) return;
    const at = list.indexOf(handler as Handler);
    if (at >= 0) list.splice(at, 1);
  }

  /** Calls every handler of `type`; a throwing handler does not stop the others. */
  emit<K extends keyof SignalingEvents>(type: K, event: SignalingEvents[K]): void {
    for (const handler of [...(this.#handlers.get(type) ?? [])]) {
      try {
        (handler as (e: SignalingEvents[K]) => void)(event);
      } catch (error) {
        if (type !== 'error') this.emit('error', { error: error as Error });
      }
    }
  }
}
