import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../electron/db/connection';
import { currentVersion, DatabaseTooNewError, LATEST_VERSION, migrate, migrations } from '../../../electron/db/migrations';
import { tempDir } from '../../helpers';

interface Schema { tables: string[]; views: string[]; indexes: string[]; triggers: string[] }

/**
 * What each migration adds. A new migration without an entry here fails the
 * suite, so each one gets its test.
 */
const ADDS: Record<number, Partial<Schema>> = {
  1: {
    tables: ['cards', 'events', 'participants', 'rejected_scans', 'settings', 'venue', 'visits'],
    indexes: ['cards_by_participant', 'visits_by_day', 'visits_by_participant', 'visits_one_open'],
    triggers: ['events_no_update'],
  },
  2: {
    tables: ['audit_log', 'checks', 'day_confirmations', 'staff', 'staff_badges', 'visit_corrections'],
    indexes: ['audit_by_action', 'checks_by_visit', 'staff_badges_by_staff', 'visit_corrections_by_visit'],
    triggers: ['audit_no_delete', 'audit_no_replace', 'audit_no_update', 'checks_no_delete', 'checks_no_update', 'visit_corrections_no_delete', 'visit_corrections_no_update'],
  },
  3: {
    tables: ['schedules'],
    indexes: ['schedules_by_participant'],
    triggers: ['cards_stay_revoked', 'staff_badges_stay_revoked'],
  },
  4: {
    tables: ['export_attempts', 'export_batches', 'export_deliveries', 'export_lease'],
    indexes: ['export_attempts_by_outcome', 'export_batches_one_pending'],
    triggers: ['export_batches_acknowledged_fixed', 'export_batches_range_fixed'],
  },
  5: {
    views: ['report_visits'],
    indexes: ['visits_by_day_out'],
  },
};

function expectedAt(version: number): Schema {
  const out: Schema = { tables: [], views: [], indexes: [], triggers: [] };
  for (let v = 1; v <= version; v++) {
    for (const k of Object.keys(out) as (keyof Schema)[]) out[k].push(...(ADDS[v]?.[k] ?? []));
  }
  for (const k of Object.keys(out) as (keyof Schema)[]) out[k].sort();
  return out;
}

function schemaOf(db: Database): Schema {
  const names = (type: string): string[] => (db.prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(type) as { name: string }[]).map((r) => r.name);
  return { tables: names('table'), views: names('view'), indexes: names('index'), triggers: names('trigger') };
}

let dir: ReturnType<typeof tempDir>;
let open: Database[] = [];
const file = (name = 'kliv.sqlite'): string => join(dir.path, name);
const track = (db: Database): Database => {
  open.push(db);
  return db;
};
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeEach(() => {
  dir = tempDir();
  open = [];
});
afterEach(() => {
  for (const db of open) if (db.open) db.close();
  dir.cleanup();
});

