import { describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './cli-process.js';
import { next, nextSignal, unique } from './helpers.js';
import { client } from './lobby-suite.js';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z event=[a-z-]+ node=\S+( \w+=\S+)*$/;

describe('meshplay-signal CLI', () => {
  it('starts, serves signaling and /healthz, logs one line per event and stops on SIGTERM', async () => {
    const cli: CliProcess = await startCli(['--port', '0', '--host', '127.0.0.1']);
    try {
      const health = await fetch(`http://127.0.0.1:${cli.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, store: 'memory', connections: 0 });

      const name = unique('cli');
      const a = await client(cli.url).join(name);
      const b = await client(cli.url).join(name);
      b.send(a.selfId, 'through the CLI');
      expect(await nextSignal(a, b.selfId)).toBe('through the CLI');

      const reconnecting = next(a, 'reconnecting');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      // A graceful stop asks clients to come back (1001), it does not throw them out.
      await reconnecting;
      await Promise.all([a.leave(), b.leave()]);

      const events = cli.lines.map((line) => / event=([a-z-]+)/.exec(line)?.[1]);
      expect(events.filter((event) => event === 'join')).toHaveLength(2);
      expect(events).toContain('listening');
      expect(events.slice(-2)).toEqual(['stopping', 'closed']);
      for (const line of cli.lines) expect(line).toMatch(LINE);
      expect(cli.lines.find((line) => line.includes('event=join'))).toContain(`room=${name}`);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with its usage and exit code 2', async () => {
    await Promise.all([
      expect(startCli(['--port', 'many'])).rejects.toThrow(/exited \(2\).*usage: meshplay-signal/s),
      expect(startCli(['--bogus'])).rejects.toThrow(/exited \(2\)/),
      expect(startCli(['--lease-ms', '5'])).rejects.toThrow(/exited \(2\).*--lease-ms/s),
    ]);
  });
});
