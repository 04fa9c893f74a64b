// The Colyseus side of the state benchmark: @colyseus/schema 5 encoding the scenario's world.
import { Encoder, type SchemaType, schema, t } from '@colyseus/schema';
import { cpuMs, ENTITIES, type Motion, TICKS, World } from './scenario.ts';

const COLYSEUS_FRAME_BYTES = 1;

const ColyEntity = schema({ x: t.float32(), y: t.float32(), angle: t.float32() }, 'Entity');
type ColyEntity = SchemaType<typeof ColyEntity>;
const ColyState = schema({ entities: t.map(ColyEntity) }, 'State');

export interface ColyseusRun {
  bytes: number;
  updates: number;
  /** Per tick, ms: the setters (where Colyseus tracks changes), `encode()` + `discardChanges()`. */
  assignMs: number;
  encodeMs: number;
}

/** Runs the scenario through Colyseus: one encoder, its patches counted and timed. */
export function runColyseus(motion: Motion): ColyseusRun {
  const world = new World();
  const state = new ColyState();
  const entities: ColyEntity[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    const e = new ColyEntity();
    e.x = world.x[i]!;
    e.y = world.y[i]!;
    e.angle = world.angle[i]!;
    state.entities.set(String(i), e);
    entities.push(e);
  }
  const encoder = new Encoder(state);
  encoder.encodeAll();
  encoder.discardChanges();
  let bytes = 0;
  let updates = 0;
  let assignMs = 0;
  let encodeMs = 0;
  for (let tick = 1; tick <= TICKS; tick++) {
    updates += world.step(motion);
    const assigned = cpuMs();
    for (let i = 0; i < ENTITIES; i++) {
      if (!world.moved[i]) continue;
      const e = entities[i]!;
      if (motion !== 'movey') e.x = world.x[i]!;
      e.y = world.y[i]!;
      if (motion !== 'movey') e.angle = world.angle[i]!;
    }
    const started = cpuMs();
    const patch = encoder.encode();
    encoder.discardChanges();
    const done = cpuMs();
    assignMs += started - assigned;
    encodeMs += done - started;
    bytes += patch.length + COLYSEUS_FRAME_BYTES;
  }
  return { bytes, updates, assignMs: assignMs / TICKS, encodeMs: encodeMs / TICKS };
}
