/**
 * Backups of the venue database, and putting one back (docs/operations.md).
 *
 * A backup is an online, consistent snapshot of the live database taken with
 * `VACUUM INTO` on the open connection, never a copy of the live file (which
 * could catch a half-applied WAL). Why not better-sqlite3's `db.backup()`:
 * it opens the destination with a fresh connection that has no key, and
 * SQLite3MultipleCiphers refuses to copy encrypted pages into it ("backup is
 * not supported with incompatible source and target databases"); a plaintext
 * copy re-keyed afterwards would put every name on the disk in clear for a
 * moment. `VACUUM INTO` attaches its target with the main database's cipher
 * and key, so the backup is encrypted from its first byte. (Checked by
 * test/electron/services/backup.test.ts, which greps the raw bytes.)
 *
 * Each backup is written under a temporary name, opened with the key and
 * passed through `integrity_check`, synced, and only then renamed to
 * kliv-YYYYMMDD-HHMMSS.sqlite (UTC). Rotation keeps the newest backup of each
 * of the last `backup.keep` venue days and runs only after a good backup.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, chmodSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { KlivError } from '../../shared/errors';
import { localDateOf } from '../../shared/time';
import { DatabaseKeyError, isPlaintextDatabase, openDatabase } from '../db/connection';
import { currentVersion, DatabaseTooNewError } from '../db/migrations';
import { getVenue } from '../db/venue';
import { audit } from './audit';
import type { Clock, ServiceContext } from './context';
import type { SecretStore } from './secrets';
import { readSetting } from './settings';

export const BACKUP_DIR_NAME = 'backups';
/** kliv-YYYYMMDD-HHMMSS.sqlite, in UTC so names sort in time order across DST changes. */
export const BACKUP_NAME_RE = /^kliv-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.sqlite$/;
const PARTIAL_SUFFIX = '.partial';
/** A leftover partial file older than this belongs to a run that died. */
const STALE_PARTIAL_MS = 3600_000;

export function backupDir(dataDir: string): string {
  return join(dataDir, BACKUP_DIR_NAME);
}

/** YYYYMMDD-HHMMSS of an instant, in UTC. */
export function timeStamp(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export function backupFileName(at: number): string {
  return `kliv-${timeStamp(at)}.sqlite`;
}

/** The instant a backup name stands for, or null for any other file name. */
export function backupTimeOf(name: string): number | null {
  const m = BACKUP_NAME_RE.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(at) ? null : at;
}

export interface BackupFile {
  file: string;
  name: string;
  at: number;
  bytes: number;
}

/** The backups in a folder, newest first; other files are ignored. */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const at = backupTimeOf(name);
    if (at === null) continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) out.push({ file: join(dir, name), name, at, bytes: st.size });
    } catch {
      // removed while we looked
    }
  }
  return out.sort((a, b) => b.at - a.at);
}

export function latestBackup(dataDir: string): BackupFile | null {
  return listBackups(backupDir(dataDir))[0] ?? null;
}

// ---- what is inside a database file ------------------------------------------

export interface DatabaseFacts {
  schemaVersion: number;
  venueId: string | null;
  events: number;
  lastEventSeq: number;
  lastEventAt: number | null;
  /** The newest export batch it knows (0: none). */
  lastBatch: number;
  /** The newest acknowledged export batch's last event (the watermark). */
  exportedThroughSeq: number;
}

