/**
 * Packs the app for real with electron-builder (Linux, unpacked directory)
 * and looks inside. The Electron binary cannot be downloaded on the build
 * machines, so a stand-in takes its place: a file carrying Electron's fuse
 * wire (the sentinel @electron/fuses searches for, then the wire with every
 * fuse in its unsafe state). That is enough to prove that electron-builder
 * flips each fuse as electron-builder.yml says and that the asar holds the
 * built app and nothing else. Native modules are not rebuilt here (that
 * needs Electron's headers from the network); docs/packaging.md covers it.
 *
 * Needs the built app (node scripts/build.mjs, the first step of npm test).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const BUILT = ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html'].every((f) => existsSync(join(ROOT, f)));

/** From @electron/fuses: the wire follows this marker in the Electron binary. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 0x31;
const DISABLE = 0x30;
/** FuseV1Options order in @electron/fuses 1.x. */
const FUSES = ['runAsNode', 'enableCookieEncryption', 'enableNodeOptionsEnvironmentVariable', 'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation', 'onlyLoadAppFromAsar', 'loadBrowserProcessSpecificV8Snapshot', 'grantFileProtocolExtraPrivileges'] as const;

interface AsarModule { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const asar = require('@electron/asar') as AsarModule;

let work: string;
let unpacked: string;
let build: ReturnType<typeof spawnSync>;

/** An "Electron" whose fuses all start out in the state the lockdown forbids. */
function standInElectron(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  const unsafe = FUSES.map((f) => (f === 'runAsNode' || f.startsWith('enableNode') || f === 'grantFileProtocolExtraPrivileges' ? ENABLE : DISABLE));
  writeFileSync(join(dir, 'electron'), Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in for Electron"\n'), Buffer.from(SENTINEL, 'latin1'), Buffer.from([1, FUSES.length, ...unsafe]), Buffer.alloc(32),
  ]), { mode: 0o755 });
  writeFileSync(join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(join(dir, 'version'), 'stand-in');
}

function fuseWire(binary: string): Record<string, boolean> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  expect(at).toBeGreaterThanOrEqual(SENTINEL.length);
  expect(bytes[at]).toBe(1);
  return Object.fromEntries(FUSES.map((name, i) => [name, bytes[at + 2 + i] === ENABLE]));
}

describe.skipIf(!BUILT)('the packaged app (Linux, stand-in Electron binary)', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kliv-package-'));
    standInElectron(join(work, 'electron'));
    build = spawnSync(process.execPath, [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--linux', 'dir', '--publish', 'never',
      `-c.electronDist=${join(work, 'electron')}`, '-c.npmRebuild=false', `-c.directories.output=${join(work, 'out')}`,
    ], { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: 'true', ELECTRON_BUILDER_CACHE: join(work, 'cache') } });
    unpacked = join(work, 'out', 'linux-unpacked');
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('electron-builder packs it', () => {
    expect(build.status, `${String(build.stdout)}\n${String(build.stderr)}`).toBe(0);
    expect(existsSync(join(unpacked, 'kliv'))).toBe(true);
    expect(existsSync(join(unpacked, 'resources', 'app.asar'))).toBe(true);
    // The app is only in the asar: nothing Electron could load from resources/app instead.
    expect(existsSync(join(unpacked, 'resources', 'app'))).toBe(false);
  });

  it('flips every fuse of the lockdown in the binary', () => {
    expect(fuseWire(join(unpacked, 'kliv'))).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('the asar holds the built app and the native SQLite modules, and nothing else', () => {
    const archive = join(unpacked, 'resources', 'app.asar');
    const files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
    expect(files).toContain(`/${pkg.main}`);
    expect(files).toEqual(expect.arrayContaining(['/dist/electron/preload.cjs', '/dist/renderer/index.html', '/dist/fonts/DejaVuSans.ttf']));
    expect(files.some((f) => f.endsWith('.wasm'))).toBe(true); // the QR decoder ships inside the app
    const modules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]));
    expect([...modules].sort()).toEqual(['better-sqlite3', 'better-sqlite3-multiple-ciphers', 'bindings', 'file-uri-to-path']);
    const forbidden = files.filter((f) =>
      /\.(map|ts|tsx)$/.test(f) || /^\/(electron|shared|renderer|test|scripts|bin|docs|build|out|demo-data)\//.test(f)
      || /\.(sqlite|key|sealed)$/.test(f) || /\/(src|deps)\//.test(f) || f.includes('test_extension') || f === '/dist/electron/cli.cjs' || f.startsWith('/dist/bench'));
    expect(forbidden).toEqual([]);
  });

  it('keeps the native modules outside the archive where Electron can load them', () => {
    for (const mod of ['better-sqlite3-multiple-ciphers', 'better-sqlite3']) {
      expect(existsSync(join(unpacked, 'resources', 'app.asar.unpacked', 'node_modules', mod, 'build', 'Release', 'better_sqlite3.node')), mod).toBe(true);
    }
  });
});