describe('migrations', () => {
  it('are numbered 1, 2, 3 … with unique names, and LATEST_VERSION is the last', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    expect(LATEST_VERSION).toBe(migrations.length);
  });

  it('every migration has an expected schema in this test', () => {
    for (const m of migrations) expect(ADDS[m.version], `add ADDS[${m.version}]`).toBeDefined();
  });

  it('version 0: an empty file stays empty', () => {
    const db = track(openDatabase(file(), { migrateTo: 0 }));
    expect(currentVersion(db)).toBe(0);
    expect(schemaOf(db)).toEqual(expectedAt(0));
  });

  it.each(migrations.map((m) => [m.version, m.name] as const))('migration %i (%s) on an empty file gives the expected tables, indexes and triggers', (version) => {
    const db = track(openDatabase(file(), { migrateTo: version }));
    expect(currentVersion(db)).toBe(version);
    expect(schemaOf(db)).toEqual(expectedAt(version));
    // and migrating from the previous version gives the same schema as migrating in one go
    const stepwise = track(openDatabase(file('stepwise.sqlite'), { migrateTo: version - 1 }));
    expect(migrate(stepwise, version)).toBe(version);
    expect(schemaOf(stepwise)).toEqual(schemaOf(db));
  });

  it('migration 1: the core tables have the columns the db modules use, and are STRICT', () => {
    const db = track(openDatabase(file(), { migrateTo: 1 }));
    const columns = (table: string): string[] => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('venue')).toEqual(['id', 'venue_id', 'name', 'mode', 'time_zone', 'created_at']);
    expect(columns('participants')).toEqual(['id', 'code', 'display_name', 'mode', 'active', 'created_at']);
    expect(columns('cards')).toEqual(['id', 'token_hash', 'participant_id', 'issued_at', 'revoked_at', 'revoke_reason']);
    expect(columns('visits')).toEqual(['id', 'participant_id', 'day', 'checked_in_at', 'checked_out_at', 'source', 'auto_closed', 'created_at']);
    expect(columns('events')).toEqual(['seq', 'at', 'type', 'participant_code', 'data']);
    expect(columns('rejected_scans')).toEqual(['day', 'reason', 'count']);
    expect(columns('settings')).toEqual(['key', 'value']);
    // no column anywhere could hold a clear card payload or a personal number
    for (const t of expectedAt(1).tables) expect(columns(t).join(' ')).not.toMatch(/payload|personnummer|ssn|personal/);
    const strict = (db.prepare('PRAGMA table_list').all() as { name: string; strict: number }[]).filter((t) => expectedAt(1).tables.includes(t.name));
    expect(strict).toHaveLength(expectedAt(1).tables.length);
    for (const t of strict) expect(t.strict, t.name).toBe(1);
    expect(() => db.prepare("INSERT INTO events (at, type, data) VALUES ('noon', 'x', '{}')").run()).toThrow(/cannot store TEXT value in INTEGER/);
  });

  it('migration 2: a version-1 database with attendance keeps its rows; visits gain manual_reason and flagged; staff tables are append-only where they must be', () => {
    const v1 = track(openDatabase(file(), { migrateTo: 1 }));
    v1.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P1', 'Anna', 'dropin', 0)").run();
    v1.prepare("INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, created_at) VALUES (1, '2026-03-02', 1000, NULL, 'card', 1000)").run();
    v1.prepare("INSERT INTO events (at, type, participant_code, data) VALUES (1000, 'visit.checked_in', 'P1', '{}')").run();
    expect(migrate(v1, 2)).toBe(2);
    expect(v1.prepare('SELECT participant_id, day, checked_out_at, manual_reason, flagged FROM visits').get())
      .toEqual({ participant_id: 1, day: '2026-03-02', checked_out_at: null, manual_reason: null, flagged: 0 });
    expect(v1.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    v1.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'staff', 'x', 0)").run();
    expect(() => v1.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('kim', 'staff', 'y', 0)").run()).toThrow(/UNIQUE/);
    expect(() => v1.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Lo', 'root', 'y', 0)").run()).toThrow(/CHECK/);
    v1.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (1, 'ready', NULL, 1, 1)").run();
    expect(() => v1.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (1, 'not_today', NULL, 1, 1)").run()).toThrow(/CHECK/);
    expect(() => v1.prepare("UPDATE checks SET outcome = 'not_today', reason = 'other'").run()).toThrow('append-only');
    expect(() => v1.prepare('DELETE FROM checks').run()).toThrow('append-only');
    v1.prepare("INSERT INTO audit_log (at, actor, action, detail, prev_mac, mac) VALUES (1, 'a', 'b', '{}', '', 'm')").run();
    expect(() => v1.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow('append-only');
    expect(() => v1.prepare('DELETE FROM audit_log').run()).toThrow('append-only');
    expect(() => v1.prepare("INSERT OR REPLACE INTO audit_log (seq, at, actor, action, detail, prev_mac, mac) VALUES (1, 2, 'x', 'y', '{}', '', 'forged')").run()).toThrow('append-only');
    expect(v1.prepare('SELECT mac FROM audit_log WHERE seq = 1').pluck().get()).toBe('m');
  });

  it('migration 3: schedules are checked; a revoked card or badge can never be un-revoked', () => {
    const db = track(openDatabase(file(), { migrateTo: 3 }));
    db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P1', 'Anna', 'structured', 0)").run();
    const schedule = db.prepare('INSERT INTO schedules (participant_id, days, start_time, end_time, valid_from, valid_to, created_at) VALUES (1, ?, ?, ?, ?, ?, 0)');
    expect(() => schedule.run(0b0010101, '09:00', '12:00', '2026-03-02', null)).not.toThrow();
    expect(() => schedule.run(0, '09:00', '12:00', '2026-03-02', null)).toThrow(/CHECK/);
    expect(() => schedule.run(128, '09:00', '12:00', '2026-03-02', null)).toThrow(/CHECK/);
    expect(() => schedule.run(1, '12:00', '09:00', '2026-03-02', null)).toThrow(/CHECK/);
    expect(() => schedule.run(1, '9:00', '12:00', '2026-03-02', null)).toThrow(/CHECK/);
    expect(() => schedule.run(1, '09:00', '12:00', '2026-03-02', '2026-03-01')).toThrow(/CHECK/);
    db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at, revoked_at, revoke_reason) VALUES (x'01', 1, 0, 5, 'lost')").run();
    expect(() => db.prepare('UPDATE cards SET revoked_at = NULL').run()).toThrow('a revoked card stays revoked');
    expect(() => db.prepare('UPDATE cards SET revoked_at = 9').run()).toThrow('a revoked card stays revoked');
    db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at) VALUES (x'02', 1, 0)").run();
    expect(() => db.prepare("UPDATE cards SET revoked_at = 7, revoke_reason = 'reissued' WHERE token_hash = x'02'").run()).not.toThrow();
    db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'staff', 'x', 0)").run();
    db.prepare("INSERT INTO staff_badges (token_hash, staff_id, issued_at, revoked_at) VALUES (x'03', 1, 0, 5)").run();
    expect(() => db.prepare('UPDATE staff_badges SET revoked_at = NULL').run()).toThrow('a revoked badge stays revoked');
  });

  it('migration 4: one unacknowledged export batch at a time; a batch keeps its number and range; an acknowledged batch is fixed', () => {
    const db = track(openDatabase(file(), { migrateTo: 4 }));
    const batch = db.prepare("INSERT INTO export_batches (batch, first_seq, last_seq, rows, created_at, previous_manifest_sha256, audit_head, audit_entries, audit_intact) VALUES (?, ?, ?, 0, 0, ?, 'h', 0, 1)");
    const zero = '0'.repeat(64);
    batch.run(1, 1, 10, zero);
    expect(() => batch.run(2, 11, 20, zero)).toThrow(/UNIQUE/);
    expect(() => db.prepare('UPDATE export_batches SET last_seq = 12 WHERE batch = 1').run()).toThrow('a batch keeps its number and range');
    expect(() => db.prepare('UPDATE export_batches SET acknowledged_at = 5 WHERE batch = 1').run()).toThrow(/CHECK/); // needs its manifest first
    db.prepare("UPDATE export_batches SET manifest = '{}', manifest_sha256 = ? WHERE batch = 1").run('a'.repeat(64));
    db.prepare('UPDATE export_batches SET acknowledged_at = 5 WHERE batch = 1').run();
    expect(() => db.prepare("UPDATE export_batches SET manifest = '{ }' WHERE batch = 1").run()).toThrow('an acknowledged batch does not change');
    expect(() => batch.run(2, 11, 20, 'a'.repeat(64))).not.toThrow();
    expect(() => batch.run(3, 30, 20, zero)).toThrow(/CHECK|UNIQUE/);
    expect(() => db.prepare("INSERT INTO export_lease (id, owner, until) VALUES (2, 'x', 0)").run()).toThrow(/CHECK/);
  });

  it('migration 5: report_visits shows each visit with its participant, venue and current check', () => {
    const db = track(openDatabase(file(), { migrateTo: 5 }));
    db.prepare("INSERT INTO venue (id, venue_id, name, mode, time_zone, created_at) VALUES (1, 'VX', 'Ankaret', 'dropin', 'Europe/Stockholm', 0)").run();
    db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P1', 'Anna', 'dropin', 0)").run();
    db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'staff', 'x', 0)").run();
    db.prepare("INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, created_at) VALUES (1, '2026-03-02', 1000, 5000, 'card', 1000)").run();
    db.prepare("INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, created_at) VALUES (1, '2026-03-03', 1000, NULL, 'manual', 1000)").run();
    db.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (1, 'ready', NULL, 1100, 1)").run();
    db.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id, corrects_id, correction_reason) VALUES (1, 'not_today', 'unwell', 1900, 1, 1, 'typo')").run();
    const rows = db.prepare('SELECT venue_id, participant_code, visit_id, day, source, corrected, check_outcome, check_reason, check_at, time_zone FROM report_visits ORDER BY visit_id').all();
    expect(rows).toEqual([
      { venue_id: 'VX', participant_code: 'P1', visit_id: 1, day: '2026-03-02', source: 'card', corrected: 1, check_outcome: 'not_today', check_reason: 'unwell', check_at: 1100, time_zone: 'Europe/Stockholm' },
      { venue_id: 'VX', participant_code: 'P1', visit_id: 2, day: '2026-03-03', source: 'manual', corrected: 0, check_outcome: null, check_reason: null, check_at: null, time_zone: 'Europe/Stockholm' },
    ]);
  });

  it('migrating twice is a no-op', () => {
    const db = track(openDatabase(file()));
    db.prepare("INSERT INTO settings (key, value) VALUES ('kept', 'yes')").run();
    expect(migrate(db)).toBe(LATEST_VERSION);
    db.close();
    const again = track(openDatabase(file()));
    expect(currentVersion(again)).toBe(LATEST_VERSION);
    expect(again.prepare("SELECT value FROM settings WHERE key = 'kept'").pluck().get()).toBe('yes');
  });

  it('a migration that fails leaves the database at the previous version with nothing half done', () => {
    const db = track(openDatabase(file()));
    const broken = {
      version: LATEST_VERSION + 1,
      name: 'test: fails halfway',
      up(d: Database) {
        d.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('boom');
      },
    };
    migrations.push(broken);
    try {
      expect(() => migrate(db, LATEST_VERSION + 1)).toThrow('boom');
    } finally {
      migrations.pop();
    }
    expect(currentVersion(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db).tables).not.toContain('half_done');
  });
});

