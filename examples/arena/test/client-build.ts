import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';

/** The example's folder (where index.html and vite.config.ts live). */
export const exampleRoot = fileURLToPath(new URL('..', import.meta.url));

/** Builds the browser client with the example's Vite config into `outDir`; returns the JS chunks. */
export async function buildClient(outDir: string): Promise<Rollup.OutputChunk[]> {
  const result = await build({
    root: exampleRoot,
    configFile: join(exampleRoot, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  return outputs.flatMap((o) => o.output).filter((item): item is Rollup.OutputChunk => item.type === 'chunk');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** Serves a built client on 127.0.0.1 (any free port); resolves with its base URL. */
export async function serveStatic(dir: string, host = '127.0.0.1'): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address() as { port: number };
  return { url: `http://${host}:${address.port}`, server };
}
