// `pnpm demo`: the arena over real WebRTC on loopback, with a live status line and a summary.
import { parseArgs } from 'node:util';
import { runDemo } from './run-demo.js';
import { formatStatus, formatSummary } from './summary.js';

const USAGE = `usage: pnpm demo [--peers N] [--topology host|mesh] [--duration S]
  --peers N        players, the host included (2–16, default 4)
  --topology T     host (a star around the host, default) or mesh
  --duration S     seconds of play (default 10); Ctrl-C ends early with the summary`;

function options() {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '4' },
      topology: { type: 'string', default: 'host' },
      duration: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const peers = Number(values.peers);
  const durationS = Number(values.duration);
  const topology = values.topology;
  if (!Number.isInteger(peers) || peers < 2 || peers > 16)
    throw new Error('--peers must be an integer in 2..16');
  if (!(durationS > 0)) throw new Error('--duration must be a positive number of seconds');
  if (topology !== 'host' && topology !== 'mesh') throw new Error('--topology must be host or mesh');
  return { peers, durationS, topology } as const;
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof options>;
  try {
    parsed = options();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!parsed) return;
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: do not wait for the close
    console.log('\nstopping…');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const tty = process.stdout.isTTY === true;
  console.log(
    `starting ${parsed.peers} peers (${parsed.topology}) for ${parsed.durationS} s over WebRTC on 127.0.0.1…`,
  );
  try {
    const summary = await runDemo({
      ...parsed,
      signal: abort.signal,
      onLobby: ({ code, url }) => console.log(`signaling ${url} · lobby ${code}`),
      onStatus: (status) => {
        const line = formatStatus(status);
        if (tty) process.stdout.write(`\r\x1b[2K${line}`);
        else console.log(line);
      },
    });
    if (tty) process.stdout.write('\n');
    console.log(`\n${formatSummary(summary)}`);
  } catch (error) {
    console.error(`\ndemo failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

await main();
