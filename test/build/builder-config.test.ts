/**
 * electron-builder.yml, checked offline: against electron-builder's own
 * configuration schema (the check `electron-builder` runs before packaging)
 * and against the lockdown rules of docs/security.md, so that loosening a
 * fuse or letting sources into the package fails here, not at a venue.
 * test/build/package.test.ts packs the app for real and looks inside.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

interface ConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Configuration | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as ConfigModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
interface FileMatcherClass {
  new (from: string, to: string, macroExpander: (pattern: string) => string, patterns: string[]): { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FileMatcher } = require('app-builder-lib/out/fileMatcher') as { FileMatcher: FileMatcherClass };

const load = (): Promise<Configuration> => getConfig(ROOT, null, null);

/** Whether `path` (a file, relative to the project) passes the `files` patterns, by electron-builder's own matcher. */
function included(patterns: readonly string[], path: string): boolean {
  const filter = new FileMatcher(ROOT, ROOT, (p) => p, [...patterns]).createFilter();
  return filter(join(ROOT, path), { isDirectory: () => false });
}

/** The `files` patterns; electron-builder's loader turns a plain list into one { filter } set. */
function filePatterns(config: Configuration): string[] {
  const sets = (Array.isArray(config.files) ? config.files : [config.files]) as unknown[];
  return sets.flatMap((set) => {
    if (typeof set === 'string') return [set];
    const { from, to, filter } = set as { from?: string; to?: string; filter?: string | string[] };
    // Copying from or to anywhere else than the app root would bypass these checks.
    expect(from ?? '.', 'files copy from the project root').toBe('.');
    expect(to ?? '.', 'files copy to the app root').toBe('.');
    return Array.isArray(filter) ? filter : filter ? [filter] : [];
  });
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await load();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validation is live: a misspelt option is refused', async () => {
    const config = { ...(await load()), electronFusez: { runAsNode: false } } as Configuration;
    await expect(validateConfiguration(config, new DebugLogger(false))).rejects.toThrow(/electronFusez|additional/i);
  });

  it('names the app and never publishes from a build machine', async () => {
    const config = await load();
    expect(config.productName).toBe('Kliv');
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/);
    expect(config.publish).toBeNull();
  });

  it('sets every fuse of the lockdown', async () => {
    const config = await load();
    expect(config.electronFuses).toEqual(expect.objectContaining({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    }));
  });

  it('packs the app into an asar archive, with nothing of the app left unpacked', async () => {
    const config = await load();
    expect(config.asar).toBe(true);
    expect(config.asarUnpack ?? []).toEqual([]);
    expect(config.extraResources ?? []).toEqual([]);
    expect(config.extraFiles ?? []).toEqual([]);
  });

  it('files take the built app and the native SQLite modules, never sources, tests, maps, data or dev tools', async () => {
    const patterns = filePatterns(await load());
    for (const path of [
      'package.json', 'dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html',
      'dist/renderer/assets/index-abc.js', 'dist/renderer/assets/zxing_reader-abc.wasm', 'dist/fonts/DejaVuSans.ttf',
      'node_modules/better-sqlite3-multiple-ciphers/lib/index.js', 'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node',
    ]) expect(included(patterns, path), path).toBe(true);
    for (const path of [
      'electron/main/main.ts', 'electron/services/secrets.ts', 'shared/api.ts', 'renderer/src/App.tsx', 'renderer/index.html',
      'test/electron/main.test.ts', 'test/e2e/kiosk.spec.ts', 'scripts/build.mjs', 'bin/kliv.cjs', 'docs/security.md', 'README.md',
      'dist/electron/main.cjs.map', 'dist/renderer/assets/index-abc.js.map', 'dist/electron/cli.cjs', 'dist/bench/checkin.cjs',
      'demo-data/kliv.sqlite', 'keys/database.key', 'kliv.sqlite', 'out/linux-unpacked/kliv', 'test-results/x.png', '.ci/run',
      'electron-builder.yml', 'tsconfig.json', 'vite.config.ts', 'package-lock.json', '.git/config',
      'node_modules/electron/dist/electron', 'node_modules/electron-builder/cli.js', 'node_modules/vitest/index.js',
      'node_modules/@doyensec/electronegativity/dist/index.js', 'node_modules/typescript/lib/typescript.js', 'node_modules/react/index.js',
      'node_modules/better-sqlite3-multiple-ciphers/src/better_sqlite3.cpp', 'node_modules/better-sqlite3-multiple-ciphers/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3-multiple-ciphers/build/Release/test_extension.node', 'node_modules/better-sqlite3-multiple-ciphers/build/Release/obj/x.o',
    ]) expect(included(patterns, path), path).toBe(false);
  });

  it('every runtime dependency the bundle leaves external is shipped', () => {
    const config = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const external = /external:\s*\[([^\]]*)\]/.exec(config)?.[1] ?? '';
    const modules = [...external.matchAll(/'([^']+)'/g)].map((m) => m[1]!).filter((m) => m !== 'electron');
    expect(modules.sort()).toEqual(['better-sqlite3', 'better-sqlite3-multiple-ciphers']);
  });

  it('rebuilds the native modules for Electron at packaging', async () => {
    const config = await load();
    expect(config.npmRebuild).not.toBe(false);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies['better-sqlite3-multiple-ciphers']).toBeDefined();
    // electron-builder wants Electron as a dev dependency, and pins its version from it.
    expect(pkg.devDependencies['electron']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies['electron-builder']).toMatch(/^\d+\.\d+\.\d+$/);
    // The rebuild happens in node_modules; `npm run dist` puts the Node builds back for the CLI and tests.
    expect(pkg.scripts['dist']).toMatch(/scripts\/build\.mjs && electron-builder .*&& npm rebuild better-sqlite3 better-sqlite3-multiple-ciphers$/);
  });

  it('Windows: a per-machine NSIS installer that never deletes the venue data; Linux: AppImage and deb', async () => {
    const config = await load();
    const targets = (list: unknown): string[] => (Array.isArray(list) ? list : [list]).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
    expect(targets(config.win?.target)).toEqual(['nsis']);
    expect(config.nsis?.perMachine).toBe(true);
    expect(config.nsis?.deleteAppDataOnUninstall).toBe(false);
    expect(targets(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
  });

  it('has its icons: an SVG source, 512 and 256 PNGs and a Windows .ico', async () => {
    const config = await load();
    for (const file of ['build/icon.svg', 'build/icon.png', 'build/icons/512x512.png', 'build/icons/256x256.png', 'build/icon.ico']) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    const png = (file: string): { width: number; height: number } => {
      const bytes = readFileSync(join(ROOT, file));
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    };
    expect(png('build/icons/512x512.png')).toEqual({ width: 512, height: 512 });
    expect(png('build/icons/256x256.png')).toEqual({ width: 256, height: 256 });
    expect(readFileSync(join(ROOT, 'build/icon.ico')).readUInt16LE(2)).toBe(1); // ICO type
    expect(config.win?.icon).toBe('build/icon.ico');
    expect(config.linux?.icon).toBe('build/icons');
  });
});
