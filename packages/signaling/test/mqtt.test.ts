import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingRoom } from '../src/index.js';
import { MqttSignaling, type MqttSignalingOptions } from '../src/mqtt.js';
import { next, nextSignal, record, unique, until } from './helpers.js';
import { startProxy } from './proxy.js';
import { needMqtt } from './services.js';

const mqtt = await needMqtt();
const ID = /^[A-Za-z0-9_-]{21}$/;

describe.skipIf(mqtt.skip)('MQTT signaling', () => {
  const rooms: SignalingRoom[] = [];
  const fast = (appId: string, extra: Partial<MqttSignalingOptions> = {}) =>
    new MqttSignaling({ url: mqtt.url, appId, announceMs: 300, discoveryMs: 500, ...extra });
  const join = async (adapter: MqttSignaling, room: string, password?: string) => {
    const joined = await adapter.join(room, password === undefined ? {} : { password });
    rooms.push(joined);
    return joined;
  };

  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((room) => room.leave()));
  });

  it('lets two peers find each other and exchange payloads', async () => {
    const app = unique('mp');
    const a = await join(fast(app), 'lobby');
    const joined = next(a, 'peer-joined');
    const b = await join(fast(app), 'lobby');
    expect(a.selfId).toMatch(ID);
    expect(b.selfId).toMatch(ID);
    expect((await joined).peer).toBe(b.selfId);
    expect(b.peers()).toEqual([a.selfId]);
    expect(a.peers()).toEqual([b.selfId]);
    // The earliest joiner hosts, and both agree.
    expect(a.hostId).toBe(a.selfId);
    expect(b.hostId).toBe(a.selfId);

    const offer = { sdp: 'v=0\r\n', type: 'offer' };
    const atB = next(b, 'signal');
    a.send(b.selfId, offer);
    expect(await atB).toEqual({ from: a.selfId, payload: offer });
    b.send(a.selfId, ['answer', 1]);
    expect(await nextSignal(a, b.selfId)).toEqual(['answer', 1]);
  });

  it('keeps rooms and apps apart', async () => {
    const app = unique('mp');
    const a = await join(fast(app), 'one');
    const aLog = record(a);
    await join(fast(app), 'two');
    await join(fast(unique('mp')), 'one');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(a.peers()).toEqual([]);
    expect(aLog).toEqual([]);
    await expect(fast(app).join('nobody-here', { create: false })).rejects.toMatchObject({
      code: 'E_NO_ROOM',
    });
  });

  it('encrypts everything it publishes and keeps out a wrong password', async () => {
    const app = unique('mp');
    const spy = await connectAsync(mqtt.url, { clientId: unique('spy'), reconnectPeriod: 0 });
    const seen: string[] = [];
    spy.on('message', (topic, payload) => seen.push(`${topic} ${String(payload)}`));
    await spy.subscribeAsync(`${app}/#`);
    try {
      const a = await join(fast(app), 'vault', 'open sesame');
      const b = await join(fast(app), 'vault', 'open sesame');
      a.send(b.selfId, { secret: 'the plans' });
      expect(await nextSignal(b, a.selfId)).toEqual({ secret: 'the plans' });
      await expect(fast(app).join('vault', { password: 'guess' })).rejects.toMatchObject({
        code: 'E_BAD_PASSWORD',
      });
      expect(seen.length).toBeGreaterThan(3);
      for (const line of seen) {
        expect(line).not.toContain('the plans');
        expect(line).not.toContain('vault');
        expect(line).not.toContain('hello');
        expect(line).not.toContain('"k"');
      }
      expect(a.peers()).toEqual([b.selfId]);
    } finally {
      await spy.endAsync();
    }
  });

  it('hands the host role on when the host leaves, and honours only the host seal', async () => {
    const app = unique('mp');
    const host = await join(fast(app), 'game');
    const second = await join(fast(app), 'game');
    const third = await join(fast(app), 'game');
    expect(third.hostId).toBe(host.selfId);
    const changed = Promise.all([next(second, 'host-changed'), next(third, 'host-changed')]);
    const left = next(third, 'peer-left');
    await host.leave();
    expect((await left).peer).toBe(host.selfId);
    expect((await changed).map((e) => e.host)).toEqual([second.selfId, second.selfId]);
    await expect(third.seal()).rejects.toMatchObject({ code: 'E_NOT_HOST' });
    const sealed = next(third, 'sealed');
    await second.seal();
    await sealed;
    await expect(fast(app).join('game')).rejects.toMatchObject({ code: 'E_SEALED' });
    expect(third.peers()).toEqual([second.selfId]);
  });

  it('announces a dropped peer gone (its last will) and takes it back when it reconnects', async () => {
    const app = unique('mp');
    const port = Number(new URL(mqtt.url).port || 1883);
    const proxy = await startProxy(port);
    try {
      const viaProxy = `mqtt://127.0.0.1:${new URL(proxy.url).port}`;
      const steady = await join(fast(app), 'flaky');
      const flaky = await join(fast(app, { url: viaProxy }), 'flaky');
      await until(() => steady.peers().length === 1, 2000, 'the peers to meet');
      const gone = next(steady, 'peer-left');
      const reconnecting = next(flaky, 'reconnecting');
      const back = next(flaky, 'reconnected', undefined, 8000);
      proxy.dropAll();
      expect((await gone).peer).toBe(flaky.selfId);
      await reconnecting;
      await back;
      const returned = await next(steady, 'peer-joined', undefined, 3000);
      expect(returned.peer).toBe(flaky.selfId);
      steady.send(flaky.selfId, 'welcome back');
      expect(await nextSignal(flaky, steady.selfId)).toBe('welcome back');
    } finally {
      await Promise.all(rooms.splice(0).map((room) => room.leave()));
      await proxy.close();
    }
  });
});
