import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function demo(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@meshplay/source', '--import', 'tsx', 'src/node/demo.ts', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    out += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

/** Resolves once `test` holds for the output, or rejects after `ms`. */
async function until(output: () => string, test: (text: string) => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test(output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pnpm demo (the CLI, as a child process)', () => {
  it('ends by itself after --duration with a status line and the summary', async () => {
    const run = demo(['--peers', '2', '--duration', '2']);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 50_000);
    const code = await run.exit;
    clearTimeout(timer);
    const text = run.output();
    expect(code, text).toBe(0);
    expect(text).toMatch(/peers 2 {2}tick \d+ {2}rtt/);
    expect(text).toContain('meshplay arena: 2 peers, topology host');
    expect(text).toContain('scores replicated: yes');
    expect(text).toMatch(/^bot-1 /m);
  }, 60_000);

  it('closes everything on Ctrl-C and still prints the summary', async () => {
    const run = demo(['--peers', '3', '--topology', 'mesh', '--duration', '120']);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 50_000);
    await until(run.output, (text) => /\] peers 3/.test(text), 40_000);
    run.child.kill('SIGINT');
    const code = await run.exit;
    clearTimeout(timer);
    const text = run.output();
    expect(code, text).toBe(0);
    expect(text).toContain('stopping');
    expect(text).toContain('meshplay arena: 3 peers, topology mesh');
  }, 60_000);

  it('refuses bad arguments with the usage', async () => {
    const run = demo(['--topology', 'ring']);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('--topology must be host or mesh');
  }, 30_000);
});
