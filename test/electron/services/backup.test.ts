/**
 * Backups (electron/services/backup.ts): online, encrypted, checked, rotated
 * and audited; restoring one refuses anything it cannot verify and keeps the
 * replaced database aside; quick_check at start stops a damaged database;
 * the maintenance scheduler takes the nightly backup and makes up for a
 * missed one.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath, openApp, type KlivApp } from '../../../electron/api/app';
import { isPlaintextDatabase, openDatabase } from '../../../electron/db/connection';
import { LATEST_VERSION } from '../../../electron/db/migrations';
import {
  backupDatabase, backupDir, backupFileName, backupTimeOf, latestBackup, listBackups, restoreBackup, rotateBackups, verifyDatabaseFile,
} from '../../../electron/services/backup';
import { startMaintenanceScheduler } from '../../../electron/services/maintenance';
import { enrolParticipant } from '../../../electron/services/participants';
import { writeSetting } from '../../../electron/services/settings';
import { KlivError } from '../../../shared/errors';
import { localTimeOf } from '../../../shared/time';
import { openVenueDatabase, tempDir, testApp, testClock, type TestApp } from '../../helpers';

const NAME = 'Zelmira Quistgård';
const CODE = 'BKP-4711';
const posix = process.platform !== 'win32';
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const keyOf = (t: TestApp): Buffer => t.app.ctx.secrets.get('database') as Buffer;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  }
  return 'no error';
}

function countOf(db: { prepare(sql: string): { get(): unknown } }, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

let t: TestApp;
let extra: KlivApp[];
let payload: string;

beforeEach(() => {
  t = testApp({ start: '2026-03-02T08:00:00Z' });
  extra = [];
  payload = enrolParticipant(t.app.ctx, { displayName: NAME, code: CODE }).issued.payload;
});

afterEach(() => {
  for (const a of extra) a.close();
  t.close();
});

const backup = (to?: string) => backupDatabase(t.app.ctx, { dataDir: t.dataDir, actor: 'cli', ...(to ? { to } : {}) });

describe('a backup', () => {
  it('is an encrypted, checked snapshot named kliv-YYYYMMDD-HHMMSS.sqlite in <data>/backups, owner-only', () => {
    const result = backup();
    expect(result.name).toBe('kliv-20260302-080000.sqlite');
    expect(result.file).toBe(join(t.dataDir, 'backups', result.name));
    const bytes = readFileSync(result.file);
    expect(bytes.length).toBe(result.bytes);
    // Encrypted from the first byte: no SQLite header, no name, no code, in any encoding.
    expect(isPlaintextDatabase(result.file)).toBe(false);
    for (const needle of [NAME, CODE, 'Testgården']) {
      expect(bytes.includes(Buffer.from(needle, 'utf8')), needle).toBe(false);
      expect(bytes.includes(Buffer.from(needle, 'utf16le')), needle).toBe(false);
    }
    if (posix) expect(statSync(result.file).mode & 0o777).toBe(0o600);
    // It opens with the venue's key only, and holds the data.
    const verdict = verifyDatabaseFile(result.file, keyOf(t));
    expect(verdict).toMatchObject({ ok: true, encrypted: true, facts: { schemaVersion: LATEST_VERSION } });
    expect(verifyDatabaseFile(result.file, Buffer.alloc(32, 1))).toMatchObject({ ok: false, problem: expect.stringMatching(/cannot be opened with this venue's database key/) });
    const db = openDatabase(result.file, { key: keyOf(t), readonly: true });
    try {
      expect(db.prepare('SELECT display_name FROM participants WHERE code = ?').pluck().get(CODE)).toBe(NAME);
    } finally {
      db.close();
    }
    expect(readdirSync(backupDir(t.dataDir))).toEqual([result.name]); // no temporary file left
  });

  it('is taken from the live database, WAL included, not copied from the file', () => {
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in'); // only in the WAL so far
    expect(statSync(`${databasePath(t.dataDir)}-wal`).size).toBeGreaterThan(0);
    const result = backup();
    const db = openDatabase(result.file, { key: keyOf(t), readonly: true });
    try {
      expect(countOf(db, 'visits')).toBe(1);
    } finally {
      db.close();
    }
  });

  it('is written in the audit log (file name and counts, no names)', () => {
    const result = backup();
    const row = t.app.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'backup.created'").get() as { actor: string; detail: string };
    expect(row.actor).toBe('cli');
    expect(JSON.parse(row.detail)).toMatchObject({ file: result.name, bytes: result.bytes, check: 'integrity_check ok', removed: [] });
    expect(row.detail).not.toContain(NAME);
  });

  it('is refused, and nothing kept, when the live database is not encrypted', () => {
    const dir = tempDir();
    try {
      const plain = openDatabase(join(dir.path, 'plain.sqlite'));
      const ctx = { ...t.app.ctx, db: plain };
      try {
        expect(codeOf(() => backupDatabase(ctx, { dataDir: dir.path, actor: 'cli' }))).toBe('STORAGE_FAILED');
      } finally {
        plain.close();
      }
      expect(readdirSync(join(dir.path, 'backups'))).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });

  it('--to writes into an existing folder (not rotated), and a missing folder is refused', () => {
    const usb = join(t.dataDir, '..', `${t.dataDir.split('/').pop() ?? 'x'}-usb`);
    mkdirSync(usb);
    try {
      const result = backup(usb);
      expect(result.file).toBe(join(usb, 'kliv-20260302-080000.sqlite'));
      expect(verifyDatabaseFile(result.file, keyOf(t)).ok).toBe(true);
      expect(existsSync(backupDir(t.dataDir))).toBe(false);
      expect(codeOf(() => backup(join(usb, 'not-mounted')))).toBe('BAD_INPUT');
    } finally {
      rmSync(usb, { recursive: true, force: true });
    }
  });

  it('never overwrites a backup of the same second', () => {
    backup();
    expect(codeOf(() => backup())).toBe('CONFLICT');
  });
});

describe('rotation', () => {
  it('keeps the newest backup of each of the last backup.keep venue days, and nothing else is touched', () => {
    writeSetting(t.app.ctx, 'backup.keep', '3');
    const made: string[] = [];
    for (let day = 0; day < 5; day++) {
      t.clock.set(Date.parse(`2026-03-0${2 + day}T00:30:00Z`)); // 01:30 in Stockholm
      made.push(backup().name);
      if (day === 4) {
        t.clock.advance(12 * 3600_000); // a second backup that day (kliv backup by hand)
        made.push(backup().name);
      }
    }
    writeFileSync(join(backupDir(t.dataDir), 'notes.txt'), 'not a backup');
    const names = listBackups(backupDir(t.dataDir)).map((b) => b.name);
    expect(names).toEqual(['kliv-20260306-123000.sqlite', 'kliv-20260305-003000.sqlite', 'kliv-20260304-003000.sqlite']);
    expect(readdirSync(backupDir(t.dataDir))).toContain('notes.txt');
    const last = JSON.parse((t.app.db.prepare("SELECT detail FROM audit_log WHERE action = 'backup.created' ORDER BY seq DESC LIMIT 1").get() as { detail: string }).detail) as { removed: string[] };
    expect(last.removed).toEqual(['kliv-20260306-003000.sqlite']); // the same day's earlier one
    expect(rotateBackups(t.app.ctx, backupDir(t.dataDir), 1)).toEqual(['kliv-20260305-003000.sqlite', 'kliv-20260304-003000.sqlite']);
  });

  it('groups by the venue day, so the spring-forward night does not cost a day', () => {
    writeSetting(t.app.ctx, 'backup.keep', '2');
    // 01:30 Stockholm on 28 and 29 March 2026 (DST starts on the 29th) is 00:30 and 23:30 UTC… of different UTC days.
    t.clock.set('2026-03-28T00:30:00Z');
    backup();
    t.clock.set('2026-03-28T23:30:00Z');
    backup();
    expect(listBackups(backupDir(t.dataDir)).map((b) => b.name)).toEqual(['kliv-20260328-233000.sqlite', 'kliv-20260328-003000.sqlite']);
  });

  it('names parse back to their instant and other names are ignored', () => {
    expect(backupTimeOf(backupFileName(Date.parse('2026-12-31T23:59:58Z')))).toBe(Date.parse('2026-12-31T23:59:58Z'));
    expect(backupTimeOf('kliv-20260302-080000.sqlite.partial')).toBeNull();
    expect(backupTimeOf('kliv.sqlite')).toBeNull();
  });
});

describe.runIf(process.getuid?.() === 0 && process.platform === 'linux')('a backup on a full disk', () => {
  it('fails with STORAGE_FULL, leaves no partial file, keeps the older backups and is audited', () => {
    const first = backup();
    const dir = backupDir(t.dataDir);
    const mount = join(t.dataDir, 'small');
    mkdirSync(mount);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]).status !== 0) return;
    try {
      t.clock.advance(1000);
      expect(codeOf(() => backup(mount))).toBe('STORAGE_FULL');
      expect(readdirSync(mount)).toEqual([]);
      expect(listBackups(dir).map((b) => b.name)).toEqual([first.name]);
      expect(t.app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'backup.failed'").pluck().get()).toBe(1);
    } finally {
      spawnSync('umount', [mount]);
    }
  });
});

// ---- the start-up check ---------------------------------------------------------

/** Overwrites bytes in the middle of page `page` (4096-byte pages). */
function damagePage(file: string, page: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, page * 4096 + 100);
  } finally {
    closeSync(fd);
  }
}