const hasTable = (db: Database, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

export function databaseFacts(db: Database): DatabaseFacts {
  const events = hasTable(db, 'events')
    ? db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS last, max(at) AS lastAt FROM events').get() as { n: number; last: number; lastAt: number | null }
    : { n: 0, last: 0, lastAt: null };
  const batches = hasTable(db, 'export_batches')
    ? db.prepare('SELECT coalesce(max(batch), 0) AS last, coalesce(max(CASE WHEN acknowledged_at IS NOT NULL THEN last_seq END), 0) AS through FROM export_batches').get() as { last: number; through: number }
    : { last: 0, through: 0 };
  return {
    schemaVersion: currentVersion(db),
    venueId: hasTable(db, 'venue') ? getVenue(db)?.venueId ?? null : null,
    events: events.n,
    lastEventSeq: events.last,
    lastEventAt: events.lastAt,
    lastBatch: batches.last,
    exportedThroughSeq: batches.through,
  };
}

/** `PRAGMA quick_check` (or integrity_check): ['ok'] when the file is sound. */
export function checkDatabase(db: Database, how: 'quick' | 'full' = 'quick'): string[] {
  const pragma = how === 'quick' ? 'quick_check' : 'integrity_check';
  return (db.pragma(pragma) as Record<string, string>[]).map((row) => String(Object.values(row)[0]));
}

const isOk = (problems: string[]): boolean => problems.length === 1 && problems[0] === 'ok';

export type FileVerdict =
  | { ok: true; encrypted: boolean; facts: DatabaseFacts }
  | { ok: false; problem: string };

/**
 * Opens a database file read-only (with the venue's key unless it is a
 * plaintext SQLite file) and runs `integrity_check` (or `quick_check`).
 * Never throws for a bad file: says what is wrong with it.
 */
export function verifyDatabaseFile(file: string, key: Buffer | null, how: 'quick' | 'full' = 'full'): FileVerdict {
  if (!existsSync(file)) return { ok: false, problem: `${file} does not exist` };
  try {
    if (!statSync(file).isFile()) return { ok: false, problem: `${file} is not a file` };
  } catch {
    return { ok: false, problem: `${file} cannot be read` };
  }
  const encrypted = !isPlaintextDatabase(file);
  if (encrypted && !key) return { ok: false, problem: `${file} is encrypted and the database key is missing` };
  let db: Database | null = null;
  try {
    db = openDatabase(file, { key: encrypted ? key : null, readonly: true });
    const problems = checkDatabase(db, how);
    if (!isOk(problems)) return { ok: false, problem: `${how === 'quick' ? 'quick_check' : 'integrity_check'} found damage: ${problems.slice(0, 3).join('; ')}` };
    const facts = databaseFacts(db);
    if (facts.schemaVersion < 1 || !hasTable(db, 'events')) return { ok: false, problem: `${basename(file)} is not a Kliv database` };
    return { ok: true, encrypted, facts };
  } catch (err) {
    if (err instanceof DatabaseKeyError) return { ok: false, problem: `${basename(file)} cannot be opened with this venue's database key (made by another venue or with another key, or not a Kliv database)` };
    if (err instanceof DatabaseTooNewError) return { ok: false, problem: err.message };
    const code = (err as { code?: string }).code;
    if (code?.startsWith('SQLITE_CORRUPT')) return { ok: false, problem: `${basename(file)} is damaged (${code})` };
    return { ok: false, problem: `${basename(file)} cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})` };
  } finally {
    db?.close();
  }
}

// ---- the start-up check -------------------------------------------------------

/**
 * `quick_check` of the open database. Damage stops Kliv here, before it
 * writes anything more into a damaged file, with what to do about it.
 */
export function assertDatabaseIntact(db: Database, dataDir: string): void {
  let problems: string[];
  try {
    problems = checkDatabase(db, 'quick');
  } catch (err) {
    problems = [`quick_check stopped at a damaged page (${(err as { code?: string }).code ?? 'error'})`];
  }
  if (isOk(problems)) return;
  throw damagedDatabaseError(dataDir, problems[0] ?? 'unknown damage');
}

export function damagedDatabaseError(dataDir: string, problem: string): KlivError {
  const newest = latestBackup(dataDir);
  const restore = newest ? `kliv restore ${newest.file}` : `kliv restore <a backup file, e.g. ${join(backupDir(dataDir), 'kliv-YYYYMMDD-HHMMSS.sqlite')}>`;
  return new KlivError('STORAGE_FAILED', `The database is damaged (${problem.slice(0, 200)}). Kliv stopped so that nothing more is written into it. `
    + `Write attendance on paper, then restore the newest backup with \`${restore}\` and enter the paper visits with \`kliv visit add\` (see docs/operations.md).`);
}

// ---- making a backup ------------------------------------------------------------

const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

function removeWithSideFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${file}${suffix}`, { force: true });
}

export interface BackupOptions {
  dataDir: string;
  /** Write into this folder instead of <data>/backups (not rotated). It must exist. */
  to?: string;
  /** Who is recorded in the audit log: 'scheduler', 'cli', 'staff:<id>'. */
  actor: string;
  /** Backups to keep (default: the backup.keep setting). */
  keep?: number;
  /** Test hook: after the copy is written, before it is checked. */
  afterWrite?: (partialFile: string) => void;
}

export interface BackupResult {
  file: string;
  name: string;
  at: number;
  bytes: number;
  /** Older backups removed by rotation (names). */
  removed: string[];
}

function fsyncPath(path: string, flags: 'r' | 'r+' = 'r'): void {
  let fd: number | null = null;
  try {
    fd = openSync(path, flags);
    fsyncSync(fd);
  } catch {
    // Directories cannot be opened for sync on Windows; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function removeStalePartials(dir: string, now: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith(PARTIAL_SUFFIX)) continue;
    try {
      const path = join(dir, name);
      if (now - statSync(path).mtimeMs > STALE_PARTIAL_MS) rmSync(path, { force: true });
    } catch {
      // another run is finishing it
    }
  }
}

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function storageErrorFor(err: unknown, what: string): KlivError {
  if (err instanceof KlivError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new KlivError('STORAGE_FULL', `The disk is full: ${what} could not be written.`);
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN') {
    return new KlivError('STORAGE_READ_ONLY', `${capital(what)} could not be written: the folder is read-only or not ours (${code}).`);
  }
  return new KlivError('STORAGE_FAILED', `${capital(what)} failed (${code || (err instanceof Error ? err.message : String(err))}).`);
}

/**
 * Takes a backup of the live database now. Throws a KlivError (nothing is
 * kept, older backups are untouched) when it cannot write or check it.
 */
export function backupDatabase(ctx: ServiceContext, options: BackupOptions): BackupResult {
  const key = ctx.secrets.get('database');
  if (!key) throw new KlivError('KEY_UNAVAILABLE', `The database key is missing (${ctx.secrets.describe()}): a backup could not be checked.`);
  const custom = options.to !== undefined;
  const dir = custom ? resolve(options.to as string) : backupDir(options.dataDir);
  if (custom) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new KlivError('BAD_INPUT', `The folder ${dir} does not exist (is the USB stick or share mounted?).`);
  } else {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const at = ctx.clock.now();
  const name = backupFileName(at);
  const file = join(dir, name);
  if (existsSync(file)) throw new KlivError('CONFLICT', `${file} already exists; try again in a second.`);
  removeStalePartials(dir, Date.now()); // file times are real time, whatever clock the service runs on
  const partial = join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`);
  let bytes: number;
  try {
    try {
      ctx.db.prepare('VACUUM INTO ?').run(partial);
    } catch (err) {
      throw storageErrorFor(err, 'the backup');
    }
    if (process.platform !== 'win32') chmodSync(partial, 0o600);
    options.afterWrite?.(partial);
    // VACUUM INTO takes the live connection's key; a plaintext result means
    // the live database is not encrypted, and such a copy is never kept.
    if (isPlaintextDatabase(partial)) throw new KlivError('STORAGE_FAILED', 'The backup came out unencrypted (the live database has no key); it was not kept.');
    const verdict = verifyDatabaseFile(partial, key, 'full');
    if (!verdict.ok) throw new KlivError('STORAGE_FAILED', `The new backup failed its check (${verdict.problem}); it was not kept. Run \`kliv doctor\`.`);
    fsyncPath(partial, 'r+');
    renameSync(partial, file);
    fsyncPath(dir);
    bytes = statSync(file).size;
  } catch (err) {
    removeWithSideFiles(partial);
    const failure = storageErrorFor(err, 'the backup');
    try {
      audit(ctx, { actor: options.actor, action: 'backup.failed', detail: { code: failure.code, to: custom ? dir : null } });
    } catch {
      // the disk that refused the backup may refuse the audit entry too
    }
    throw failure;
  }
  const removed = custom ? [] : rotateBackups(ctx, dir, options.keep ?? readSetting(ctx, 'backup.keep'));
  audit(ctx, { actor: options.actor, action: 'backup.created', detail: { file: name, to: custom ? dir : null, bytes, check: 'integrity_check ok', removed } });
  return { file, name, at, bytes, removed };
}

