// `pnpm soak [--minutes N]`: runs soak/worker.ts in a child process, prints its growth figures,
// fails if heap, RSS or handles grew more than 10%, or if the child does not exit by itself
// within 15 s of finishing (a handle left open after close()).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { minutes: { type: 'string', default: '10' } },
});
const LIMIT = 0.1;
const here = dirname(fileURLToPath(import.meta.url));
const child = spawn(
  process.execPath,
  [
    '--expose-gc',
    '--conditions=@meshplay/source',
    '--import',
    'tsx',
    join(here, 'worker.ts'),
    values.minutes,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let output = '';
let exitDeadline: NodeJS.Timeout | undefined;
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  if (output.includes('\n') && !exitDeadline) {
    exitDeadline = setTimeout(() => {
      console.error('FAIL: the soak process did not exit within 15 s after closing everything');
      child.kill('SIGKILL');
      process.exitCode = 1;
    }, 15_000);
  }
});
child.on('exit', (code) => {
  clearTimeout(exitDeadline);
  const line = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 && process.exitCode !== 1) {
    console.error(`FAIL: the soak process exited with ${code}`);
    process.exitCode = 1;
    return;
  }
  const result = JSON.parse(line) as Record<string, number>;
  console.log(JSON.stringify(result));
  const over = (['heap_growth', 'rss_growth', 'handles_growth'] as const).filter(
    (key) => result[key]! > LIMIT,
  );
  if (over.length > 0) {
    console.error(`FAIL: grew more than ${LIMIT * 100}%: ${over.map((k) => `${k}=${result[k]}`).join(', ')}`);
    process.exitCode = 1;
  } else if (process.exitCode !== 1) {
    console.log(
      `ok: heap ${result.heap_growth}, rss ${result.rss_growth}, handles ${result.handles_growth} (limit ${LIMIT}); exited by itself`,
    );
  }
});
