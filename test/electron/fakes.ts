/**
 * A fake 'electron' module for the shell's unit tests: the real binary cannot
 * be downloaded on the build machines. Each fake records what the code under
 * test did to it so a test can assert on it, and resetElectronFake() gives
 * every test fresh fakes. Use it as
 *   vi.mock('electron', async () => (await import('./fakes')).electronModule());
 */
import type { BrowserWindowConstructorOptions, IpcMainInvokeEvent } from 'electron';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { vi } from 'vitest';

type Listener = (...args: never[]) => unknown;

export class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = (...args: never[]): unknown => {
      this.off(event, wrapped);
      return listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(event, list.filter((l) => l !== listener));
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      (listener as (...a: unknown[]) => unknown)(...args);
    }
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

/** Stands in for the Electron Event passed to will-navigate and friends. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

let nextWebContentsId = 1;

export class FakeWebContents extends FakeEmitter {
  readonly id = nextWebContentsId++;
  url = '';
  windowOpenHandler: WindowOpenHandler | null = null;
  readonly closeDevTools = vi.fn();

  constructor(url = '') {
    super();
    this.url = url;
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  getURL(): string {
    return this.url;
  }

  /** The frame the page's own script runs in. */
  get mainFrame(): FakeFrame {
    return { url: this.url, parent: null };
  }
}

export class FakeBrowserWindow extends FakeEmitter {
  static readonly instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  readonly loadURL = vi.fn((url: string) => {
    this.webContents.url = url;
    return Promise.resolve();
  });
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn(() => {
    this.minimized = false;
  });
  readonly reload = vi.fn();
  readonly removeMenu = vi.fn();

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.instances.push(this);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMinimized(): boolean {
    return this.minimized;
  }
}

export class FakeApp extends FakeEmitter {
  isPackaged = false;
  hasSingleInstanceLock = true;
  userDataDir = '/fake/user-data';
  ready: Promise<void> = Promise.resolve();
  readonly requestSingleInstanceLock = vi.fn(() => this.hasSingleInstanceLock);
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly whenReady = vi.fn(() => this.ready);
  readonly getPath = vi.fn((name: string) => (name === 'userData' ? this.userDataDir : `/fake/${name}`));
}

type ProtocolHandler = (request: Request) => Response | Promise<Response>;

export class FakeProtocol {
  readonly handlers = new Map<string, ProtocolHandler>();
  readonly registerSchemesAsPrivileged = vi.fn();
  readonly handle = vi.fn((scheme: string, handler: ProtocolHandler) => {
    this.handlers.set(scheme, handler);
  });
}

export class FakeSession {
  requestHandler: ((...args: never[]) => void) | null = null;
  checkHandler: ((...args: never[]) => boolean) | null = null;
  deviceHandler: ((...args: never[]) => boolean) | null = null;
  readonly setPermissionRequestHandler = vi.fn((handler: (...args: never[]) => void) => {
    this.requestHandler = handler;
  });
  readonly setPermissionCheckHandler = vi.fn((handler: (...args: never[]) => boolean) => {
    this.checkHandler = handler;
  });
  readonly setDevicePermissionHandler = vi.fn((handler: (...args: never[]) => boolean) => {
    this.deviceHandler = handler;
  });
}

/**
 * Stands in for safeStorage: seals with AES-256-GCM under a key of its own,
 * the way the OS key store seals with one per account and machine, so a
 * second FakeSafeStorage (another PC) cannot open what the first sealed.
 */
export class FakeSafeStorage {
  available = true;
  /** What getSelectedStorageBackend() says (Linux). */
  backend = 'gnome_libsecret';
  constructor(private readonly machineKey: Buffer = randomBytes(32)) {}
  readonly isEncryptionAvailable = vi.fn(() => this.available);
  readonly getSelectedStorageBackend = vi.fn(() => this.backend);
  readonly encryptString = vi.fn((plainText: string): Buffer => {
    if (!this.available) throw new Error('Encryption is not available.');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.machineKey, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
  });
  readonly decryptString = vi.fn((encrypted: Buffer): string => {
    if (!this.available) throw new Error('Decryption is not available.');
    if (encrypted.length < 31 || encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const decipher = createDecipheriv('aes-256-gcm', this.machineKey, encrypted.subarray(3, 15));
    decipher.setAuthTag(encrypted.subarray(15, 31));
    try {
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  });
}

type IpcListener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, IpcListener>();
  readonly handle = vi.fn((channel: string, listener: IpcListener) => {
    if (this.handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
    this.handlers.set(channel, listener);
  });
  readonly removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
}

export interface ElectronFake {
  app: FakeApp;
  protocol: FakeProtocol;
  session: { defaultSession: FakeSession };
  ipcMain: FakeIpcMain;
  powerSaveBlocker: { start: ReturnType<typeof vi.fn<(type: string) => number>>; stop: ReturnType<typeof vi.fn> };
  dialog: { showErrorBox: ReturnType<typeof vi.fn<(title: string, content: string) => void>> };
  contextBridge: { exposeInMainWorld: ReturnType<typeof vi.fn<(key: string, api: unknown) => void>> };
  ipcRenderer: { invoke: ReturnType<typeof vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>> };
  safeStorage: FakeSafeStorage;
}

function buildFake(): ElectronFake {
  return {
    app: new FakeApp(),
    protocol: new FakeProtocol(),
    session: { defaultSession: new FakeSession() },
    ipcMain: new FakeIpcMain(),
    powerSaveBlocker: { start: vi.fn((_type: string) => 1), stop: vi.fn() },
    dialog: { showErrorBox: vi.fn((_title: string, _content: string) => undefined) },
    contextBridge: { exposeInMainWorld: vi.fn((_key: string, _api: unknown) => undefined) },
    ipcRenderer: { invoke: vi.fn((_channel: string, ..._args: unknown[]) => Promise.resolve<unknown>({ ok: true, value: null })) },
    safeStorage: new FakeSafeStorage(),
  };
}

let current = buildFake();

/** The fakes the mocked module hands out right now. */
export function fakes(): ElectronFake {
  return current;
}

export function resetElectronFake(): ElectronFake {
  current = buildFake();
  FakeBrowserWindow.instances.length = 0;
  return current;
}

/** The mocked module: getters, so a reset between tests reaches code that already imported it. */
export function electronModule(): Record<string, unknown> {
  return {
    get app() { return current.app; },
    get protocol() { return current.protocol; },
    get session() { return current.session; },
    get ipcMain() { return current.ipcMain; },
    get powerSaveBlocker() { return current.powerSaveBlocker; },
    get dialog() { return current.dialog; },
    get contextBridge() { return current.contextBridge; },
    get ipcRenderer() { return current.ipcRenderer; },
    get safeStorage() { return current.safeStorage; },
    BrowserWindow: FakeBrowserWindow,
  };
}

/** Casts a fake to the Electron type the code under test expects. */
export function asElectron<T>(fake: unknown): T {
  return fake as T;
}