/**
 * Keeps the newest backup of each of the `keep` most recent venue days and
 * removes the rest. Touches only files named like a backup.
 */
export function rotateBackups(ctx: Pick<ServiceContext, 'db'>, dir: string, keep: number): string[] {
  const timeZone = getVenue(ctx.db)?.timeZone ?? 'UTC';
  const kept = new Set<string>();
  const removed: string[] = [];
  for (const b of listBackups(dir)) {
    const day = localDateOf(b.at, timeZone);
    if (!kept.has(day) && kept.size < Math.max(1, keep)) {
      kept.add(day);
      continue;
    }
    try {
      rmSync(b.file, { force: true });
      removed.push(b.name);
    } catch {
      // left for the next run
    }
  }
  return removed;
}

// ---- restoring ------------------------------------------------------------------

export interface RestoreOptions {
  dataDir: string;
  /** The live database file (<data>/kliv.sqlite). */
  databaseFile: string;
  /** The backup to put back. */
  file: string;
  key: Buffer;
  secrets: SecretStore;
  clock: Clock;
  actor: string;
}

export interface RestoreResult {
  from: string;
  /** Where the database that was replaced now is (null: there was none). */
  keptAs: string | null;
  restored: DatabaseFacts;
  /** What the replaced database held, when it could still be read. */
  replaced: DatabaseFacts | null;
}

