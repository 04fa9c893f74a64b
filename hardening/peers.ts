// The test's side of a peer process (peer.ts): starts it (inside a network namespace with
// `ip netns exec`, or plainly), keeps what it reports, sends it commands, and kills it.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemorySignalingHub } from '@meshplay/signaling';
import { type Rewrite, serveSignaling, toChild } from './ipc-signaling.ts';
import type { PeerCommand, PeerConfig, PeerReport, ProbeReport } from './protocol.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** Where a peer process runs and how it finds the others. */
export interface StartOptions extends PeerConfig {
  /** Run inside this network namespace. */
  readonly ns?: string;
  /** With `signaling: 'ipc'`: the hub that serves it, and an optional rewrite of what it sends. */
  readonly hub?: MemorySignalingHub;
  readonly rewrite?: Rewrite;
}

/** A running peer process. */
export class PeerProcess {
  readonly reports: PeerReport[] = [];
  /** Resolves with the peer's signaling id once it joined. */
  readonly joined: Promise<string>;
  exitCode: number | null | undefined;
  signal: NodeJS.Signals | null | undefined;
  stderr = '';
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();

  private constructor(options: StartOptions) {
    const { ns, hub, rewrite, ...config } = options;
    const node = [
      process.execPath,
      '--conditions=@meshplay/source',
      '--import',
      'tsx',
      join(here, 'peer.ts'),
    ];
    const [command, ...args] = ns ? ['ip', 'netns', 'exec', ns, ...node] : node;
    this.#child = spawn(command as string, args, {
      cwd: root,
      env: { ...process.env, MESHPLAY_PEER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.#child.on('message', (message: PeerReport) => {
      if (typeof message !== 'object' || message === null || !('evt' in message)) return;
      this.reports.push(message);
      this.#wake();
    });
    this.#child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.signal = signal;
      this.#wake();
    });
    this.joined =
      config.signaling === 'ipc' && hub
        ? serveSignaling(this.#child, hub, rewrite)
        : this.next((r) => r.evt === 'joined', 30_000).then((r) => (r as { self: string }).self);
  }

  /** Starts a peer process. */
  static start(options: StartOptions): PeerProcess {
    const peer = new PeerProcess(options);
    live.add(peer);
    return peer;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  send(command: PeerCommand): void {
    toChild<PeerCommand>(this.#child, command);
  }

  /** Resolves with the first report (from `since` on) matching `match`; rejects after `timeoutMs`. */
  async next(match: (report: PeerReport) => boolean, timeoutMs: number, since = 0): Promise<PeerReport> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.reports.slice(since).find(match);
      if (found) return found;
      if (this.exited)
        throw new Error(`peer exited (${this.exitCode ?? this.signal}) before the report: ${this.stderr}`);
      const left = deadline - performance.now();
      if (left <= 0)
        throw new Error(`timed out after ${timeoutMs} ms waiting for a report; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /** Asks for and returns a fresh {@link ProbeReport}; latencies from the `latencySince`th RPC received on. */
  async probe(latencySince = 0, timeoutMs = 10_000): Promise<ProbeReport> {
    const since = this.reports.length;
    this.send({ cmd: 'report', since: latencySince });
    return (await this.next((r) => r.evt === 'report', timeoutMs, since)) as ProbeReport;
  }

  /** Kills the process with `signal` and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill(signal);
    await gone;
  }

  /** Asks the peer to leave cleanly; kills it if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.send({ cmd: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
    live.delete(this);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
    this.#waiters.clear();
  }
}

/** Every peer process still running, so a failed test never leaves one behind. */
const live = new Set<PeerProcess>();

/** Kills every peer process this test file started and has not stopped. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((peer) => peer.kill()));
  live.clear();
}
