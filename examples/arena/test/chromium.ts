import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type NetnsLink, netnsUnavailable } from '../../../hardening/netns.js';

/** Where Debian's Chromium lives (override with CHROMIUM_PATH). */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium executable for the browser tests, or undefined (the suite is then skipped with a
 * printed reason), unless MESHPLAY_REQUIRE_SERVICES=1 (as in CI), where its absence fails.
 */
export function findChromium(): string | undefined {
  const found = CANDIDATES.find((path): path is string => !!path && existsSync(path));
  if (found) return found;
  const why = `no Chromium at ${CANDIDATES.filter(Boolean).join(' or ')} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.MESHPLAY_REQUIRE_SERVICES === '1') {
    throw new Error(`Chromium is required (MESHPLAY_REQUIRE_SERVICES=1) but there is ${why}`);
  }
  console.warn(`[skipped] browser tests: ${why}`);
  return undefined;
}

/** Flags for headless Chromium in a container: no sandbox, no GPU, no background throttling. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // Raw host candidates instead of mDNS names, which node-datachannel cannot resolve.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/**
 * Why the browser cannot run in a network namespace here, or undefined. Chromium gathers WebRTC
 * candidates on every non-loopback interface, so the test runs it in a namespace of its own whose
 * only link is a veth to the root namespace: its traffic stays on that veth. Without namespaces the
 * suite is skipped with the reason, unless MESHPLAY_REQUIRE_SERVICES=1, where that fails.
 */
export function browserNetnsProblem(): string | undefined {
  const why = netnsUnavailable();
  if (why === undefined) return undefined;
  if (process.env.MESHPLAY_REQUIRE_SERVICES === '1') {
    throw new Error(`network namespaces are required (MESHPLAY_REQUIRE_SERVICES=1): ${why}`);
  }
  console.warn(`[skipped] browser tests: ${why}`);
  return why;
}

/** Writes an executable that starts Chromium inside `link`'s namespace (for playwright's executablePath). */
export async function chromiumInNamespace(dir: string, chromium: string, link: NetnsLink): Promise<string> {
  const wrapper = join(dir, 'chromium-in-netns.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${link.ns} ${chromium} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}
