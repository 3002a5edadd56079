/**
 * The desktop app's secret store: the same four keys as browser mode and the
 * CLI (services/secrets.ts), each sealed with Electron's safeStorage, i.e.
 * with a key the operating system keeps for this user (DPAPI on Windows,
 * the Secret Service / KWallet keyring on Linux). A copy of the data folder
 * (a stolen disk, a backup on a share) then holds no usable key: the sealed
 * files open only for the same OS account on the same machine.
 *
 * Where the OS offers no key store (Linux without a keyring, or Chromium's
 * "basic_text" fallback, which seals with a key compiled into every copy of
 * Chromium) the keys stay owner-only files, as in browser mode, and one
 * warning says so: Kliv is encrypted at rest where the platform allows it.
 *
 * A key that was sealed and cannot be unsealed now is never replaced: that
 * would look like a fresh start while the real records sit unreadable
 * beside it. It is KEY_UNAVAILABLE, and main.ts shows it and quits.
 */
import type { SafeStorage } from 'electron';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KlivError } from '../../shared/errors';
import { createFileSecretStore, type SecretName, type SecretStore } from '../services/secrets';

/** The part of Electron's safeStorage this store uses (a fake in tests). */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>
  & { getSelectedStorageBackend?: () => string };

export interface SafeStorageStoreOptions {
  /** Told once when the OS key store is missing and keys stay plain files. */
  log?: (message: string) => void;
  platform?: NodeJS.Platform;
}

export const SECRET_NAMES: readonly SecretName[] = ['database', 'pepper', 'audit', 'signing'];

/** What a sealed file holds once unsealed: a marker, so a wrong OS key is told from a damaged file. */
const SEALED_PREFIX = 'kliv-key-v1:';
/** Linux backends that are no protection: a key compiled into Chromium, or not known yet. */
const WEAK_BACKENDS = new Set(['basic_text', 'unknown']);

export function sealedFile(dir: string, name: SecretName): string {
  return join(dir, `${name}.sealed`);
}

export function plainFile(dir: string, name: SecretName): string {
  return join(dir, `${name}.key`);
}

/** Whether safeStorage seals with a key the OS protects (checked after app 'ready'). */
export function osKeyStoreAvailable(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): { ok: boolean; backend: string } {
  let ok = false;
  try {
    ok = safeStorage.isEncryptionAvailable();
  } catch {
    ok = false;
  }
  let backend = platform === 'win32' ? 'DPAPI' : platform === 'darwin' ? 'Keychain' : 'unknown';
  if (platform === 'linux' && typeof safeStorage.getSelectedStorageBackend === 'function') {
    try {
      backend = safeStorage.getSelectedStorageBackend();
    } catch {
      backend = 'unknown';
    }
    if (WEAK_BACKENDS.has(backend)) ok = false;
  }
  return { ok, backend };
}

function tighten(path: string, mode: number): void {
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
}

/**
 * Writes `data` to `file` only if `file` does not exist yet, all or nothing:
 * a temp file is written and synced, then hard-linked into place (which
 * fails if another process got there first) so a crash never leaves half a
 * key file and two processes never overwrite each other's key.
 */
function writeNewFileAtomically(file: string, data: Buffer): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    syncDir(dirname(file));
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Makes a new or removed directory entry survive a power cut (POSIX; Windows cannot open a folder for this). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes a plain key file after overwriting it. Best effort only: an SSD or
 * a journaling file system may keep the old bytes elsewhere (docs/security.md).
 */
function removePlainKey(file: string): void {
  try {
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, Buffer.alloc(statSync(file).size, 0));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Overwriting is a courtesy; removing is what matters.
  }
  unlinkSync(file);
}

function keyUnavailable(message: string): KlivError {
  return new KlivError('KEY_UNAVAILABLE', message);
}

