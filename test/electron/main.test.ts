import type { IpcMainInvokeEvent } from 'electron';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL } from '../../shared/api';
import type { AppOptions, KlivApp } from '../../electron/api/app';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/csp';
import { startKliv, type KlivDeps } from '../../electron/main/main';
import { asElectron, FakeBrowserWindow, FakeEvent, FakeWebContents, fakes, resetElectronFake, type ElectronFake } from './fakes';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

const PRELOAD = '/opt/kliv/dist/electron/preload.cjs';

let electron: ElectronFake;
let root: string;
let clock: number;
let logged: string[];
let fakeApp: { close: ReturnType<typeof vi.fn> };
let openApp: ReturnType<typeof vi.fn<(options: AppOptions) => KlivApp>>;

function deps(extra: Partial<KlivDeps> = {}): Partial<KlivDeps> {
  return {
    rendererDir: join(root, 'renderer'),
    preloadPath: PRELOAD,
    env: { KLIV_DATA_DIR: join(root, 'data') },
    openApp,
    now: () => clock,
    log: (message) => logged.push(message),
    ...extra,
  };
}

function theWindow(): FakeBrowserWindow {
  expect(FakeBrowserWindow.instances).toHaveLength(1);
  const win = FakeBrowserWindow.instances[0];
  if (!win) throw new Error('no window');
  return win;
}

