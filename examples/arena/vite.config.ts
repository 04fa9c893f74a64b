import { defaultClientConditions, defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript sources (`@meshplay/source`), and the browser
// conditions pick transport-webrtc's RTCPeerConnection driver, so nothing Node-only is bundled.
// esbuild lowers the TC39 decorators for es2022.
export default defineConfig({
  resolve: { conditions: ['@meshplay/source', ...defaultClientConditions] },
  esbuild: { target: 'es2022' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
