/**
 * Entry of the Electron main process (bundled to dist/electron/main.cjs).
 *
 * Startup order matters: the app:// scheme must be registered as privileged
 * before 'ready', and the data must be opened before any window exists, so a
 * venue never sees a kiosk running on a silently created empty database.
 * startKliv is exported so the start-up can be tested against a fake
 * 'electron'; the module only starts itself inside Electron's main process.
 */
import { app, BrowserWindow, dialog, ipcMain, powerSaveBlocker, protocol, safeStorage, session } from 'electron';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { openApp, type AppOptions, type KlivApp } from '../api/app';
import { createDispatcher } from '../api/dispatch';
import { startExportScheduler, type ExportScheduler } from '../services/exportScheduler';
import { startMaintenanceScheduler } from '../services/maintenance';
import type { SecretStore } from '../services/secrets';
import { APP_HOST, APP_SCHEME, registerIpcTransport } from '../api/ipc';
import { CONTENT_SECURITY_POLICY } from './csp';
import { registerDesktopPrinting } from './print';
import { createSafeStorageSecretStore, unlockExistingSecrets } from './secrets';
import { guardAllWebContents, hardenSession } from './security';
import { createMainWindow } from './window';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  // Streaming WebAssembly compilation refuses any other type.
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
};

function securityHeaders(contentType: string): Headers {
  return new Headers({
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
}

function plainResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Maps an app:// URL to a file under rootDir, or null. Percent-decoding can
 * turn '%2F' into a separator after the URL parser has already removed dot
 * segments, so containment is checked on the decoded path and again after
 * following symlinks.
 */
export async function resolveRendererFile(rootDir: string, url: string): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const root = resolve(rootDir);
  const candidate = resolve(root, `.${path}`);
  if (!isInside(root, candidate)) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realFile)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return realFile;
  } catch {
    return null;
  }
}

/** The app:// handler: serves the built renderer and nothing else. */
export function createRendererProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plainResponse(405, 'Method not allowed');
    const file = await resolveRendererFile(rootDir, request.url);
    if (!file) return plainResponse(404, 'Not found');
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = new Uint8Array(await readFile(file));
    } catch {
      return plainResponse(404, 'Not found');
    }
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: securityHeaders(type) });
  };
}

export interface CrashPolicy {
  maxReloads: number;
  perMs: number;
  now: () => number;
  log: (message: string) => void;
}

/**
 * Reloads the window when its renderer dies, so an unattended kiosk recovers
 * from a crash or an out-of-memory kill. A renderer that dies straight after
 * every load would otherwise spin the CPU forever, so reloads are capped per
 * time window; past the cap the window is left as it is and it is logged once.
 */
export function reloadOnRendererCrash(win: BrowserWindow, policy: CrashPolicy): void {
  const recent: number[] = [];
  let gaveUp = false;
  win.webContents.on('render-process-gone', (_event, details) => {
    if (win.isDestroyed()) return;
    const now = policy.now();
    while (recent.length > 0 && now - (recent[0] ?? now) >= policy.perMs) recent.shift();
    if (recent.length >= policy.maxReloads) {
      if (!gaveUp) policy.log(`renderer gone (${details.reason}) ${recent.length + 1} times within ${policy.perMs / 1000} s; not reloading again`);
      gaveUp = true;
      return;
    }
    gaveUp = false;
    recent.push(now);
    policy.log(`renderer gone (${details.reason}, exit code ${details.exitCode}); reloading`);
    win.reload();
  });
}

export interface KlivDeps {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The bundled preload (dist/electron/preload.cjs). */
  preloadPath: string;
  env: NodeJS.ProcessEnv;
  openApp: (options: AppOptions) => KlivApp;
  /** The keys' store for <data>/keys: sealed by the OS key store (safeStorage) where there is one. */
  openSecrets: (keysDir: string, log: (message: string) => void) => SecretStore;
  now: () => number;
  log: (message: string) => void;
  /** The process's command line (process.argv), checked for debugging switches. */
  argv: readonly string[];
}

export interface KlivStarted {
  app: KlivApp;
  window: BrowserWindow;
}