beforeEach(() => {
  electron = resetElectronFake();
  root = mkdtempSync(join(tmpdir(), 'kliv-main-'));
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Kliv</title>');
  writeFileSync(join(root, 'outside.txt'), 'OUTSIDE');
  clock = 1_000_000;
  logged = [];
  fakeApp = { close: vi.fn() };
  openApp = vi.fn<(options: AppOptions) => KlivApp>(() => asElectron<KlivApp>(fakeApp));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('single instance', () => {
  it('quits a second instance before doing anything else', async () => {
    electron.app.hasSingleInstanceLock = false;
    expect(await startKliv(deps())).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.whenReady).not.toHaveBeenCalled();
    expect(openApp).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('brings the running window forward when a second instance starts', async () => {
    await startKliv(deps());
    const win = theWindow();
    win.minimized = true;
    electron.app.emit('second-instance', new FakeEvent(), ['kliv'], '/');
    expect(win.restore).toHaveBeenCalledTimes(1);
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalledTimes(1);
  });
});

describe('start-up', () => {
  it('registers app:// as a privileged scheme before ready and serves it only after', async () => {
    let ready: () => void = () => undefined;
    electron.app.ready = new Promise<void>((resolve) => { ready = resolve; });
    const started = startKliv(deps());
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) },
    ]);
    expect(electron.protocol.handle).not.toHaveBeenCalled();
    expect(openApp).not.toHaveBeenCalled();
    ready();
    await started;
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
  });

  it('opens the data in KLIV_DATA_DIR, or in userData/data by default', async () => {
    await startKliv(deps());
    // With the keys sealed by the OS key store (electron/main/secrets.ts), never the default plain files.
    const sealedKeys = expect.objectContaining({ describe: expect.any(Function), getOrCreate: expect.any(Function) });
    expect(openApp).toHaveBeenCalledWith({ dataDir: join(root, 'data'), secrets: sealedKeys });
    expect(openApp.mock.calls[0]?.[0].secrets?.describe()).toContain('sealed by the operating system');

    electron = resetElectronFake();
    electron.app.userDataDir = join(root, 'user');
    openApp.mockClear();
    await startKliv(deps({ env: {} }));
    expect(openApp).toHaveBeenCalledWith({ dataDir: join(root, 'user', 'data'), secrets: sealedKeys });
  });

  it('opens the kiosk window on app://kliv with the bundled preload', async () => {
    const started = await startKliv(deps());
    const win = theWindow();
    expect(started?.window).toBe(win);
    expect(win.options.kiosk).toBe(true);
    expect(win.options.webPreferences?.preload).toBe(PRELOAD);
    expect(win.loadURL).toHaveBeenCalledWith('app://kliv/index.html');
  });

  it('hardens the session and every webContents', async () => {
    await startKliv(deps());
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
    expect(electron.session.defaultSession.setPermissionCheckHandler).toHaveBeenCalledTimes(1);
    expect(electron.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('keeps the display awake', async () => {
    await startKliv(deps());
    expect(electron.powerSaveBlocker.start).toHaveBeenCalledWith('prevent-display-sleep');
  });

  it('quits when the window is closed and closes the database on quit', async () => {
    await startKliv(deps());
    electron.app.emit('window-all-closed');
    expect(electron.app.quit).toHaveBeenCalled();
    electron.app.emit('will-quit', new FakeEvent());
    electron.app.emit('will-quit', new FakeEvent());
    expect(fakeApp.close).toHaveBeenCalledTimes(1);
  });

  it('shows an error and quits instead of starting on a fresh database', async () => {
    openApp.mockImplementation(() => {
      throw new Error('database is newer than this version of Kliv');
    });
    expect(await startKliv(deps())).toBeNull();
    expect(electron.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    expect(electron.dialog.showErrorBox.mock.calls[0]?.[1]).toContain('database is newer than this version of Kliv');
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(openApp).toHaveBeenCalledTimes(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(electron.protocol.handle).not.toHaveBeenCalled();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});

describe('crashed renderer', () => {
  it('reloads the window, at most three times a minute', async () => {
    await startKliv(deps());
    const win = theWindow();
    const crash = () => win.webContents.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 1 });

    crash();
    expect(win.reload).toHaveBeenCalledTimes(1);
    clock += 1_000;
    crash();
    clock += 1_000;
    crash();
    expect(win.reload).toHaveBeenCalledTimes(3);

    clock += 1_000;
    crash();
    crash();
    expect(win.reload).toHaveBeenCalledTimes(3);
    expect(logged.filter((line) => line.includes('not reloading again'))).toHaveLength(1);

    // Once the first reload is a minute old there is room for one more.
    clock = 1_000_000 + 60_000;
    crash();
    expect(win.reload).toHaveBeenCalledTimes(4);
  });

  it('does nothing once the window is gone', async () => {
    await startKliv(deps());
    const win = theWindow();
    win.destroyed = true;
    win.webContents.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 1 });
    expect(win.reload).not.toHaveBeenCalled();
  });
});

describe('IPC wiring', () => {
  function invoke(sender: FakeWebContents, payload: unknown): Promise<unknown> {
    const handler = electron.ipcMain.handlers.get(IPC_CHANNEL);
    if (!handler) throw new Error('IPC transport not registered');
    return Promise.resolve(handler(asElectron<IpcMainInvokeEvent>({ sender, senderFrame: sender.mainFrame }), payload));
  }

  it('lets the main window reach dispatch and refuses any other webContents', async () => {
    await startKliv(deps());
    const win = theWindow();
    // An unknown method is answered by dispatch itself, which proves the call got there.
    expect(await invoke(win.webContents, { method: 'no.such', input: {} })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    const stranger = new FakeWebContents('app://kliv/index.html');
    expect(await invoke(stranger, { method: 'no.such', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses the main window once it has been destroyed', async () => {
    await startKliv(deps());
    const win = theWindow();
    win.destroyed = true;
    expect(await invoke(win.webContents, { method: 'no.such', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('app:// as registered', () => {
  it('serves the renderer folder with the CSP and refuses traversal', async () => {
    await startKliv(deps());
    const handler = electron.protocol.handlers.get('app');
    if (!handler) throw new Error('app:// not handled');
    const page = await handler(new Request('app://kliv/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const escape = await handler(new Request('app://kliv/..%2foutside.txt'));
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('OUTSIDE');
  });
});

describe('fakes', () => {
  it('are reset between tests', () => {
    expect(fakes()).toBe(electron);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });
});
