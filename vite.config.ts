import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is served from app://kliv/ (desktop) or http://127.0.0.1:PORT/
// (browser mode); relative asset paths work under both.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
