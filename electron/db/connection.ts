import { closeSync, existsSync, openSync, readSync } from 'node:fs';
// better-sqlite3-multiple-ciphers is better-sqlite3 with SQLite3MultipleCiphers
// compiled in: the same API, plus SQLCipher-compatible encryption at rest.
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Database } from 'better-sqlite3';
import { currentVersion, DatabaseTooNewError, LATEST_VERSION, migrate } from './migrations';

export type { Database };

export interface OpenOptions {
  /** Stop at this schema version (tests of a single migration). */
  migrateTo?: number;
  readonly?: boolean;
  /** 32-byte key: the file is encrypted (SQLCipher format). Null/absent: plaintext. */
  key?: Buffer | null;
}

/** The key does not open the file, or an encrypted file was opened without one. */
export class DatabaseKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseKeyError';
  }
}

const PLAINTEXT_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** True for an existing, unencrypted SQLite file (its header is readable). */
export function isPlaintextDatabase(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const n = readSync(fd, header, 0, 16, 0);
    return n === 16 && header.equals(PLAINTEXT_HEADER);
  } finally {
    closeSync(fd);
  }
}

function nativeOptions(): { nativeBinding?: string } {
  // The desktop app in development loads a build for Electron's ABI
  // (scripts/start-desktop.mjs); everything else uses the Node build.
  const nativeBinding = process.env.KLIV_SQLITE_NATIVE_BINDING;
  return nativeBinding ? { nativeBinding } : {};
}

function applyKey(db: Database, key: Buffer, pragma: 'key' | 'rekey'): void {
  if (key.length !== 32) throw new DatabaseKeyError('A database key is 32 bytes.');
  db.pragma("cipher = 'sqlcipher'");
  db.pragma(`${pragma} = "x'${key.toString('hex')}'"`);
}

/**
 * Encrypts an existing plaintext database in place. SQLite3MultipleCiphers
 * rewrites every page inside one transaction, so a crash leaves the old file.
 */
export function encryptPlaintextDatabase(file: string, key: Buffer): void {
  const db = new BetterSqlite3(file, nativeOptions()) as unknown as Database;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    applyKey(db, key, 'rekey');
  } finally {
    db.close();
  }
}

/**
 * Opens the venue database with the pragmas every connection must have:
 * WAL so readers never block the scan that is being written, FULL sync so a
 * confirmed scan survives a power cut, and foreign keys on. With a key the
 * file is encrypted; a plaintext file is encrypted first.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  const key = options.key ?? null;
  if (key && !options.readonly && isPlaintextDatabase(file)) encryptPlaintextDatabase(file, key);
  if (!key && existsSync(file) && !isPlaintextDatabase(file) && readSize(file) > 0) {
    throw new DatabaseKeyError(`${file} is encrypted and no key was given.`);
  }
  const db = new BetterSqlite3(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    ...nativeOptions(),
  }) as unknown as Database;
  try {
    if (key) applyKey(db, key, 'key');
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new DatabaseKeyError(`${file} cannot be opened with this key (wrong key, or not a Kliv database).`);
      throw err;
    }
    db.pragma('busy_timeout = 5000');
    // Refuse a newer schema before any pragma below can rewrite the file.
    const found = currentVersion(db);
    if (found > LATEST_VERSION) throw new DatabaseTooNewError(found, LATEST_VERSION);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db, options.migrateTo);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function readSize(file: string): number {
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, Buffer.alloc(1), 0, 1, 0);
  } finally {
    closeSync(fd);
  }
}
