import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { migrate } from './migrations';

export type { Database };

export interface OpenOptions {
  /** Stop at this schema version (tests of a single migration). */
  migrateTo?: number;
  readonly?: boolean;
}

/**
 * Opens the venue database with the pragmas every connection must have:
 * WAL so readers never block the scan that is being written, FULL sync so a
 * confirmed scan survives a power cut, and foreign keys on.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  // The desktop app in development loads a better-sqlite3 built for
  // Electron's ABI (scripts/start-desktop.mjs); everything else uses the Node build.
  const nativeBinding = process.env.KLIV_SQLITE_NATIVE_BINDING;
  const db = new BetterSqlite3(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  try {
    db.pragma('busy_timeout = 5000');
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
