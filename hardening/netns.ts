// Network namespaces joined to the root namespace by veth pairs, for running real peers on a
// real (lossy) network path. Each peer namespace gets one veth whose other end stays in the root
// namespace, a /30 of 10.x between them, and no default route: a peer reaches only the root end of
// its own link, so every packet between two peers passes through whatever relay the test runs
// there. Loss is added with iptables' `statistic` match (this kernel has no `tc netem`), on
// packets arriving in a namespace: a rule on OUTPUT would fail the sender's sendto() with EPERM,
// which no lossy network does (see NetnsLab.setLoss).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** One peer namespace and its link to the root namespace. */
export interface NetnsLink {
  /** Namespace name (for `ip netns exec`). */
  readonly ns: string;
  /** Address of the peer inside the namespace. */
  readonly address: string;
  /** Address of the root-namespace end (where a relay binds). */
  readonly gateway: string;
  /** veth name in the root namespace. */
  readonly veth: string;
}

/** Every name this module creates starts with this, so leftovers of a crashed run are recognisable. */
export const PREFIX = 'mph';

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Why namespaces cannot be used here, or `undefined` if they can: needs root, `ip` with netns
 * support, and `iptables` with the statistic match (checked inside a throwaway namespace).
 */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (ip netns, iptables)';
  for (const tool of ['ip', 'iptables']) {
    try {
      run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed (apt-get install -y iproute2 iptables)`;
    }
  }
  const probe = `${PREFIX}probe${randomBytes(3).toString('hex')}`;
  try {
    run('ip', ['netns', 'add', probe]);
  } catch (error) {
    return `cannot create a network namespace: ${firstLine(error)}`;
  }
  try {
    run('ip', [
      'netns',
      'exec',
      probe,
      'iptables',
      '-A',
      'INPUT',
      '-p',
      'udp',
      ...statistic(0.5),
      '-j',
      'DROP',
    ]);
  } catch (error) {
    return `iptables statistic match unavailable: ${firstLine(error)}`;
  } finally {
    tryRun('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

function statistic(probability: number): string[] {
  return ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(4)];
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr;
  return (stderr || String(error)).split('\n')[0] ?? '';
}

function tryRun(command: string, args: string[]): void {
  try {
    run(command, args);
  } catch {
    // Cleanup of something already gone.
  }
}

/**
 * A set of peer namespaces created for one test. `close()` removes everything it made (namespaces,
 * veths, and with them the iptables rules inside); it also runs at process exit if the test
 * forgot or crashed.
 */
export class NetnsLab {
  readonly links: NetnsLink[] = [];
  readonly #tag = randomBytes(2).toString('hex');
  /** Third octet of the 10.x addresses: random, so parallel runs rarely collide (they also check). */
  readonly #subnet = 64 + ((randomBytes(1)[0] as number) % 128);
  readonly #onExit = () => this.close();
  #closed = false;

  constructor() {
    process.once('exit', this.#onExit);
  }

  /** Adds a namespace linked to the root namespace; `index` picks its /30 (0..63). */
  add(): NetnsLink {
    const index = this.links.length;
    const ns = `${PREFIX}${this.#tag}n${index}`;
    const veth = `${PREFIX}${this.#tag}v${index}`;
    const base = index * 4;
    const gateway = `10.213.${this.#subnet}.${base + 1}`;
    const address = `10.213.${this.#subnet}.${base + 2}`;
    const link: NetnsLink = { ns, address, gateway, veth };
    // Recorded before creation so a half-made link is still cleaned up.
    this.links.push(link);
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run('ip', ['addr', 'add', `${gateway}/30`, 'dev', veth]);
    run('ip', ['link', 'set', veth, 'up']);
    this.exec(link, 'ip', ['addr', 'add', `${address}/30`, 'dev', 'eth0']);
    this.exec(link, 'ip', ['link', 'set', 'eth0', 'up']);
    this.exec(link, 'ip', ['link', 'set', 'lo', 'up']);
    return link;
  }

  /** Runs a command inside `link`'s namespace, synchronously; returns its stdout. */
  exec(link: NetnsLink, command: string, args: string[]): string {
    return run('ip', ['netns', 'exec', link.ns, command, ...args]);
  }

  /**
   * Drops each UDP packet arriving in `link`'s namespace with probability `probability` (0 removes
   * the rule). Put it on both peers for loss in both directions.
   *
   * The rule sits on INPUT so that loss is silent, as on a real network. Dropped on OUTPUT, a
   * packet makes the sender's sendto() fail with EPERM, and both ends of the stack notice: usrsctp
   * keeps a chunk whose packet failed to leave as unsent and sends it again at the next chance (no
   * loss recovery, no congestion response, so SCTP barely saw the loss), while libjuice waits 15 s
   * after a failed ICE consent check instead of 4–6 s, so at 10% loss its 30 s consent window ran
   * out every few minutes and the connection failed (a reliable stream "stalled", its tail gone
   * with the link).
   */
  setLoss(link: NetnsLink, probability: number): void {
    this.exec(link, 'iptables', ['-F', 'INPUT']);
    if (probability > 0) {
      this.exec(link, 'iptables', ['-A', 'INPUT', '-p', 'udp', ...statistic(probability), '-j', 'DROP']);
    }
  }

  /** Packets the loss rule dropped so far in `link`'s namespace (all of them reached it first). */
  dropped(link: NetnsLink): number {
    const out = this.exec(link, 'iptables', ['-L', 'INPUT', '-v', '-x', '-n']);
    const rule = out.split('\n').find((line) => line.includes('DROP'));
    return rule ? Number(rule.trim().split(/\s+/)[0]) : 0;
  }

  /** Removes every namespace and veth this lab made. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    for (const link of this.links) {
      // Deleting the namespace destroys its veth end, its pair, and its iptables tables.
      tryRun('ip', ['netns', 'del', link.ns]);
      tryRun('ip', ['link', 'del', link.veth]);
    }
  }
}
