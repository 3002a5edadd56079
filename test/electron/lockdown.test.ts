/**
 * A packaged kiosk has no way in for a debugger: devtools are off and closed
 * if they open (window.test.ts), and a start with a debugging switch is
 * refused before any data is opened. Chromium's --remote-debugging-port has
 * no fuse, unlike Node's --inspect (test/build/package.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppOptions, KlivApp } from '../../electron/api/app';
import { debuggingSwitches, startKliv, type KlivDeps } from '../../electron/main/main';
import { asElectron, FakeBrowserWindow, resetElectronFake, type ElectronFake } from './fakes';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

let electron: ElectronFake;
let root: string;
let openApp: ReturnType<typeof vi.fn<(options: AppOptions) => KlivApp>>;

function deps(argv: string[]): Partial<KlivDeps> {
  return {
    rendererDir: root,
    preloadPath: '/opt/kliv/dist/electron/preload.cjs',
    env: { KLIV_DATA_DIR: join(root, 'data') },
    openApp,
    log: () => undefined,
    argv: ['/opt/Kliv/kliv', ...argv],
  };
}

beforeEach(() => {
  electron = resetElectronFake();
  root = mkdtempSync(join(tmpdir(), 'kliv-lockdown-'));
  openApp = vi.fn<(options: AppOptions) => KlivApp>(() => asElectron<KlivApp>({ close: vi.fn() }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('debugging switches', () => {
  it.each([
    ['--remote-debugging-port=9222'], ['--remote-debugging-port', '9222'], ['--remote-debugging-pipe'],
    ['--inspect'], ['--inspect=9229'], ['--inspect-brk=0.0.0.0:9229'], ['--inspect-port=9229'], ['--debug'], ['--debug-brk'],
    ['-remote-debugging-port=9222'], ['/remote-debugging-port=9222'], ['--Remote-Debugging-Port=9222'],
  ])('a packaged kiosk started with %s refuses to start, before it opens any data', async (...argv) => {
    electron.app.isPackaged = true;
    expect(await startKliv(deps(argv))).toBeNull();
    expect(electron.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    expect(electron.dialog.showErrorBox.mock.calls[0]?.[1]).toContain(argv[0]!.split('=')[0]);
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(electron.app.requestSingleInstanceLock).not.toHaveBeenCalled();
    expect(openApp).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('ordinary switches (and look-alikes) start normally', async () => {
    electron.app.isPackaged = true;
    const argv = ['--no-sandbox', '--lang=sv', '--debugger-like', '--inspector', 'file--inspect', '/opt/remote-debugging-port', '---inspect'];
    expect(debuggingSwitches(argv)).toEqual([]);
    expect(await startKliv(deps(argv))).not.toBeNull();
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances[0]?.options.webPreferences?.devTools).toBe(false);
  });

  it('a development build may be debugged', async () => {
    electron.app.isPackaged = false;
    expect(await startKliv(deps(['--remote-debugging-port=9222']))).not.toBeNull();
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances[0]?.options.webPreferences?.devTools).toBe(true);
  });
});
