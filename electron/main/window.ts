/**
 * The one kiosk window. Everything a participant can reach is this window,
 * so it is locked to the app's own pages: no navigation, no popups, no
 * devtools in a packaged build, and the renderer runs sandboxed without Node.
 */
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from '../api/ipc';
import { lockDownWebContents } from './security';

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  preloadPath: string;
  /** app.isPackaged: a packaged build is a venue's kiosk, never a developer's. */
  isPackaged: boolean;
  env?: NodeJS.ProcessEnv;
  url?: string;
}

/** Matches the renderer's background so a (re)load never flashes white. */
export const WINDOW_BACKGROUND = '#10151c';

/** KLIV_KIOSK=0 leaves kiosk mode off so a developer can use the desktop. */
export function kioskModeWanted(env: NodeJS.ProcessEnv): boolean {
  return env['KLIV_KIOSK'] !== '0';
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const kiosk = kioskModeWanted(options.env ?? process.env);
  const devTools = !options.isPackaged;
  const win = new BrowserWindow({
    kiosk,
    fullscreen: kiosk,
    width: 1280,
    height: 800,
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    title: 'Kliv',
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools,
      spellcheck: false,
    },
  });

  // Shown only once painted, so the kiosk never displays an empty frame.
  win.once('ready-to-show', () => win.show());

  const contents = win.webContents;
  lockDownWebContents(contents);
  if (!devTools) {
    // devTools:false already refuses to open them; this catches any path
    // that slips past it, since devtools on a kiosk expose every record.
    contents.on('devtools-opened', () => contents.closeDevTools());
    // The default menu's accelerators (reload, zoom, devtools) still fire
    // with the menu bar hidden; a packaged kiosk wants none of them.
    win.removeMenu();
  }

  win.loadURL(options.url ?? APP_ENTRY_URL).catch((err: unknown) => {
    console.error('[kliv] the window could not load the app:', err instanceof Error ? err.message : String(err));
  });
  return win;
}