/**
 * Damages a database so that only integrity_check notices: the two indexes
 * of the visits table swap their trees (every page still decrypts and
 * quick_check says ok).
 */
function scrambleIndexes(file: string, key: Buffer): void {
  const db = openDatabase(file, { key, migrateTo: 0 });
  try {
    const root = (name: string): number => db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(name) as number;
    const [a, b] = [root('visits_by_day'), root('visits_by_participant')];
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare('UPDATE sqlite_master SET rootpage = ? WHERE name = ?').run(b, 'visits_by_day');
    db.prepare('UPDATE sqlite_master SET rootpage = ? WHERE name = ?').run(a, 'visits_by_participant');
    db.pragma('writable_schema = OFF');
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

describe('a backup that does not check out', () => {
  it('is not kept, leaves the older backups alone, and is audited as failed', () => {
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in');
    const first = backup();
    t.clock.advance(24 * 3600_000);
    expect(codeOf(() => backupDatabase(t.app.ctx, { dataDir: t.dataDir, actor: 'scheduler', keep: 1, afterWrite: (partial) => scrambleIndexes(partial, keyOf(t)) }))).toBe('STORAGE_FAILED');
    expect(readdirSync(backupDir(t.dataDir))).toEqual([first.name]); // no partial file, no side files, the old one not rotated away
    expect(t.app.db.prepare("SELECT detail FROM audit_log WHERE action = 'backup.failed'").pluck().get()).toBe(JSON.stringify({ code: 'STORAGE_FAILED', to: null }));
  });
});

describe('quick_check at start', () => {
  it('stops a damaged database with STORAGE_FAILED and tells what to restore, before anything is written', () => {
    for (let i = 0; i < 80; i++) enrolParticipant(t.app.ctx, { displayName: `Person ${i}` });
    const newest = backup();
    t.app.close();
    const file = databasePath(t.dataDir);
    damagePage(file, Math.floor(statSync(file).size / 4096) - 2);
    const before = sha(file);
    let err: unknown;
    try {
      extra.push(openApp({ dataDir: t.dataDir, clock: testClock() }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KlivError);
    expect((err as KlivError).code).toBe('STORAGE_FAILED');
    expect((err as KlivError).message).toContain(`kliv restore ${newest.file}`);
    expect(sha(file)).toBe(before);
    t.app = openApp({ dataDir: t.dataDir, clock: testClock(), startupCheck: false }); // for afterEach; the check can be skipped explicitly
  });

  it('lets an intact database through', () => {
    t.app.close();
    t.app = openApp({ dataDir: t.dataDir, clock: testClock() });
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in');
  });
});

// ---- restoring --------------------------------------------------------------------

describe('restoring a backup', () => {
  const restore = (file: string, key = keyOf(t)) => restoreBackup({ dataDir: t.dataDir, databaseFile: databasePath(t.dataDir), file, key, secrets: t.app.ctx.secrets, clock: t.clock, actor: 'cli' });

  it('puts the backup in place, keeps the replaced database aside, and audits it', () => {
    const good = backup();
    t.clock.advance(3600_000);
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in'); // after the backup
    t.app.close();
    t.clock.advance(1000);
    const result = restore(good.file);
    expect(result.keptAs).toBe(`${databasePath(t.dataDir)}.before-restore-20260302-090001`);
    expect(result.restored.lastEventSeq).toBeLessThan(result.replaced?.lastEventSeq ?? 0);
    expect(readdirSync(t.dataDir).filter((n) => n.startsWith('kliv.sqlite')).sort()).toEqual(['kliv.sqlite', 'kliv.sqlite.before-restore-20260302-090001']);
    t.app = openApp({ dataDir: t.dataDir, clock: t.clock });
    expect(countOf(t.app.db, 'visits')).toBe(0);
    const audited = t.app.db.prepare("SELECT detail FROM audit_log WHERE action = 'backup.restored'").pluck().get() as string;
    expect(JSON.parse(audited)).toMatchObject({ from: good.name, keptAs: 'kliv.sqlite.before-restore-20260302-090001' });
    // the replaced one is intact and still opens with the key
    expect(verifyDatabaseFile(result.keptAs as string, keyOf(t))).toMatchObject({ ok: true, facts: { events: result.replaced?.events } });
  });

  it('refuses a damaged backup, a backup of another key, and something that is not a database: nothing changes', () => {
    for (let i = 0; i < 80; i++) enrolParticipant(t.app.ctx, { displayName: `Person ${i}` });
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in');
    const good = backup();
    t.app.close();
    const live = databasePath(t.dataDir);
    const liveHash = sha(live);
    const damaged = join(t.dataDir, 'damaged.sqlite');
    writeFileSync(damaged, readFileSync(good.file));
    damagePage(damaged, Math.floor(statSync(damaged).size / 4096) - 2);
    const junk = join(t.dataDir, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all'.repeat(300));

    expect(codeOf(() => restore(damaged))).toBe('STORAGE_FAILED');
    // Damage only integrity_check sees (quick_check and every page are fine).
    const subtle = join(t.dataDir, 'subtle.sqlite');
    writeFileSync(subtle, readFileSync(good.file));
    scrambleIndexes(subtle, keyOf(t));
    expect(verifyDatabaseFile(subtle, keyOf(t), 'quick').ok).toBe(true);
    expect(codeOf(() => restore(subtle))).toBe('STORAGE_FAILED');
    expect(codeOf(() => restore(good.file, Buffer.alloc(32, 9)))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => restore(junk))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => restore(join(t.dataDir, 'missing.sqlite')))).toBe('NOT_FOUND');
    expect(codeOf(() => restore(live))).toBe('BAD_INPUT');
    expect(sha(live)).toBe(liveHash);
    expect(readdirSync(t.dataDir).filter((n) => n.startsWith('kliv.sqlite'))).toEqual(['kliv.sqlite']);
    t.app = openApp({ dataDir: t.dataDir, clock: t.clock });
  });

  it('refuses while Kliv has the database open', () => {
    const good = backup();
    const live = databasePath(t.dataDir);
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = sha(live);
    expect(codeOf(() => restore(good.file))).toBe('CONFLICT');
    expect(sha(live)).toBe(before);
    expect(readdirSync(t.dataDir).filter((n) => n.includes('before-restore') || n.includes('restoring'))).toEqual([]);
    expect(t.app.kiosk.scan(payload).outcome).toBe('checked-in'); // the running kiosk is unaffected
  });

  it('brings back a plaintext backup from before encryption, encrypted', () => {
    // A plaintext copy of this venue: a backup decrypted with an empty rekey.
    const plainBackup = join(t.dataDir, 'old-plain.sqlite');
    writeFileSync(plainBackup, readFileSync(backup().file));
    const decrypt = openDatabase(plainBackup, { key: keyOf(t), migrateTo: 0 });
    decrypt.pragma('journal_mode = DELETE');
    decrypt.pragma("rekey = ''");
    decrypt.close();
    expect(isPlaintextDatabase(plainBackup)).toBe(true);
    t.app.close();
    const result = restore(plainBackup);
    expect(result.restored.venueId).toBe(result.replaced?.venueId);
    expect(isPlaintextDatabase(databasePath(t.dataDir))).toBe(false);
    expect(readFileSync(databasePath(t.dataDir)).includes(Buffer.from(NAME))).toBe(false);
    t.app = openApp({ dataDir: t.dataDir, clock: t.clock });
    expect(t.app.db.prepare('SELECT display_name FROM participants WHERE code = ?').pluck().get(CODE)).toBe(NAME);
  });

  it('brings an older schema up to date once it is in place', () => {
    t.app.close();
    const older = join(t.dataDir, 'older.sqlite');
    const db = openDatabase(older, { key: keyOf(t), migrateTo: 3 });
    db.pragma('journal_mode = DELETE');
    db.close();
    restore(older);
    const reopened = openVenueDatabase(t.dataDir);
    try {
      expect(reopened.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    } finally {
      reopened.close();
    }
    t.app = openApp({ dataDir: t.dataDir, clock: t.clock });
  });
});

// ---- the nightly backup -------------------------------------------------------------

describe('the maintenance scheduler', () => {
  it('makes up for a missed nightly backup, then runs the purge, and does not repeat itself', async () => {
    t.clock.set('2026-03-02T08:00:00Z'); // 09:00 in Stockholm: 01:30 has passed without a backup
    const scheduler = startMaintenanceScheduler(t.app, { firstCheckAfterMs: 3_600_000, log: () => undefined });
    try {
      await scheduler.check();
      expect(listBackups(backupDir(t.dataDir)).map((b) => b.name)).toEqual(['kliv-20260302-080000.sqlite']);
      expect(t.app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'retention.purged'").pluck().get()).toBe(1);
      t.clock.advance(10 * 60_000);
      await scheduler.check();
      expect(listBackups(backupDir(t.dataDir))).toHaveLength(1);
      expect(t.app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'retention.purged'").pluck().get()).toBe(1);
      // The nightly run is at backup.time in the venue's zone (croner runs on the real clock).
      const next = scheduler.nextRunAt();
      expect(next).not.toBeNull();
      expect(localTimeOf((next as Date).getTime(), 'Europe/Stockholm')).toBe('01:30');
      writeSetting(t.app.ctx, 'backup.time', '03:15');
      expect(localTimeOf((scheduler.nextRunAt() as Date).getTime(), 'Europe/Stockholm')).toBe('03:15');
    } finally {
      scheduler.stop();
    }
  });

  it('tells the health monitor about a failed backup, retries after the pause, and clears it on success', async () => {
    let fail = true;
    const calls: string[] = [];
    const scheduler = startMaintenanceScheduler(t.app, {
      firstCheckAfterMs: 3_600_000,
      retryAfterMs: 30 * 60_000,
      log: () => undefined,
      run: (task) => {
        calls.push(task);
        if (task === 'backup' && fail) throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
        if (task === 'backup') return backupDatabase(t.app.ctx, { dataDir: t.dataDir, actor: 'scheduler' });
        return null;
      },
    });
    try {
      await scheduler.check();
      expect(calls).toEqual(['backup', 'retention']);
      expect(t.app.health.report().problems).toContain('backup_failed');
      t.clock.advance(10 * 60_000);
      await scheduler.check();
      expect(calls.filter((c) => c === 'backup')).toHaveLength(1); // not before the pause is over
      fail = false;
      t.clock.advance(25 * 60_000);
      await scheduler.check();
      expect(calls.filter((c) => c === 'backup')).toHaveLength(2);
      expect(t.app.health.report().problems).not.toContain('backup_failed');
      expect(latestBackup(t.dataDir)).not.toBeNull();
    } finally {
      scheduler.stop();
    }
  });

  it('does nothing before a venue exists', async () => {
    const bare = testApp({ init: false });
    const scheduler = startMaintenanceScheduler(bare.app, { firstCheckAfterMs: 3_600_000 });
    try {
      await scheduler.check();
      expect(scheduler.nextRunAt()).toBeNull();
      expect(existsSync(backupDir(bare.dataDir))).toBe(false);
    } finally {
      scheduler.stop();
      bare.close();
    }
  });
});
