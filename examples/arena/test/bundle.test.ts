import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClient } from './client-build.js';

const NODE_ONLY_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](node:[^"']*|node-datachannel[^"']*|ws|ioredis|mqtt)["']/;

describe('the browser bundle', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pulls in no Node-only code, and does pull in the RTCPeerConnection driver', async () => {
    dir = await mkdtemp(join(tmpdir(), 'arena-bundle-'));
    const chunks = await buildClient(dir);
    expect(chunks.length).toBeGreaterThan(0);
    const modules = chunks.flatMap((chunk) => Object.keys(chunk.modules));
    const code = chunks.map((chunk) => chunk.code).join('\n');
    // What went in: the game and the browser-side packages, from their sources.
    expect(modules.some((m) => m.endsWith('transport-webrtc/src/browser-driver.ts'))).toBe(true);
    expect(modules.some((m) => m.endsWith('signaling/src/websocket.ts'))).toBe(true);
    expect(modules.some((m) => m.endsWith('arena/src/browser/main.ts'))).toBe(true);
    expect(code).toContain('RTCPeerConnection');
    // What must stay out.
    const nodeOnly = modules.filter((m) =>
      /node-driver|node-datachannel|[/\\]ws[/\\]|signaling[/\\]src[/\\]server|ioredis|mqtt|^node:/.test(m),
    );
    expect(nodeOnly).toEqual([]);
    expect(chunks.flatMap((chunk) => chunk.imports)).toEqual([]);
    expect(code).not.toMatch(NODE_ONLY_IMPORT);
  }, 60_000);
});