describe('openDatabase', () => {
  it('sets WAL, synchronous FULL, foreign keys and a busy timeout, and migrates to the latest version', () => {
    const db = track(openDatabase(file()));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
    expect(currentVersion(db)).toBe(LATEST_VERSION);
    expect(schemaOf(db)).toEqual(expectedAt(LATEST_VERSION));
  });

  it('WAL is persistent: another plain connection sees it', () => {
    track(openDatabase(file())).close();
    const raw = track(new BetterSqlite3(file()));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('opens read-only without migrating and refuses writes', () => {
    track(openDatabase(file())).close();
    const ro = track(openDatabase(file(), { readonly: true }));
    expect(ro.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => ro.prepare("INSERT INTO settings (key, value) VALUES ('a', 'b')").run()).toThrow(/readonly/);
    expect(() => openDatabase(file('missing.sqlite'), { readonly: true })).toThrow();
    expect(existsSync(file('missing.sqlite'))).toBe(false);
  });

  it('refuses a file that is not a database', () => {
    writeFileSync(file(), 'this is not sqlite, just some text that is long enough to be a header and more'.repeat(20));
    expect(() => openDatabase(file())).toThrow(/not a database|encrypted/);
    expect(readFileSync(file(), 'utf8')).toMatch(/^this is not sqlite/);
  });

  function makeTooNew(path: string, journal: 'wal' | 'delete'): void {
    const raw = new BetterSqlite3(path);
    raw.pragma(`journal_mode = ${journal}`);
    raw.exec('CREATE TABLE from_the_future (x TEXT)');
    raw.prepare('INSERT INTO from_the_future VALUES (?)').run('keep me');
    raw.pragma(`user_version = ${LATEST_VERSION + 7}`);
    raw.close();
  }

  it('refuses a database written by a newer Kliv with DatabaseTooNewError and a clear message', () => {
    makeTooNew(file(), 'wal');
    let error: unknown;
    try {
      openDatabase(file());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    const e = error as DatabaseTooNewError;
    expect(e.name).toBe('DatabaseTooNewError');
    expect(e.found).toBe(LATEST_VERSION + 7);
    expect(e.supported).toBe(LATEST_VERSION);
    expect(e.message).toContain('newer version of Kliv');
    expect(e.message).toContain(String(LATEST_VERSION + 7));
    expect(e.message).toContain(String(LATEST_VERSION));
    expect(e.message).not.toContain('\n');
  });

  it('does not modify a newer (WAL) database it refuses', () => {
    makeTooNew(file(), 'wal');
    const before = sha(file());
    expect(() => openDatabase(file())).toThrow(DatabaseTooNewError);
    expect(sha(file())).toBe(before);
    const raw = track(new BetterSqlite3(file()));
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 7);
    expect(schemaOf(raw).tables).toEqual(['from_the_future']);
    expect(raw.prepare('SELECT x FROM from_the_future').pluck().get()).toBe('keep me');
  });

  // Regression (found by this suite, since fixed): openDatabase switches journal_mode to WAL (which
  // rewrites the file header) *before* migrate() checks user_version, so a
  // newer database in rollback-journal mode is changed even though it is refused.
  it('does not modify a newer (rollback-journal) database it refuses', () => {
    makeTooNew(file(), 'delete');
    const before = sha(file());
    expect(() => openDatabase(file())).toThrow(DatabaseTooNewError);
    expect(sha(file())).toBe(before);
    const raw = track(new BetterSqlite3(file()));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
  });

  it('the journal mode of a refused rollback-journal database is all that changes (its data is intact)', () => {
    makeTooNew(file(), 'delete');
    expect(() => openDatabase(file())).toThrow(DatabaseTooNewError);
    const raw = track(new BetterSqlite3(file()));
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 7);
    expect(schemaOf(raw).tables).toEqual(['from_the_future']);
    expect(raw.prepare('SELECT x FROM from_the_future').pluck().get()).toBe('keep me');
  });
});

describe('schema rules', () => {
  let db: Database;
  beforeEach(() => {
    db = track(openDatabase(file()));
    db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P1', 'Anna', 'dropin', 0), ('P2', 'Bo', 'dropin', 0)").run();
  });
  const visit = (participantId: number, day: string, checkedOutAt: number | null, checkedInAt = 1000) =>
    db.prepare("INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, created_at) VALUES (?, ?, ?, ?, 'card', 0)").run(participantId, day, checkedInAt, checkedOutAt);

  it('events cannot be updated (append-only trigger) but can be inserted and deleted', () => {
    db.prepare("INSERT INTO events (at, type, participant_code, data) VALUES (1, 'visit.checked_in', 'P1', '{}')").run();
    expect(() => db.prepare("UPDATE events SET type = 'visit.checked_out'").run()).toThrow('events are append-only');
    expect(() => db.prepare('UPDATE events SET seq = 99').run()).toThrow('events are append-only');
    expect(db.prepare('SELECT type FROM events').pluck().get()).toBe('visit.checked_in');
    expect(db.prepare('DELETE FROM events').run().changes).toBe(1);
  });

  it('event sequence numbers are never reused, even after the newest row is deleted', () => {
    const insert = db.prepare("INSERT INTO events (at, type, data) VALUES (1, 'x', '{}')");
    const a = Number(insert.run().lastInsertRowid);
    const b = Number(insert.run().lastInsertRowid);
    db.prepare('DELETE FROM events WHERE seq = ?').run(b);
    const c = Number(insert.run().lastInsertRowid);
    expect(b).toBe(a + 1);
    expect(c).toBeGreaterThan(b);
  });

  it('one open visit per participant per day', () => {
    visit(1, '2026-03-02', null);
    expect(() => visit(1, '2026-03-02', null)).toThrow(/UNIQUE constraint failed/);
    expect(() => visit(2, '2026-03-02', null)).not.toThrow();
    expect(() => visit(1, '2026-03-03', null)).not.toThrow();
    expect(() => visit(1, '2026-03-02', 2000)).not.toThrow(); // closed visits do not count
    expect(() => visit(1, '2026-03-02', 3000)).not.toThrow();
  });

  it('foreign keys and checks are enforced', () => {
    expect(() => visit(99, '2026-03-02', null)).toThrow(/FOREIGN KEY/);
    expect(() => visit(1, '2026-03-02', 999, 1000)).toThrow(/CHECK constraint/);
    expect(() => db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at) VALUES (x'00', 99, 0)").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P1', 'Dup', 'dropin', 0)").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('P3', 'C', 'weekly', 0)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO venue (id, venue_id, name, mode, time_zone, created_at) VALUES (2, 'V', 'n', 'dropin', 'UTC', 0)").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at) VALUES (x'01', 1, 0)").run();
    expect(() => db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at) VALUES (x'01', 2, 0)").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare('DELETE FROM participants WHERE id = 1').run()).toThrow(/FOREIGN KEY/);
  });
});
