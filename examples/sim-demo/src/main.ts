// `pnpm demo`: a host and bots on a simulated network, in real time, with a live status line.
import { parseArgs } from 'node:util';
import { runDemo } from './run.js';

const { values } = parseArgs({
  // pnpm forwards a literal '--' before the script's own flags.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    bots: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    latency: { type: 'string', default: '40' },
    loss: { type: 'string', default: '0.05' },
    seed: { type: 'string', default: '7' },
  },
});

const tty = process.stdout.isTTY;
console.log(
  `meshplay demo: 1 host + ${values.bots} bots on SimNetwork (${values.latency} ms, ${Number(values.loss) * 100}% loss) for ${values.seconds} s`,
);
const summary = await runDemo({
  bots: Number(values.bots),
  seconds: Number(values.seconds),
  tickHz: 30,
  latencyMs: Number(values.latency),
  loss: Number(values.loss),
  seed: Number(values.seed),
  realtime: true,
  onStatus: (line) => (tty ? process.stdout.write(`\r${line.padEnd(110)}`) : console.log(line)),
});
if (tty) process.stdout.write('\n');
console.log('summary:', JSON.stringify(summary, null, 2));
