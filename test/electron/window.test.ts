import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, FakeEvent, resetElectronFake } from './fakes';
import { createMainWindow, kioskModeWanted } from '../../electron/main/window';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

const PRELOAD = '/opt/kliv/dist/electron/preload.cjs';

function open(options: { isPackaged?: boolean; env?: NodeJS.ProcessEnv } = {}): FakeBrowserWindow {
  createMainWindow({ preloadPath: PRELOAD, isPackaged: options.isPackaged ?? true, env: options.env ?? {} });
  const win = FakeBrowserWindow.instances.at(-1);
  if (!win) throw new Error('no window was created');
  return win;
}

describe('createMainWindow', () => {
  beforeEach(() => {
    resetElectronFake();
  });

  it('opens a fullscreen kiosk window', () => {
    const win = open();
    expect(win.options.kiosk).toBe(true);
    expect(win.options.fullscreen).toBe(true);
  });

  it('leaves kiosk mode off only when KLIV_KIOSK=0', () => {
    expect(open({ env: { KLIV_KIOSK: '0' } }).options.kiosk).toBe(false);
    expect(open({ env: { KLIV_KIOSK: '1' } }).options.kiosk).toBe(true);
    expect(kioskModeWanted({})).toBe(true);
    expect(kioskModeWanted({ KLIV_KIOSK: 'false' })).toBe(true);
  });

  it('isolates and sandboxes the renderer without Node', () => {
    const prefs = open().options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      preload: PRELOAD,
    });
  });

  it('loads the app from app://kliv/, never from file://', () => {
    const win = open();
    expect(win.loadURL).toHaveBeenCalledTimes(1);
    const url = win.loadURL.mock.calls[0]?.[0];
    expect(url).toBe('app://kliv/index.html');
    expect(url?.startsWith('file:')).toBe(false);
  });

  it('stays hidden until the first paint', () => {
    const win = open();
    expect(win.options.show).toBe(false);
    expect(typeof win.options.backgroundColor).toBe('string');
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledTimes(1);
  });

  it('prevents navigation and redirects away from the app', () => {
    const contents = open().webContents;
    for (const event of ['will-navigate', 'will-redirect']) {
      const e = new FakeEvent();
      contents.emit(event, e, 'https://example.org/');
      expect(e.defaultPrevented, event).toBe(true);
    }
  });

  it('denies window.open', () => {
    const contents = open().webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://kliv/index.html' })).toEqual({ action: 'deny' });
  });

  it('disables devtools in a packaged build and closes them if they open anyway', () => {
    const win = open({ isPackaged: true });
    expect(win.options.webPreferences?.devTools).toBe(false);
    win.webContents.emit('devtools-opened');
    expect(win.webContents.closeDevTools).toHaveBeenCalledTimes(1);
    expect(win.removeMenu).toHaveBeenCalled();
  });

  it('keeps devtools for development builds', () => {
    const win = open({ isPackaged: false });
    expect(win.options.webPreferences?.devTools).toBe(true);
    win.webContents.emit('devtools-opened');
    expect(win.webContents.closeDevTools).not.toHaveBeenCalled();
  });
});
