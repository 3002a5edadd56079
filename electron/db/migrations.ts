/**
 * Numbered migrations, tracked by PRAGMA user_version (the Signal Desktop
 * way). Each runs in its own transaction; a database whose version is higher
 * than the last one here was written by a newer Kliv and is refused rather
 * than risk writing a shape this code does not understand.
 */
import type { Database } from 'better-sqlite3';
import { migration0001 } from './schema/0001-core';
import { migration0002 } from './schema/0002-staff';
import { migration0003 } from './schema/0003-participants';
import { migration0004 } from './schema/0004-export';
import { migration0005 } from './schema/0005-reports';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`The database was written by a newer version of Kliv (schema ${found}; this version understands up to ${supported}). Install the newer Kliv or restore a backup.`);
    this.name = 'DatabaseTooNewError';
  }
}

/**
 * In version order, one file per migration in ./schema. Never edit a
 * migration that has shipped: add the next number.
 */
export const migrations: Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
];

export const LATEST_VERSION = migrations[migrations.length - 1]?.version ?? 0;

export function currentVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database, upTo: number = LATEST_VERSION): number {
  const found = currentVersion(db);
  if (found > LATEST_VERSION) throw new DatabaseTooNewError(found, LATEST_VERSION);
  for (const m of migrations) {
    if (m.version <= found || m.version > upTo) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return currentVersion(db);
}
