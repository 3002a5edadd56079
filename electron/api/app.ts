/**
 * Everything one running Kliv needs, opened from a data folder: the database
 * and the long-lived services. Both the desktop main process and browser mode
 * (and the CLI) build exactly this, so they run the same code.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../db/connection';
import { systemClock, type Clock, type ServiceContext } from '../services/context';
import { createFileSecretStore, type SecretStore } from '../services/secrets';
import { readSetting } from '../services/settings';
import { createKioskService, type KioskOptions, type KioskService } from '../services/kiosk';

export interface AppOptions {
  dataDir: string;
  clock?: Clock;
  kiosk?: Partial<KioskOptions>;
  /** Defaults to owner-only key files in <dataDir>/keys. */
  secrets?: SecretStore;
}

export interface KlivApp {
  dataDir: string;
  db: Database;
  ctx: ServiceContext;
  kiosk: KioskService;
  /** Listeners told after any change to attendance (live views). */
  onChange(listener: () => void): () => void;
  notifyChange(): void;
  close(): void;
}

export const DB_FILE_NAME = 'kliv.sqlite';

export function databasePath(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}

export function openApp(options: AppOptions): KlivApp {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(databasePath(options.dataDir));
  const ctx: ServiceContext = { db, clock: options.clock ?? systemClock, secrets: options.secrets ?? createFileSecretStore(join(options.dataDir, 'keys')) };
  const listeners = new Set<() => void>();
  const notify = (): void => { for (const l of listeners) l(); };
  const kiosk = createKioskService(ctx, { doubleScanMs: readSetting(ctx, 'kiosk.doubleScanSeconds') * 1000, ...options.kiosk, onChange: notify });
  return {
    dataDir: options.dataDir,
    db,
    ctx,
    kiosk,
    notifyChange: notify,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      db.close();
    },
  };
}