/**
 * Copies the backup next to the live database, makes sure it is an
 * encrypted, intact Kliv database of this venue (a plaintext backup from
 * before encryption is encrypted here), and returns the checked copy.
 */
function stageRestore(o: RestoreOptions, staged: string): DatabaseFacts {
  const source = resolve(o.file);
  if (!existsSync(source) || !statSync(source).isFile()) throw new KlivError('NOT_FOUND', `${source} does not exist or is not a file; nothing was changed.`);
  if (resolve(source) === resolve(o.databaseFile)) throw new KlivError('BAD_INPUT', 'That is the live database itself, not a backup; nothing was changed.');
  removeWithSideFiles(staged);
  copyFileSync(source, staged);
  // A copy of a live database may have committed pages still in its WAL.
  if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${staged}-wal`);
  let db: Database | null = null;
  try {
    // Read-write (a plaintext file is encrypted with the key here), but no
    // migration yet: an older schema is brought up to date once it is in place.
    db = openDatabase(staged, { key: o.key, migrateTo: 0 });
    const problems = checkDatabase(db, 'full');
    if (!isOk(problems)) throw new KlivError('STORAGE_FAILED', `${basename(source)} is damaged (integrity_check: ${problems.slice(0, 3).join('; ')}); nothing was changed. Try an older backup.`);
    const facts = databaseFacts(db);
    if (facts.schemaVersion < 1 || !hasTable(db, 'events')) throw new KlivError('BAD_INPUT', `${basename(source)} is not a Kliv database; nothing was changed.`);
    // Fold the WAL in and leave a single self-contained file.
    db.pragma('journal_mode = DELETE');
    return facts;
  } catch (err) {
    db?.close();
    db = null;
    removeWithSideFiles(staged);
    if (err instanceof KlivError) throw err;
    if (err instanceof DatabaseKeyError) throw new KlivError('KEY_UNAVAILABLE', `${basename(source)} cannot be opened with this venue's database key (a backup of another venue, made with another key, or not a Kliv database); nothing was changed.`);
    if (err instanceof DatabaseTooNewError) throw new KlivError('CONFLICT', `${err.message} Nothing was changed.`);
    const code = (err as { code?: string }).code ?? 'error';
    if (code.startsWith('SQLITE_CORRUPT')) throw new KlivError('STORAGE_FAILED', `${basename(source)} is damaged (${code}); nothing was changed. Try an older backup.`);
    throw new KlivError('STORAGE_FAILED', `${basename(source)} cannot be read as a database (${code}); nothing was changed.`);
  } finally {
    db?.close();
  }
}

