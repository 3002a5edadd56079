// Builds everything the app runs: the main process, preload and CLI with
// esbuild (CommonJS, Node target, native and Electron modules external) and
// the renderer with Vite. Fast enough to run before every start and test.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { cpSync, existsSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.env.NODE_ENV === 'production';
const quiet = process.argv.includes('--quiet');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  external: ['electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers'],
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

const entries = [
  ['electron/main/main.ts', 'dist/electron/main.cjs'],
  ['electron/preload/preload.ts', 'dist/electron/preload.cjs'],
  ['electron/cli/kliv.ts', 'dist/electron/cli.cjs'],
].filter(([src]) => existsSync(join(root, src)));

await Promise.all(entries.map(([src, out]) => build({ ...common, entryPoints: [join(root, src)], outfile: join(root, out) })));
// The fonts generated PDFs embed (reports, cards) ship beside the bundle, in
// dist/fonts, where electron/services/fonts.ts looks first.
if (existsSync(join(root, 'build', 'fonts'))) cpSync(join(root, 'build', 'fonts'), join(root, 'dist', 'fonts'), { recursive: true });
await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
if (!quiet) console.log(`built ${entries.map(([, o]) => o).join(', ')} and dist/renderer`);
