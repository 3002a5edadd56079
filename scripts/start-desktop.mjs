// `npm start`: launches the desktop app. Electron's binary is fetched on first
// use and better-sqlite3 is rebuilt for Electron's ABI into .electron-native/
// (the Node build in node_modules stays for the CLI and tests). Where the
// binary cannot be had (no network to Electron's download host), say so and
// point to browser mode, which runs the same app in Chromium.
import { spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const electronDir = join(root, 'node_modules', 'electron');
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

function giveUp(why) {
  console.error(`\nKliv desktop cannot start here: ${why}`);
  console.error('The same app runs in browser mode on this machine:  npm run serve');
  console.error('(then open the printed URL in Chromium, e.g. chromium --kiosk --app=URL)\n');
  process.exit(1);
}

let electronPath;
try {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8')))) {
    console.log(`Fetching the Electron ${electronVersion} binary …`);
    const res = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit', timeout: 300_000 });
    if (res.status !== 0) giveUp(`the Electron ${electronVersion} binary could not be downloaded.`);
  }
  electronPath = require('electron');
} catch (err) {
  giveUp(`the Electron binary is not available (${err instanceof Error ? err.message.split('\n')[0] : err}).`);
}

const nativeDir = join(root, '.electron-native', `electron-${electronVersion}`);
const binding = join(nativeDir, 'better-sqlite3-multiple-ciphers', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(binding)) {
  console.log(`Building better-sqlite3-multiple-ciphers for Electron ${electronVersion} …`);
  mkdirSync(nativeDir, { recursive: true });
  cpSync(join(root, 'node_modules', 'better-sqlite3-multiple-ciphers'), join(nativeDir, 'better-sqlite3-multiple-ciphers'), { recursive: true, filter: (src) => !src.includes(join('better-sqlite3-multiple-ciphers', 'build')) });
  const gyp = spawnSync('npm', ['exec', '--yes', '--', 'node-gyp', 'rebuild', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], { cwd: join(nativeDir, 'better-sqlite3'), stdio: 'inherit' });
  if (gyp.status !== 0 || !existsSync(binding)) giveUp('better-sqlite3-multiple-ciphers could not be built for Electron (its headers could not be fetched).');
}

const child = spawn(electronPath, [join(root, 'dist', 'electron', 'main.cjs')], {
  stdio: 'inherit',
  env: { ...process.env, KLIV_SQLITE_NATIVE_BINDING: binding, KLIV_KIOSK: process.env.KLIV_KIOSK ?? '0' },
});
child.on('exit', (code) => process.exit(code ?? 0));
