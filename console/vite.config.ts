// `npm run build:console`: console/ → console/dist/, served under /console/ by the dev cluster's API server
// (devcluster/apiserver/http/console-static.ts) or by the nginx in manifests/console/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Node 24 and current Chromium/Firefox/Safari; no legacy transforms to ship.
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  logLevel: 'warn',
});
