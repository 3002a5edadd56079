/**
 * The desktop app's keys, sealed with Electron's safeStorage (a fake here:
 * the real one needs the Electron binary and an OS key store). What must
 * hold: a copied data folder opens nowhere else, plain keys from browser
 * mode are sealed and removed, a key that cannot be unsealed is an error
 * screen and never a fresh start, and without a key store Kliv still runs
 * on owner-only files and says so.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openApp, databasePath, type KlivApp } from '../../electron/api/app';
import { startKliv } from '../../electron/main/main';
import { createSafeStorageSecretStore, osKeyStoreAvailable, plainFile, sealedFile, SECRET_NAMES, unlockExistingSecrets } from '../../electron/main/secrets';
import { isPlaintextDatabase } from '../../electron/db/connection';
import { auditKey, verifyAuditChain } from '../../electron/services/audit';
import { createFileSecretStore, type SecretStore } from '../../electron/services/secrets';
import { addStaff, CLI_ACTOR, login } from '../../electron/services/staff';
import { initVenue } from '../../electron/services/venue';
import { KlivError } from '../../shared/errors';
import { tempDir, testClock } from '../helpers';
import { FakeBrowserWindow, FakeSafeStorage, resetElectronFake, type ElectronFake } from './fakes';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

const FAST = { logN: 10, r: 8, p: 1 };
const posix = process.platform !== 'win32';
const modeOf = (path: string): number => statSync(path).mode & 0o777;

function failure(fn: () => unknown): KlivError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlivError) return err;
    throw new Error(`not a KlivError: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new Error('did not fail');
}

let dir: ReturnType<typeof tempDir>;
let keys: string;
let machine: FakeSafeStorage;
let logged: string[];
const log = (message: string): void => {
  logged.push(message);
};
const sealedStore = (safeStorage: FakeSafeStorage = machine, platform: NodeJS.Platform = 'linux'): SecretStore =>
  createSafeStorageSecretStore(keys, safeStorage, { log, platform });

beforeEach(() => {
  dir = tempDir('kliv-sealed-');
  keys = join(dir.path, 'keys');
  machine = new FakeSafeStorage();
  logged = [];
});
afterEach(() => dir.cleanup());

describe('keys sealed with safeStorage', () => {
  it('a new key is 32 random bytes in an owner-only <name>.sealed that holds neither the key nor its text', () => {
    const store = sealedStore();
    expect(store.get('database')).toBeUndefined();
    const key = store.getOrCreate('database');
    expect(key).toHaveLength(32);
    expect(store.getOrCreate('database').equals(key)).toBe(true);
    expect(readdirSync(keys)).toEqual(['database.sealed']);
    const sealed = readFileSync(sealedFile(keys, 'database'));
    expect(sealed.includes(key)).toBe(false);
    expect(sealed.includes(Buffer.from(key.toString('base64')))).toBe(false);
    expect(sealed.includes(Buffer.from(key.toString('hex')))).toBe(false);
    if (posix) {
      expect(modeOf(keys)).toBe(0o700);
      expect(modeOf(sealedFile(keys, 'database'))).toBe(0o600);
    }
    expect(store.describe()).toContain('sealed by the operating system');
    expect(logged).toEqual([]);
  });

  it('after a restart the same machine unseals the same keys', () => {
    const first = sealedStore();
    const values = SECRET_NAMES.map((name) => first.getOrCreate(name));
    const again = sealedStore();
    SECRET_NAMES.forEach((name, i) => expect(again.get(name)?.equals(values[i]!), name).toBe(true));
    expect(machine.decryptString).toHaveBeenCalled();
  });

  it('another machine or account (another OS key) cannot unseal them: KEY_UNAVAILABLE, and nothing is replaced', () => {
    const original = sealedStore().getOrCreate('database');
    const before = readFileSync(sealedFile(keys, 'database'));
    const elsewhere = sealedStore(new FakeSafeStorage());
    const err = failure(() => elsewhere.get('database'));
    expect(err.code).toBe('KEY_UNAVAILABLE');
    expect(err.message).toMatch(/cannot be unlocked/);
    expect(err.message).toContain(keys);
    expect(failure(() => elsewhere.getOrCreate('database')).code).toBe('KEY_UNAVAILABLE');
    expect(readFileSync(sealedFile(keys, 'database')).equals(before)).toBe(true);
    expect(readdirSync(keys)).toEqual(['database.sealed']);
    expect(sealedStore().get('database')?.equals(original)).toBe(true);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['garbage', Buffer.from('not sealed at all')],
    ['truncated', null],
  ])('a damaged sealed file (%s) is KEY_UNAVAILABLE and kept for a person to restore', (_what, content) => {
    sealedStore().getOrCreate('pepper');
    const file = sealedFile(keys, 'pepper');
    const damaged = content ?? readFileSync(file).subarray(0, 20);
    writeFileSync(file, damaged);
    expect(failure(() => sealedStore().get('pepper')).code).toBe('KEY_UNAVAILABLE');
    expect(failure(() => sealedStore().getOrCreate('pepper')).code).toBe('KEY_UNAVAILABLE');
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('a sealed file that unseals to something other than a Kliv key is called damaged', () => {
    mkdirSync(keys, { mode: 0o700 });
    writeFileSync(sealedFile(keys, 'audit'), machine.encryptString('hello'), { mode: 0o600 });
    const err = failure(() => sealedStore().get('audit'));
    expect(err.code).toBe('KEY_UNAVAILABLE');
    expect(err.message).toMatch(/damaged/);
  });

  it.runIf(posix)('tightens a sealed file and folder whose permissions were loosened', () => {
    sealedStore().getOrCreate('signing');
    chmodSync(sealedFile(keys, 'signing'), 0o644);
    chmodSync(keys, 0o755);
    expect(sealedStore().get('signing')).toHaveLength(32);
    expect(modeOf(sealedFile(keys, 'signing'))).toBe(0o600);
    expect(modeOf(keys)).toBe(0o700);
  });
});

describe('plain keys from browser mode or the CLI', () => {
  it('are sealed, checked, and the plain files removed; the key itself does not change', () => {
    const plain = createFileSecretStore(keys);
    const values = SECRET_NAMES.map((name) => plain.getOrCreate(name));
    const store = sealedStore();
    unlockExistingSecrets(store);
    expect(readdirSync(keys).sort()).toEqual(['audit.sealed', 'database.sealed', 'pepper.sealed', 'signing.sealed']);
    SECRET_NAMES.forEach((name, i) => {
      expect(existsSync(plainFile(keys, name)), name).toBe(false);
      expect(store.get(name)?.equals(values[i]!), name).toBe(true);
      expect(sealedStore().get(name)?.equals(values[i]!), name).toBe(true);
    });
    expect(logged.filter((m) => m.startsWith('sealed the'))).toHaveLength(4);
  });

  it('a plain copy left beside an identical sealed key (a sealing cut short) is removed', () => {
    const key = sealedStore().getOrCreate('pepper');
    writeFileSync(plainFile(keys, 'pepper'), `${key.toString('base64')}\n`, { mode: 0o600 });
    expect(sealedStore().get('pepper')?.equals(key)).toBe(true);
    expect(existsSync(plainFile(keys, 'pepper'))).toBe(false);
  });

  it('a plain key that differs from the sealed one stops with KEY_UNAVAILABLE and both are kept', () => {
    sealedStore().getOrCreate('database');
    const other = `${Buffer.alloc(32, 7).toString('base64')}\n`;
    writeFileSync(plainFile(keys, 'database'), other, { mode: 0o600 });
    const err = failure(() => sealedStore().get('database'));
    expect(err.code).toBe('KEY_UNAVAILABLE');
    expect(err.message).toMatch(/two different database keys/);
    expect(readFileSync(plainFile(keys, 'database'), 'utf8')).toBe(other);
    expect(existsSync(sealedFile(keys, 'database'))).toBe(true);
  });

  it('a damaged plain key is not sealed: KEY_UNAVAILABLE, and the file is left as it is', () => {
    mkdirSync(keys, { mode: 0o700 });
    writeFileSync(plainFile(keys, 'audit'), 'garbage\n', { mode: 0o600 });
    expect(failure(() => sealedStore().get('audit')).code).toBe('KEY_UNAVAILABLE');
    expect(readFileSync(plainFile(keys, 'audit'), 'utf8')).toBe('garbage\n');
    expect(existsSync(sealedFile(keys, 'audit'))).toBe(false);
  });
});

describe('without an OS key store', () => {
  it('falls back to owner-only key files and warns once', () => {
    machine.available = false;
    const store = sealedStore();
    const key = store.getOrCreate('database');
    store.getOrCreate('pepper');
    expect(store.get('database')?.equals(key)).toBe(true);
    expect(readdirSync(keys).sort()).toEqual(['database.key', 'pepper.key']);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/key store is not available.*not encrypted at rest/);
    expect(store.describe()).toMatch(/no OS key store/);
    expect(machine.encryptString).not.toHaveBeenCalled();
  });

  it("treats Chromium's basic_text fallback on Linux as no key store (its key is the same in every copy)", () => {
    machine.backend = 'basic_text';
    expect(osKeyStoreAvailable(machine, 'linux')).toEqual({ ok: false, backend: 'basic_text' });
    sealedStore(machine, 'linux').getOrCreate('audit');
    expect(readdirSync(keys)).toEqual(['audit.key']);
    expect(logged[0]).toContain('basic_text');
    // The backend question is Linux's; Windows seals with DPAPI.
    expect(osKeyStoreAvailable(machine, 'win32')).toEqual({ ok: true, backend: 'DPAPI' });
  });

  it('never replaces a key that was sealed while a key store was there', () => {
    sealedStore().getOrCreate('database');
    machine.available = false;
    const store = sealedStore();
    const err = failure(() => store.get('database'));
    expect(err.code).toBe('KEY_UNAVAILABLE');
    expect(err.message).toMatch(/sealed by the operating system's key store, which is not available now/);
    expect(failure(() => store.getOrCreate('database')).code).toBe('KEY_UNAVAILABLE');
    expect(readdirSync(keys)).toEqual(['database.sealed']);
  });

  it('seals the plain keys once a key store appears', () => {
    machine.available = false;
    const key = sealedStore().getOrCreate('signing');
    machine.available = true;
    expect(sealedStore().get('signing')?.equals(key)).toBe(true);
    expect(readdirSync(keys)).toEqual(['signing.sealed']);
  });
});

describe('a whole data folder', () => {
  let opened: KlivApp[];
  const open = (secrets: SecretStore): KlivApp => {
    unlockExistingSecrets(secrets);
    const app = openApp({ dataDir: dir.path, clock: testClock(), secrets });
    opened.push(app);
    return app;
  };
  beforeEach(() => {
    opened = [];
  });
  afterEach(() => {
    for (const app of opened) app.close();
  });

  it('is encrypted with a sealed key; a copy on another machine does not open and is left untouched', () => {
    const app = open(sealedStore());
    initVenue(app.ctx, { name: 'Testgården', mode: 'dropin', timeZone: 'Europe/Stockholm' });
    app.db.pragma('wal_checkpoint(TRUNCATE)');
    app.close();
    opened.length = 0;
    const file = databasePath(dir.path);
    expect(isPlaintextDatabase(file)).toBe(false);
    expect(readdirSync(keys).some((f) => f.endsWith('.key'))).toBe(false);
    const before = readFileSync(file);
    expect(() => open(sealedStore(new FakeSafeStorage()))).toThrow(/cannot be unlocked/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(open(sealedStore()).ctx.db.prepare('SELECT name FROM venue').pluck().get()).toBe('Testgården');
  });

  it('a browser-mode data folder moves to the desktop app with its staff PINs and audit chain intact', () => {
    const browser = openApp({ dataDir: dir.path, clock: testClock() });
    initVenue(browser.ctx, { name: 'Testgården', mode: 'dropin', timeZone: 'Europe/Stockholm' });
    const { badgePayload } = addStaff(browser.ctx, CLI_ACTOR, { name: 'Kim', role: 'admin', pin: '482913' }, FAST);
    browser.close();
    expect(readdirSync(keys).sort()).toEqual(['audit.key', 'database.key', 'pepper.key', 'signing.key']);

    const desktop = open(sealedStore());
    expect(readdirSync(keys).sort()).toEqual(['audit.sealed', 'database.sealed', 'pepper.sealed', 'signing.sealed']);
    expect(login(desktop.ctx, { badge: badgePayload, pin: '482913' }).name).toBe('Kim');
    expect(verifyAuditChain(desktop.db, auditKey(desktop.db, desktop.ctx.secrets))).toMatchObject({ ok: true });
  });
});

describe('start-up of the desktop app', () => {
  let electron: ElectronFake;
  beforeEach(() => {
    electron = resetElectronFake();
  });

  it('a key this machine cannot unseal shows an error screen with the reason and quits; no window, no fresh database', async () => {
    const dataDir = join(dir.path, 'data');
    // The data folder was made on another PC (or under another account).
    const other = new FakeSafeStorage();
    const made = openApp({ dataDir, secrets: createSafeStorageSecretStore(join(dataDir, 'keys'), other, { log }) });
    initVenue(made.ctx, { name: 'Testgården', mode: 'dropin', timeZone: 'Europe/Stockholm' });
    made.db.pragma('wal_checkpoint(TRUNCATE)');
    made.close();
    const before = readFileSync(databasePath(dataDir));

    const started = await startKliv({ rendererDir: dir.path, preloadPath: '/x/preload.cjs', env: { KLIV_DATA_DIR: dataDir }, log });
    expect(started).toBeNull();
    expect(electron.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    const [title, text] = electron.dialog.showErrorBox.mock.calls[0] ?? [];
    expect(title).toMatch(/could not open its data/);
    expect(text).toMatch(/cannot be unlocked/);
    expect(text).toContain(dataDir);
    expect(electron.app.exit).toHaveBeenCalledWith(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
    expect(readFileSync(databasePath(dataDir)).equals(before)).toBe(true);
    expect(readdirSync(join(dataDir, 'keys')).every((f) => f.endsWith('.sealed'))).toBe(true);
  });

  it('the desktop app seals its keys with safeStorage', async () => {
    const dataDir = join(dir.path, 'data');
    const started = await startKliv({ rendererDir: dir.path, preloadPath: '/x/preload.cjs', env: { KLIV_DATA_DIR: dataDir }, log });
    expect(started).not.toBeNull();
    electron.app.emit('will-quit'); // stops the export scheduler and closes the database
    expect(electron.safeStorage.encryptString).toHaveBeenCalled();
    expect(readdirSync(join(dataDir, 'keys'))).toContain('database.sealed');
    expect(readdirSync(join(dataDir, 'keys')).some((f) => f.endsWith('.key'))).toBe(false);
    expect(isPlaintextDatabase(databasePath(dataDir))).toBe(false);
  });
});
