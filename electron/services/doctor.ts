/**
 * `kliv doctor`: one readable report of everything that keeps a venue's
 * records safe, each line OK, WARN or FAIL with what to do about it.
 *
 * It only reads: the database is opened read-only (a damaged one can still
 * be examined, and nothing is migrated, encrypted or created), keys that do
 * not exist are not made, and the newest backup is opened read-only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { isValidTimeZone, localDateOf, localTimeOf } from '../../shared/time';
import { DatabaseKeyError, isPlaintextDatabase, openDatabase } from '../db/connection';
import { currentVersion, DatabaseTooNewError, LATEST_VERSION } from '../db/migrations';
import { getVenue } from '../db/venue';
import { verifyAuditChain } from './audit';
import { checkDatabase, latestBackup, verifyDatabaseFile } from './backup';
import type { Clock, ServiceContext } from './context';
import { EXPORT_OVERDUE_MS, exportStatus } from './export';
import { publicKeyFingerprint, rawPublicKey, signingKeyFromSeed } from './exportCrypto';
import { DISK_LOW_BYTES, freeBytesAt } from './health';
import { lastRetentionRunAt } from './retention';
import type { SecretName, SecretStore } from './secrets';
import { readSetting } from './settings';

export type DoctorLevel = 'ok' | 'warn' | 'fail';

export interface DoctorLine {
  check: string;
  level: DoctorLevel;
  /** What was found. */
  summary: string;
  /** What to do (WARN and FAIL). */
  action?: string;
}

export interface DoctorReport {
  dataDir: string;
  lines: DoctorLine[];
  ok: boolean;
}

export interface DoctorOptions {
  dataDir: string;
  databaseFile: string;
  secrets: SecretStore;
  clock: Clock;
  freeBytes?: (dir: string) => number | null;
}

/** Less than this free on the data disk: Kliv is about to stop saving scans. */
export const DISK_CRITICAL_BYTES = 20 * 1024 * 1024;
/** A system clock this far behind the newest record is wrong (records would go back in time). */
const CLOCK_BEHIND_TOLERANCE_MS = 5 * 60_000;
/** …and this far ahead of it, suspicious. */
const CLOCK_AHEAD_SUSPICIOUS_MS = 400 * 24 * 3600_000;
/** No real clock is before this (a flat CMOS battery resets to 1970 or 2000). */
const EARLIEST_SANE = Date.UTC(2025, 0, 1);
const BACKUP_WARN_AGE_MS = 36 * 3600_000;
const RETENTION_WARN_AGE_MS = 3 * 24 * 3600_000;