function defaultDeps(overrides: Partial<KlivDeps>): KlivDeps {
  // main.ts is bundled to dist/electron/main.cjs; the renderer sits beside it
  // in dist/renderer. Resolved lazily so tests that pass paths never need __dirname.
  return {
    rendererDir: overrides.rendererDir ?? join(__dirname, '..', 'renderer'),
    preloadPath: overrides.preloadPath ?? join(__dirname, 'preload.cjs'),
    env: overrides.env ?? process.env,
    openApp: overrides.openApp ?? openApp,
    // safeStorage is read only here, after 'ready': before it, it reports no key store.
    openSecrets: overrides.openSecrets ?? ((keysDir, log) => createSafeStorageSecretStore(keysDir, safeStorage, { log })),
    now: overrides.now ?? Date.now,
    log: overrides.log ?? ((message) => console.error(`[kliv] ${message}`)),
    argv: overrides.argv ?? process.argv,
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Command-line switches that open a debugger into the app. The fuses turn off
 * Node's (--inspect …) in the binary; Chromium's remote debugging has no fuse
 * and would hand a DevTools connection to every record on screen, so a
 * packaged kiosk started with it refuses to run.
 */
// Chromium also takes "-switch" (and "/switch" on Windows), and on Windows in any case.
const DEBUGGING_SWITCHES = /^(?:--?|\/)(remote-debugging-(port|pipe)|inspect(-brk|-port|-publish-uid)?|debug(-brk)?)(=|$)/i;

export function debuggingSwitches(argv: readonly string[]): string[] {
  return argv.filter((arg) => DEBUGGING_SWITCHES.test(arg)).map((arg) => arg.split('=')[0] ?? arg);
}

/**
 * Starts the desktop app. Resolves with what was opened, or null when this
 * process quits instead (another instance runs, or the data could not be opened).
 */
export async function startKliv(overrides: Partial<KlivDeps> = {}): Promise<KlivStarted | null> {
  const deps = defaultDeps(overrides);

  const debugging = app.isPackaged ? debuggingSwitches(deps.argv) : [];
  if (debugging.length > 0) {
    deps.log(`refusing to start with ${debugging.join(', ')}`);
    dialog.showErrorBox('Kliv will not start', `Kliv was started with ${debugging.join(', ')}, which would let another program read the kiosk's data. Start it from its normal shortcut.`);
    app.exit(1);
    return null;
  }

  // Two kiosks on one database would race each other's scans, and a second
  // launch from the desktop should just bring the running one forward.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  // A standard, secure scheme gives the renderer a real origin (app://kliv)
  // for CSP 'self', fetch of the decoder's .wasm and camera permission;
  // file:// would give every local file the same origin.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  guardAllWebContents(app);

  let mainWindow: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());

  await app.whenReady();

  const dataDir = deps.env['KLIV_DATA_DIR'] || join(app.getPath('userData'), 'data');
  let klivApp: KlivApp;
  try {
    const secrets = deps.openSecrets(join(dataDir, 'keys'), deps.log);
    // A sealed key this machine cannot unlock stops the start here, with its own message.
    unlockExistingSecrets(secrets);
    klivApp = deps.openApp({ dataDir, secrets });
  } catch (err) {
    // Never fall back to a fresh database: attendance would be recorded in
    // the wrong place and the real records would look lost.
    dialog.showErrorBox('Kliv could not open its data', `${errorMessage(err)}\n\nData folder: ${dataDir}`);
    app.exit(1);
    return null;
  }
  // The nightly export; a scheduler that cannot start must not keep the kiosk from running.
  let exportScheduler: ExportScheduler | null = null;
  try {
    exportScheduler = startExportScheduler(klivApp, { log: deps.log });
  } catch (err) {
    deps.log(`the export scheduler did not start: ${errorMessage(err)}`);
  }
  // Nightly backup and the retention purge, on the same terms.
  let maintenance: { stop(): void } | null = null;
  try {
    maintenance = startMaintenanceScheduler(klivApp, { log: deps.log });
  } catch (err) {
    deps.log(`the maintenance scheduler did not start: ${errorMessage(err)}`);
  }
  let closed = false;
  app.on('will-quit', () => {
    if (closed) return;
    closed = true;
    exportScheduler?.stop();
    maintenance?.stop();
    klivApp.close();
  });

  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createRendererProtocolHandler(deps.rendererDir));
  registerIpcTransport(ipcMain, {
    dispatch: createDispatcher(klivApp),
    isTrustedSender: (event) =>
      mainWindow !== null && !mainWindow.isDestroyed() && event.sender.id === mainWindow.webContents.id,
  });

  const win = createMainWindow({ preloadPath: deps.preloadPath, isPackaged: app.isPackaged, env: deps.env });
  mainWindow = win;
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  reloadOnRendererCrash(win, { maxReloads: 3, perMs: 60_000, now: deps.now, log: deps.log });
  registerDesktopPrinting(klivApp, { parent: () => mainWindow, log: deps.log });

  // A check-in screen that goes dark makes participants think the kiosk is off.
  powerSaveBlocker.start('prevent-display-sleep');

  return { app: klivApp, window: win };
}

if (process.versions['electron'] !== undefined && process.type === 'browser') {
  startKliv().catch((err: unknown) => {
    dialog.showErrorBox('Kliv could not start', errorMessage(err));
    app.exit(1);
  });
}