export function createSafeStorageSecretStore(dir: string, safeStorage: SafeStorageLike, options: SafeStorageStoreOptions = {}): SecretStore {
  const log = options.log ?? ((message: string) => console.error(`[kliv] ${message}`));
  const { ok, backend } = osKeyStoreAvailable(safeStorage, options.platform);
  const files = createFileSecretStore(dir);

  if (!ok) {
    log(`the operating system's key store is not available (${backend}); the keys in ${dir} are owner-only files, not encrypted at rest`);
    // A key sealed earlier, when a key store was there, must not be replaced by a new plain one.
    const refuseSealed = (name: SecretName): void => {
      if (existsSync(sealedFile(dir, name))) {
        throw keyUnavailable(`The ${name} key is sealed by the operating system's key store, which is not available now (${backend}). Log in to the desktop account that ran Kliv before, with its keyring unlocked; nothing was changed. Keys: ${dir}`);
      }
    };
    return {
      get(name) {
        refuseSealed(name);
        return files.get(name);
      },
      getOrCreate(name) {
        refuseSealed(name);
        return files.getOrCreate(name);
      },
      describe: () => `owner-only key files in ${dir} (no OS key store: ${backend})`,
    };
  }

  const cache = new Map<SecretName, Buffer>();

  const seal = (value: Buffer): Buffer => safeStorage.encryptString(`${SEALED_PREFIX}${value.toString('base64')}`);

  function unseal(name: SecretName): Buffer {
    const file = sealedFile(dir, name);
    tighten(dir, 0o700);
    tighten(file, 0o600);
    let sealed: Buffer;
    try {
      sealed = readFileSync(file);
    } catch {
      throw keyUnavailable(`The sealed ${name} key ${file} cannot be read; nothing was changed.`);
    }
    let text: string;
    try {
      text = safeStorage.decryptString(sealed);
    } catch {
      throw keyUnavailable(`The ${name} key (${file}) cannot be unlocked with this computer's key store (${backend}). It opens only for the Windows/Linux account and the machine that sealed it: was the data folder copied from another PC or account, or the keyring reset? Nothing was changed.`);
    }
    const value = text.startsWith(SEALED_PREFIX) ? Buffer.from(text.slice(SEALED_PREFIX.length), 'base64') : Buffer.alloc(0);
    if (value.length !== 32) throw keyUnavailable(`The sealed ${name} key ${file} is damaged; restore the keys folder from backup. Nothing was changed.`);
    return value;
  }

  /** Seals a key and stores it; false when a sealed file appeared meanwhile. */
  function store(name: SecretName, value: Buffer): boolean {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tighten(dir, 0o700);
    return writeNewFileAtomically(sealedFile(dir, name), seal(value));
  }

  function read(name: SecretName): Buffer | undefined {
    const cached = cache.get(name);
    if (cached) return cached;
    const sealedPath = sealedFile(dir, name);
    const plainPath = plainFile(dir, name);
    if (existsSync(sealedPath)) {
      const value = unseal(name);
      if (existsSync(plainPath)) {
        // Left over from a sealing that stopped before the plain file was
        // removed; anything else means two different keys, and only a person can tell which is right.
        const plain = files.get(name);
        if (!plain?.equals(value)) {
          throw keyUnavailable(`There are two different ${name} keys in ${dir} (${name}.key and ${name}.sealed). Keep the one that belongs to the database and move the other away; nothing was changed.`);
        }
        removePlainKey(plainPath);
      }
      cache.set(name, value);
      return value;
    }
    // A plain key from browser mode or the CLI: seal it, check the seal opens, then remove the plain file.
    const plain = files.get(name);
    if (!plain) return undefined;
    if (!store(name, plain)) return read(name);
    if (!unseal(name).equals(plain)) throw keyUnavailable(`The ${name} key could not be sealed correctly; ${plainPath} was kept.`);
    removePlainKey(plainPath);
    syncDir(dir);
    log(`sealed the ${name} key with the operating system's key store (${backend})`);
    cache.set(name, plain);
    return plain;
  }

  return {
    get: read,
    getOrCreate(name) {
      const existing = read(name);
      if (existing) return existing;
      const value = randomBytes(32);
      if (!store(name, value)) return read(name) as Buffer;
      cache.set(name, value);
      return value;
    },
    describe: () => `keys in ${dir}, sealed by the operating system's key store (${backend})`,
  };
}

/**
 * Reads every key that exists, so a key that cannot be unlocked stops the
 * start-up (with its message) instead of the first staff login or export
 * hours later, and plain keys left by browser mode are sealed at once.
 */
export function unlockExistingSecrets(secrets: SecretStore): void {
  for (const name of SECRET_NAMES) secrets.get(name);
}