const when = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hours = (ms: number): string => `${Math.floor(ms / 3600_000)} h`;
const size = (bytes: number): string => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB`
  : bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

function safely<T>(fn: () => T): { value: T } | { error: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function runDoctor(o: DoctorOptions): DoctorReport {
  const lines: DoctorLine[] = [];
  const add = (check: string, level: DoctorLevel, summary: string, action?: string): void => {
    lines.push({ check, level, summary, ...(action && level !== 'ok' ? { action } : {}) });
  };
  const done = (): DoctorReport => ({ dataDir: o.dataDir, lines, ok: lines.every((l) => l.level === 'ok') });

  const keyOf = (name: SecretName): { key: Buffer | undefined } | { error: string } => {
    const r = safely(() => o.secrets.get(name));
    return 'error' in r ? { error: messageOf(r.error) } : { key: r.value };
  };

  // ---- the database and its key ----
  if (!existsSync(o.databaseFile)) {
    add('database', 'fail', `no database at ${o.databaseFile}`, 'Check --data-dir (or KLIV_DATA_DIR); a new venue starts with `kliv init`, a lost one comes back with `kliv restore FILE`.');
    return done();
  }
  const plaintext = isPlaintextDatabase(o.databaseFile);
  const dbKey = keyOf('database');
  if ('error' in dbKey) {
    add('key: database', 'fail', dbKey.error, `Restore the keys folder (${o.secrets.describe()}) from its backup.`);
    return done();
  }
  if (plaintext) {
    add('key: database', 'warn', 'the database file is not encrypted', 'Start Kliv (or run any kliv command) once: it encrypts the database in place with a new key. Then back up the keys folder.');
  } else if (!dbKey.key) {
    if (existsSync(join(o.dataDir, 'keys', 'database.sealed'))) {
      // The desktop app seals its keys with the OS key store, which only Electron can open.
      add('key: database', 'warn', 'the keys are sealed by the desktop app (OS key store); the command line cannot open them', 'Check this data folder from the desktop app (its nightly backup and start-up check run there), or run `kliv doctor` on a browser-mode installation.');
    } else {
      add('key: database', 'fail', `the database is encrypted but its key is missing (${o.secrets.describe()})`, 'Restore the keys folder from its backup; without the key the database cannot be read.');
    }
    return done();
  }
  let db: Database;
  try {
    db = openForDoctor(o.databaseFile, plaintext ? null : dbKey.key ?? null);
  } catch (err) {
    if (err instanceof DatabaseKeyError) {
      add('key: database', 'fail', 'the database key does not open the database (wrong key, or page 1 of the file is damaged)', 'Restore the keys folder that belongs to this database; if the keys are right, restore the newest backup with `kliv restore FILE`.');
    } else if (err instanceof DatabaseTooNewError) {
      add('schema', 'fail', err.message, 'Install the newer Kliv, or restore a backup made by this version.');
    } else {
      add('database', 'fail', `the database cannot be opened (${(err as { code?: string }).code ?? messageOf(err)})`, 'Run `kliv doctor` again as the user the kiosk runs as; if it still fails, restore the newest backup with `kliv restore FILE`.');
    }
    return done();
  }
  try {
    if (!plaintext) add('key: database', 'ok', 'present; opens the encrypted database');
    const ctx: ServiceContext = { db, clock: o.clock, secrets: o.secrets };
    checkIntegrity(db, add);
    checkSchema(db, add);
    checkKeys(db, keyOf, add);
    checkAudit(db, keyOf, add);
    checkExport(ctx, add);
    checkBackup(o, plaintext ? null : dbKey.key ?? null, add);
    checkDisk(o, add);
    checkClock(db, o.clock.now(), add);
    checkTimeZone(db, o.clock.now(), add);
    checkRetention(ctx, add);
  } finally {
    db.close();
  }
  return done();
}

/**
 * Read-write without migrating or encrypting (nothing is written): as the last
 * connection to close it folds and removes the WAL side files, where a
 * read-only connection would leave them behind, owned by whoever ran the
 * doctor (root, under sudo), which could lock the kiosk's own user out.
 * A data folder that cannot be written is examined read-only.
 */
function openForDoctor(file: string, key: Buffer | null): Database {
  try {
    return openDatabase(file, { key, migrateTo: 0 });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') return openDatabase(file, { key, readonly: true });
    throw err;
  }
}

type Add = (check: string, level: DoctorLevel, summary: string, action?: string) => void;
type KeyOf = (name: SecretName) => { key: Buffer | undefined } | { error: string };

function checkIntegrity(db: Database, add: Add): void {
  const r = safely(() => checkDatabase(db, 'quick'));
  if ('error' in r) {
    add('integrity', 'fail', `quick_check could not run (${(r.error as { code?: string }).code ?? messageOf(r.error)})`, 'Restore the newest backup with `kliv restore FILE` (docs/operations.md).');
  } else if (r.value.length === 1 && r.value[0] === 'ok') {
    add('integrity', 'ok', 'quick_check ok');
  } else {
    add('integrity', 'fail', `quick_check found damage: ${r.value.slice(0, 2).join('; ')}`, 'Stop the kiosk, write attendance on paper, and restore the newest backup with `kliv restore FILE` (docs/operations.md).');
  }
}

function checkSchema(db: Database, add: Add): void {
  const version = currentVersion(db);
  if (version === LATEST_VERSION) add('schema', 'ok', `version ${version}`);
  else add('schema', 'warn', `version ${version}; this Kliv uses ${LATEST_VERSION}`, 'It is updated the next time the kiosk starts; take a backup first (`kliv backup --to DIR`).');
}

function checkKeys(db: Database, keyOf: KeyOf, add: Add): void {
  const count = (sql: string): number => {
    const r = safely(() => (db.prepare(sql).get() as { n: number }).n);
    return 'error' in r ? 0 : r.value;
  };
  const needs: Record<'pepper' | 'audit' | 'signing', { used: boolean; what: string }> = {
    pepper: { used: count('SELECT count(*) AS n FROM staff') > 0, what: 'staff PINs cannot be checked: no staff member can log in' },
    audit: { used: count('SELECT count(*) AS n FROM audit_log') > 0, what: 'the audit log cannot be verified or extended: staff work stops' },
    signing: { used: count('SELECT count(*) AS n FROM export_batches') > 0, what: 'the export cannot be signed with the key the municipality trusts' },
  };
  for (const name of ['pepper', 'audit', 'signing'] as const) {
    const k = keyOf(name);
    const check = `key: ${name}`;
    if ('error' in k) {
      add(check, 'fail', k.error, `Restore the keys folder from its backup: ${needs[name].what}.`);
    } else if (!k.key) {
      if (needs[name].used) add(check, 'fail', `missing although it is in use: ${needs[name].what}`, 'Restore the keys folder from its backup (a new key would not match what was made with the old one).');
      else add(check, 'ok', 'not made yet (made when first needed)');
    } else if (name === 'signing') {
      const r = safely(() => publicKeyFingerprint(rawPublicKey(signingKeyFromSeed(k.key as Buffer))));
      if ('error' in r) add(check, 'fail', 'present but not a usable Ed25519 key', 'Restore the keys folder from its backup.');
      else add(check, 'ok', `present; public key fingerprint ${r.value}`);
    } else {
      add(check, 'ok', 'present');
    }
  }
}

function checkAudit(db: Database, keyOf: KeyOf, add: Add): void {
  const k = keyOf('audit');
  if ('error' in k || !k.key) {
    const r = safely(() => (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n);
    if ('value' in r && r.value === 0) add('audit chain', 'ok', 'empty');
    else add('audit chain', 'fail', 'cannot be verified: the audit key is missing', 'Restore the keys folder from its backup.');
    return;
  }
  const key = k.key;
  const r = safely(() => verifyAuditChain(db, key));
  if ('error' in r) add('audit chain', 'fail', `cannot be read (${messageOf(r.error)})`, 'Restore the newest backup with `kliv restore FILE`.');
  else if (r.value.ok) add('audit chain', 'ok', `intact, ${r.value.entries} entries`);
  else add('audit chain', 'fail', `broken at entry ${r.value.badSeq}: ${r.value.problem}`, 'Someone changed the database behind Kliv\'s back: keep this database as evidence, report it, and compare with a backup.');
}

function checkExport(ctx: ServiceContext, add: Add): void {
  if (!getVenue(ctx.db)) {
    add('export', 'warn', 'no venue in this data folder yet', 'Create it with `kliv init`.');
    return;
  }
  const r = safely(() => exportStatus(ctx, 1));
  if ('error' in r) {
    add('export', 'fail', `status cannot be read (${messageOf(r.error)})`, 'Run `kliv export --status`.');
    return;
  }
  const s = r.value;
  const last = s.lastSuccessAt === null ? 'never' : when(s.lastSuccessAt);
  if (!s.configured) {
    add('export', 'warn', `not set up (no recipient or destination); last success ${last}`, 'Set `kliv config set export.recipient age1…` and `kliv config set export.folder /path` (or export.url); see docs/export-format.md.');
  } else if (s.problem === 'overdue') {
    add('export', 'warn', `no successful export for more than ${hours(EXPORT_OVERDUE_MS)} (last ${last}); ${s.pendingEvents} event(s) waiting`, 'Check that the share or address is reachable, then run `kliv export` and read its message.');
  } else if (s.problem === 'last_failed') {
    add('export', 'warn', `the last run failed (${s.lastAttempt?.message ?? ''}); last success ${last}`, 'Run `kliv export` and read its message; the kiosk retries by itself.');
  } else {
    add('export', 'ok', `last success ${last}; ${s.pendingEvents} event(s) waiting; recipient configured`);
  }
}

function checkBackup(o: DoctorOptions, key: Buffer | null, add: Add): void {
  const newest = latestBackup(o.dataDir);
  if (!newest) {
    add('backup', 'warn', 'no backup in the backups folder yet', 'Run `kliv backup` now; the kiosk then makes one every night (backup.time).');
    return;
  }
  const age = o.clock.now() - newest.at;
  const verdict = verifyDatabaseFile(newest.file, key, 'quick');
  if (!verdict.ok) {
    add('backup', 'fail', `the newest backup ${newest.name} does not check out: ${verdict.problem}`, 'Run `kliv backup` now and look at `kliv doctor` again; keep the older backups.');
  } else if (!verdict.encrypted) {
    add('backup', 'fail', `the newest backup ${newest.name} is not encrypted`, 'Delete it and run `kliv backup` (a backup is always encrypted with the database key).');
  } else if (age > BACKUP_WARN_AGE_MS) {
    add('backup', 'warn', `the newest backup is ${hours(age)} old (${newest.name})`, 'Run `kliv backup` now; check that the kiosk is on at backup.time, or look at its log for "backup failed".');
  } else {
    add('backup', 'ok', `newest ${newest.name} (${hours(Math.max(0, age))} old, ${size(newest.bytes)}), opens with the key, quick_check ok`);
  }
}

function checkDisk(o: DoctorOptions, add: Add): void {
  const free = (o.freeBytes ?? freeBytesAt)(o.dataDir);
  if (free === null) add('disk', 'warn', 'free space cannot be read', 'Check the disk of the data folder by hand.');
  else if (free < DISK_CRITICAL_BYTES) add('disk', 'fail', `only ${size(free)} free on the data folder's disk`, 'Free space now (old files, the Downloads folder; never the data folder itself): Kliv stops saving scans when the disk is full.');
  else if (free < DISK_LOW_BYTES) add('disk', 'warn', `${size(free)} free on the data folder's disk`, 'Free some space soon; move old backups off the machine.');
  else add('disk', 'ok', `${size(free)} free`);
}

