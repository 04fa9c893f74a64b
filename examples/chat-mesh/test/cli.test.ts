// The real program, as a child process with scripted stdin, against a signaling server in this
// test; the other side of the chat is a ChatClient in this process.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SignalingServer } from '@meshplay/signaling/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../src/chat-client.js';
import { record, waitFor } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CLI as a child: its output lines so far, a way to type, and its exit. */
interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Types one line. */
  type(line: string): void;
  /** Resolves with the first output line (from `from` on) matching `pattern`. */
  line(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpExecArray>;
}

let server: SignalingServer;
const children: ChildProcessWithoutNullStreams[] = [];
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await SignalingServer.start({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(clients.map((c) => c.quit()));
  await server.close();
});

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--conditions=@meshplay/source', '--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    type: (line) => child.stdin.write(`${line}\n`),
    async line(pattern, timeoutMs = 10_000, from = 0) {
      let match: RegExpExecArray | null = null;
      await waitFor(
        () => lines.slice(from).some((l) => (match = pattern.exec(l)) !== null),
        timeoutMs,
        () => `a line matching ${pattern}; output so far:\n${lines.join('\n')}`,
      );
      return match!;
    },
  };
}

/** Resolves with the exit, or rejects after `timeoutMs` with the output so far. */
function exitWithin(cli: Cli, timeoutMs: number) {
  return Promise.race([
    cli.exited,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no exit within ${timeoutMs} ms:\n${cli.lines.join('\n')}`)),
        timeoutMs,
      ),
    ),
  ]);
}

describe('the chat-mesh program', () => {
  it('creates a lobby, chats with a peer that joined by its code, lists, seals and quits cleanly', async () => {
    const cli = startCli(['--server', server.url, '--create', '--name', 'alice', '--bind', '127.0.0.1']);
    const [, code] = await cli.line(/^\* lobby created, join code ([A-Z0-9]{6})/, 15_000);
    const bob = await ChatClient.join(code!, { server: server.url, name: 'bob', bindAddress: '127.0.0.1' });
    clients.push(bob);
    const heard = record(bob);
    await cli.line(/^\* bob joined$/);

    cli.type('hello bob');
    await waitFor(() => heard.message.length === 1, 5000, 'the message from the program');
    expect(heard.message[0]).toMatchObject({ name: 'alice', text: 'hello bob' });
    bob.say('hi alice');
    await cli.line(/^<bob> hi alice$/);

    cli.type('//slash is text');
    await waitFor(() => heard.message.length === 2, 5000, 'a line starting with a slash');
    expect(heard.message[1]!.text).toBe('/slash is text');
    let from = cli.lines.length;
    cli.type('/who');
    await cli.line(/^\* 2 in the chat:$/, 5000, from);
    await cli.line(/^\* {3}alice \(you, host\)$/, 5000, from);
    await cli.line(/^\* {3}bob rtt (\?|\d+\.\d ms)$/, 5000, from);

    from = cli.lines.length;
    cli.type('/frobnicate');
    await cli.line(/^! unknown command \/frobnicate/, 5000, from);
    cli.type('/seal');
    await cli.line(/^\* the lobby is sealed: nobody else can join$/, 5000, from);
    await waitFor(() => heard.sealed.length === 1, 5000, 'bob to hear of the seal');
    await expect(
      ChatClient.join(code!, { server: server.url, name: 'late', bindAddress: '127.0.0.1' }),
    ).rejects.toMatchObject({ code: 'E_SEALED' });

    cli.type('/quit');
    expect(await exitWithin(cli, 10_000)).toEqual({ code: 0, signal: null });
    expect(cli.lines.at(-1)).toBe('* bye');
    // Bob saw alice leave with a goodbye and took the session over.
    await waitFor(
      () => heard.left.length === 1 && heard['host-changed'].length === 1,
      3000,
      'alice to leave',
    );
    expect(heard.left[0]).toMatchObject({ name: 'alice', code: 'left' });
    expect(heard['host-changed'][0]).toEqual({ host: bob.id, name: 'bob' });
    expect(cli.lines.filter((l) => l.startsWith('!'))).toEqual([
      '! unknown command /frobnicate (type to chat; /who lists everyone, /seal closes the lobby (host), /quit leaves)',
    ]);
  }, 25_000);

  it('joins by code, shows who is here and hears a host change; a join to a sealed lobby exits 1 with E_SEALED', async () => {
    const host = await ChatClient.create({ server: server.url, name: 'host', bindAddress: '127.0.0.1' });
    clients.push(host);
    // Started first, checked last: a usage error exits 2 before connecting anywhere.
    const confused = startCli(['--server', server.url, '--create', '--join', host.code]);
    const cli = startCli([
      '--server',
      server.url,
      '--join',
      host.code.toLowerCase(),
      '--name',
      'zoe',
      '--bind',
      '127.0.0.1',
    ]);
    await cli.line(new RegExp(`^\\* joined lobby ${host.code} as zoe$`), 15_000);
    await cli.line(/^\* host (is here|joined)$/);
    host.say('welcome, zoe');
    await cli.line(/^<host> welcome, zoe$/);
    await host.seal();
    await cli.line(/^\* the lobby is sealed/);
    cli.type('/seal');
    await cli.line(/^! the lobby is already sealed$/);
    const late = startCli(['--server', server.url, '--join', host.code, '--name', 'late']);
    expect(await exitWithin(late, 15_000)).toEqual({ code: 1, signal: null });
    expect(late.lines.join('\n')).toMatch(/^! could not join: E_SEALED: /m);
    await host.quit();
    await cli.line(/^\* host left$/);
    await cli.line(/^\* you are now the host$/);
    cli.child.stdin.end(); // end of input leaves like /quit
    expect(await exitWithin(cli, 10_000)).toEqual({ code: 0, signal: null });
    expect(await exitWithin(confused, 1000)).toEqual({ code: 2, signal: null });
    expect(confused.lines[0]).toBe('give exactly one of --create and --join CODE');
  }, 25_000);
});
