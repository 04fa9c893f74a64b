import { describe, expect, it } from 'vitest';
import { createEmitter } from '../src/index.js';

type Events = { ping: number; pong: string };

describe('createEmitter (mitt semantics, copy-on-write lists)', () => {
  it('calls handlers in order, wildcard handlers after them with the type', () => {
    const events = createEmitter<Events>();
    const seen: string[] = [];
    events.on('ping', (n) => seen.push(`a${n}`));
    events.on('ping', (n) => seen.push(`b${n}`));
    events.on('*', (type, value) => seen.push(`*${String(type)}${String(value)}`));
    events.emit('ping', 1);
    events.emit('pong', 'x');
    expect(seen).toEqual(['a1', 'b1', '*ping1', '*pongx']);
  });

  it('applies subscriptions made or dropped during an emit from the next emit on', () => {
    const events = createEmitter<Events>();
    const seen: string[] = [];
    const late = (n: number) => seen.push(`late${n}`);
    const once = (n: number) => {
      seen.push(`once${n}`);
      events.off('ping', once);
      events.on('ping', late);
    };
    const other = (n: number) => seen.push(`other${n}`);
    events.on('ping', once);
    events.on('ping', other);
    events.emit('ping', 1);
    events.emit('ping', 2);
    expect(seen).toEqual(['once1', 'other1', 'other2', 'late2']);
  });

  it('removes one registration of a handler, ignores unknown ones, clears a type without one', () => {
    const events = createEmitter<Events>();
    let calls = 0;
    const handler = () => void calls++;
    events.on('ping', handler);
    events.on('ping', handler);
    events.off('ping', () => {});
    events.off('ping', handler);
    events.emit('ping', 0);
    expect(calls).toBe(1);
    events.on('ping', handler);
    events.off('ping');
    events.emit('ping', 0);
    expect(calls).toBe(1);
    expect(events.all.get('ping')).toEqual([]);
  });
});