function checkClock(db: Database, now: number, add: Add): void {
  const newest = safely(() => db.prepare('SELECT max(m) AS m FROM (SELECT max(at) AS m FROM events UNION ALL SELECT max(at) FROM audit_log)').get() as { m: number | null });
  const latest = 'value' in newest ? newest.value.m : null;
  if (now < EARLIEST_SANE) {
    add('clock', 'fail', `the system clock says ${when(now)}`, 'Set the date and time (turn on automatic time); a flat clock battery can reset it.');
  } else if (latest !== null && now < latest - CLOCK_BEHIND_TOLERANCE_MS) {
    add('clock', 'fail', `the system clock (${when(now)}) is behind the newest record (${when(latest)})`, 'Set the correct time (turn on automatic time) before the kiosk records more.');
  } else if (latest !== null && now - latest > CLOCK_AHEAD_SUSPICIOUS_MS) {
    add('clock', 'warn', `the system clock (${when(now)}) is more than a year after the newest record (${when(latest)})`, 'Check the date and time.');
  } else {
    add('clock', 'ok', `${when(now)}${latest !== null ? `; newest record ${when(latest)}` : ''}`);
  }
}

function checkTimeZone(db: Database, now: number, add: Add): void {
  const venue = getVenue(db);
  if (!venue) return;
  if (!isValidTimeZone(venue.timeZone)) {
    add('time zone', 'fail', `the venue's time zone "${venue.timeZone}" is not known on this machine`, 'Update the system\'s time zone data, or set the venue\'s zone to an IANA name such as Europe/Stockholm.');
  } else {
    add('time zone', 'ok', `${venue.timeZone}: it is ${localDateOf(now, venue.timeZone)} ${localTimeOf(now, venue.timeZone)} at the venue`);
  }
}

function checkRetention(ctx: ServiceContext, add: Add): void {
  const venue = getVenue(ctx.db);
  if (!venue) return;
  const months = readSetting(ctx, 'retention.months');
  if (months === 0) {
    add('retention', 'ok', 'retention.months = 0: attendance is kept forever');
    return;
  }
  const last = lastRetentionRunAt(ctx.db);
  const now = ctx.clock.now();
  if (last === null && now - venue.createdAt > RETENTION_WARN_AGE_MS) {
    add('retention', 'warn', `keep ${months} months; the purge has never run`, 'Run `kliv retention run`; the kiosk runs it every night after the backup.');
  } else if (last !== null && now - last > RETENTION_WARN_AGE_MS) {
    add('retention', 'warn', `keep ${months} months; the purge last ran ${when(last)}`, 'Run `kliv retention run`; the kiosk runs it every night after the backup.');
  } else {
    add('retention', 'ok', `keep ${months} months; last purge ${last === null ? 'not yet' : when(last)}`);
  }
}
