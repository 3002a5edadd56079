/**
 * Everything one running Kliv needs, opened from a data folder: the database
 * and the long-lived services. Both the desktop main process and browser mode
 * (and the CLI) build exactly this, so they run the same code.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ScanResult } from '../../shared/api';
import { DatabaseKeyError, isPlaintextDatabase, openDatabase } from '../db/connection';
import { migrate } from '../db/migrations';
import { deleteSetting, setSetting } from '../db/settings';
import { assertDatabaseIntact, damagedDatabaseError, latestBackup } from '../services/backup';
import { createHealthMonitor, storageProblemOf, type HealthMonitor, type HealthOptions } from '../services/health';
import { KlivError } from '../../shared/errors';
import { systemClock, type Clock, type ServiceContext } from '../services/context';
import { createFileSecretStore, type SecretStore } from '../services/secrets';
import { readSetting } from '../services/settings';
import { createKioskService, type KioskOptions, type KioskService } from '../services/kiosk';
import { setExpectedProvider } from '../services/attendance';
import { expectedOn, scheduleSlotFor } from '../services/schedules';

export interface AppOptions {
  dataDir: string;
  clock?: Clock;
  kiosk?: Partial<KioskOptions>;
  /** Defaults to owner-only key files in <dataDir>/keys. */
  secrets?: SecretStore;
  /** quick_check before anything is written (default true). */
  startupCheck?: boolean;
  /** Thresholds and probes of the storage health monitor (tests). */
  health?: Partial<Omit<HealthOptions, 'dataDir' | 'clock'>>;
}

export interface KlivApp {
  dataDir: string;
  db: Database;
  ctx: ServiceContext;
  kiosk: KioskService;
  /** Storage problems for the staff alert (kiosk.status health) and `kliv doctor`. */
  health: HealthMonitor;
  /** Listeners told after any change to attendance (live views). */
  onChange(listener: () => void): () => void;
  notifyChange(): void;
  close(): void;
}

export const DB_FILE_NAME = 'kliv.sqlite';

export function databasePath(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}

/**
 * The key that encrypts the database at rest. A new (or plaintext) database
 * gets a fresh key; an encrypted one whose key is missing is refused — never
 * replaced by a silent fresh database.
 */
export function databaseKey(file: string, secrets: SecretStore): Buffer {
  const existing = secrets.get('database');
  if (existing) return existing;
  if (existsSync(file) && !isPlaintextDatabase(file)) {
    throw new KlivError('KEY_UNAVAILABLE', `The database is encrypted but its key is missing (${secrets.describe()}). Restore the keys folder from backup; nothing was changed.`);
  }
  return secrets.getOrCreate('database');
}

export function openApp(options: AppOptions): KlivApp {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const secrets = options.secrets ?? createFileSecretStore(join(options.dataDir, 'keys'));
  const file = databasePath(options.dataDir);
  const db = openCheckedDatabase(file, databaseKey(file, secrets), options);
  const ctx: ServiceContext = { db, clock: options.clock ?? systemClock, secrets };
  const health = createHealthMonitor({
    dataDir: options.dataDir,
    clock: ctx.clock,
    // A committed write that leaves nothing behind: tells whether storage works again.
    probe: () => db.transaction(() => {
      setSetting(db, 'health.probe', String(ctx.clock.now()));
      deleteSetting(db, 'health.probe');
    })(),
    ...options.health,
  });
  const listeners = new Set<() => void>();
  const notify = (): void => { for (const l of listeners) l(); };
  // Schedules feed the check-in confirmation ("Ditt schema idag: 09–12") and the today view's expected list.
  setExpectedProvider(expectedOn);
  const kiosk = watchStorage(createKioskService(ctx, {
    doubleScanMs: readSetting(ctx, 'kiosk.doubleScanSeconds') * 1000,
    scheduleFor: (participant, day) => scheduleSlotFor(ctx, participant, day),
    ...options.kiosk,
    onChange: notify,
  }), health);
  return {
    dataDir: options.dataDir,
    db,
    ctx,
    kiosk,
    health,
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

/**
 * Opens the database, runs quick_check before anything is written (no
 * migration yet), then migrates. Damage stops here with instructions; a data
 * folder that cannot be written says so instead of "unable to open".
 */
function openCheckedDatabase(file: string, key: Buffer, options: AppOptions): Database {
  let db: Database;
  try {
    db = openDatabase(file, { key, migrateTo: 0 });
  } catch (err) {
    throw openFailure(err, options.dataDir);
  }
  try {
    if (options.startupCheck ?? true) assertDatabaseIntact(db, options.dataDir);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw openFailure(err, options.dataDir);
  }
}

function openFailure(err: unknown, dataDir: string): unknown {
  if (err instanceof KlivError) return err;
  if (err instanceof DatabaseKeyError) {
    // A damaged first page looks exactly like a wrong key.
    const newest = latestBackup(dataDir);
    return new DatabaseKeyError(`${err.message} If the keys folder is the one that belongs to this database, the file is damaged: restore the newest backup with \`kliv restore ${newest?.file ?? 'FILE'}\` (see docs/operations.md).`);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (code.startsWith('SQLITE_CORRUPT')) return damagedDatabaseError(dataDir, code);
  const problem = storageProblemOf(err);
  if (problem === 'storage_full') return new KlivError('STORAGE_FULL', `The disk holding ${dataDir} is full, so Kliv cannot open its database. Free some space (see docs/operations.md) and start Kliv again.`);
  if (problem === 'storage_read_only' || (code === 'SQLITE_CANTOPEN' && !isWritable(dataDir))) {
    return new KlivError('STORAGE_READ_ONLY', `Kliv cannot write to ${dataDir} (the disk is read-only or the folder belongs to another user), so it cannot open its database. Tell the administrator (see docs/operations.md).`);
  }
  if (problem === 'storage_failed') return new KlivError('STORAGE_FAILED', `Kliv cannot open its database in ${dataDir} (${code}). Run \`kliv doctor\` (see docs/operations.md).`);
  return err;
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.kliv-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The kiosk as the screens use it, with its storage failures told to the
 * health monitor (the staff alert) before they go on to the caller as
 * STORAGE_* errors; a scan that wrote clears the alert.
 */
function watchStorage(kiosk: KioskService, health: HealthMonitor): KioskService {
  const wrote = (r: ScanResult): boolean => r.outcome === 'checked-in' || r.outcome === 'checked-out' || r.outcome === 'rejected';
  const watched = <A extends unknown[]>(fn: (...args: A) => ScanResult) => (...args: A): ScanResult => {
    let result: ScanResult;
    try {
      result = fn(...args);
    } catch (err) {
      health.recordStorageError(err);
      throw err;
    }
    if (wrote(result)) health.recordWriteOk();
    return result;
  };
  return { scan: watched(kiosk.scan), confirmCheckout: watched(kiosk.confirmCheckout) };
}
