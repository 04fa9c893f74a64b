/**
 * Reaching the real Redis and MQTT servers tests need. Without one, the suite that needs it is
 * skipped with a printed reason, unless MESHPLAY_REQUIRE_SERVICES=1 (as in CI), where it fails.
 */
import { createConnection } from 'node:net';

/** A service a test needs, and whether it answered. */
export interface Service {
  readonly name: string;
  readonly url: string;
  /** True when the suite must be skipped (service absent and not required). */
  readonly skip: boolean;
}

/** Probes `url`'s host and port with a TCP connection and a protocol greeting; resolves to a reason or ''. */
async function probe(url: string, greeting: Uint8Array, expect: (reply: Buffer) => boolean): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    const done = (reason: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer from ${url} within 1 s`), 1000);
    socket.on('connect', () => socket.write(greeting));
    socket.on('data', (reply) => done(expect(reply) ? '' : `unexpected reply from ${url}`));
    socket.on('error', (error) => done(`cannot reach ${url}: ${error.message}`));
  });
}

async function need(name: string, url: string, reason: Promise<string>): Promise<Service> {
  const why = await reason;
  if (why === '') return { name, url, skip: false };
  if (process.env.MESHPLAY_REQUIRE_SERVICES === '1') {
    throw new Error(`${name} is required (MESHPLAY_REQUIRE_SERVICES=1) but ${why}`);
  }
  console.warn(`[skipped] tests needing ${name}: ${why} (set ${name.toUpperCase()}_URL to point elsewhere)`);
  return { name, url, skip: true };
}

/** Redis at REDIS_URL (default redis://127.0.0.1:6379), answering PING. */
export function needRedis(): Promise<Service> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const reply = probe(url, new TextEncoder().encode('PING\r\n'), (data) =>
    data.toString().startsWith('+PONG'),
  );
  return need('redis', url, reply);
}

/** An MQTT broker at MQTT_URL (default mqtt://127.0.0.1:1883), answering CONNECT with CONNACK. */
export function needMqtt(): Promise<Service> {
  const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  // MQTT 3.1.1 CONNECT, clean session, keep-alive 10 s, client id "probe".
  const connect = new Uint8Array([
    0x10, 0x11, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a, 0x00, 0x05, 0x70, 0x72, 0x6f,
    0x62, 0x65,
  ]);
  const reply = probe(url, connect, (data) => data[0] === 0x20);
  return need('mqtt', url, reply);
}
