#!/usr/bin/env node
/**
 * `meshplay-signal`: runs the WebSocket signaling server.
 *
 *   meshplay-signal --port 9080 --host 127.0.0.1 [--redis redis://127.0.0.1:6379] [--redis-prefix p:]
 *
 * The token secret comes from MESHPLAY_SIGNAL_SECRET (or, with --redis, is shared through Redis).
 * Logs one line per event to stdout; `/healthz` answers on the same port; SIGTERM and SIGINT
 * stop it gracefully (clients reconnect and resume elsewhere or after a restart).
 */
import { parseArgs } from 'node:util';
import { type ServerLogEvent, SignalingServer } from './server/index.js';

const USAGE = `usage: meshplay-signal [--port 9080] [--host 127.0.0.1] [--redis redis://host:6379]
                       [--redis-prefix PREFIX] [--lease-ms 20000] [--ping-ms 15000]`;

/** Formats one event as a logfmt line: `time event=… key=value …`. */
function formatLogLine(event: ServerLogEvent, time = new Date()): string {
  const fields = Object.entries(event).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${/^[\w.:/@+-]*$/.test(text) && text !== '' ? text : JSON.stringify(text)}`;
  });
  return `${time.toISOString()} ${fields.join(' ')}`;
}

async function main(): Promise<void> {
  let values: Partial<Record<'port' | 'host' | 'redis' | 'redis-prefix' | 'lease-ms' | 'ping-ms', string>> & {
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        'lease-ms': { type: 'string' },
        'ping-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? 9080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`bad --port ${values.port}\n${USAGE}`);
    process.exit(2);
  }
  const durations: { leaseMs?: number; pingIntervalMs?: number } = {};
  for (const [flag, key] of [
    ['lease-ms', 'leaseMs'],
    ['ping-ms', 'pingIntervalMs'],
  ] as const) {
    if (values[flag] === undefined) continue;
    const ms = Number(values[flag]);
    if (!Number.isInteger(ms) || ms < 50) {
      console.error(`bad --${flag} ${values[flag]} (whole milliseconds, at least 50)\n${USAGE}`);
      process.exit(2);
    }
    durations[key] = ms;
  }
  const log = (event: ServerLogEvent) => console.log(formatLogLine(event));
  let server: SignalingServer;
  try {
    server = await SignalingServer.start({
      port,
      host: values.host ?? '127.0.0.1',
      ...durations,
      ...(values.redis ? { redis: values.redis } : {}),
      ...(values['redis-prefix'] ? { redisPrefix: values['redis-prefix'] } : {}),
      ...(process.env.MESHPLAY_SIGNAL_SECRET ? { secret: process.env.MESHPLAY_SIGNAL_SECRET } : {}),
      log,
    });
  } catch (error) {
    log({ event: 'fatal', node: '-', reason: String((error as Error).message ?? error) });
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ event: 'stopping', node: server.node, signal });
    const guard = setTimeout(() => process.exit(1), 5000);
    guard.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