/**
 * Opens the live database once more to learn what it holds and to make sure
 * no other process (the kiosk, `kliv serve`) has it open: leaving WAL mode
 * needs the only connection, so a running Kliv makes this refuse.
 */
function takeOverLive(o: RestoreOptions): DatabaseFacts | null {
  if (!existsSync(o.databaseFile)) return null;
  let db: Database;
  try {
    // A plaintext database is looked at as it is, not encrypted on the way out.
    db = openDatabase(o.databaseFile, { key: isPlaintextDatabase(o.databaseFile) ? null : o.key, migrateTo: 0 });
  } catch {
    return null; // unreadable (that is why it is being restored): set aside as it is
  }
  try {
    let facts: DatabaseFacts | null = null;
    try {
      facts = databaseFacts(db);
    } catch {
      facts = null;
    }
    let mode: unknown;
    try {
      mode = db.pragma('journal_mode = DELETE', { simple: true });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) mode = 'wal';
      else return facts; // damaged: move it aside with its WAL
    }
    if (mode !== 'delete') {
      throw new KlivError('CONFLICT', 'Kliv is running on this data folder (the kiosk, `kliv serve` or another command has the database open). Close it first; nothing was changed.');
    }
    return facts;
  } finally {
    db.close();
  }
}

export function restoreBackup(o: RestoreOptions): RestoreResult {
  const dataDir = dirname(o.databaseFile);
  const staged = join(dataDir, `${basename(o.databaseFile)}.restoring-${process.pid}`);
  const restored = stageRestore(o, staged);
  let keptAs: string | null = null;
  let replaced: DatabaseFacts | null = null;
  try {
    replaced = takeOverLive(o);
    if (replaced?.venueId && restored.venueId && replaced.venueId !== restored.venueId) {
      throw new KlivError('CONFLICT', `The backup belongs to venue ${restored.venueId}, this data folder to venue ${replaced.venueId}; nothing was changed.`);
    }
    if (existsSync(o.databaseFile)) {
      keptAs = `${o.databaseFile}.before-restore-${timeStamp(o.clock.now())}`;
      if (existsSync(keptAs)) throw new KlivError('CONFLICT', `${keptAs} already exists; try again in a second. Nothing was changed.`);
      // A damaged database keeps its WAL beside it, under the same new name.
      for (const suffix of SIDE_FILES) if (existsSync(`${o.databaseFile}${suffix}`)) renameSync(`${o.databaseFile}${suffix}`, `${keptAs}${suffix}`);
      renameSync(o.databaseFile, keptAs);
    }
    fsyncPath(staged, 'r+');
    renameSync(staged, o.databaseFile);
    fsyncPath(dataDir);
  } catch (err) {
    removeWithSideFiles(staged);
    throw err;
  }
  // Open it the way Kliv does (an older schema is migrated here) and record the restore.
  const db = openDatabase(o.databaseFile, { key: o.key });
  try {
    assertDatabaseIntact(db, o.dataDir);
    audit({ db, clock: o.clock, secrets: o.secrets }, {
      actor: o.actor,
      action: 'backup.restored',
      detail: { from: basename(o.file), keptAs: keptAs ? basename(keptAs) : null, lastEventSeq: restored.lastEventSeq, lastBatch: restored.lastBatch },
    });
  } finally {
    db.close();
  }
  return { from: resolve(o.file), keptAs, restored, replaced };
}
