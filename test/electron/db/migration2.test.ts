import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type KlivApp } from '../../../electron/api/app';
import { openDatabase, type Database } from '../../../electron/db/connection';
import { currentVersion, migrate } from '../../../electron/db/migrations';
import { countRejectedScan } from '../../../electron/db/rejectedScans';
import { recordCheck, correctVisit, todayView } from '../../../electron/services/attendance';
import { auditKey, verifyAuditChain } from '../../../electron/services/audit';
import type { ServiceContext } from '../../../electron/services/context';
import { enrolParticipant } from '../../../electron/services/participants';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { addStaff, CLI_ACTOR } from '../../../electron/services/staff';
import { initVenue } from '../../../electron/services/venue';
import { tempDir, testClock, type TestClock } from '../../helpers';

const V1_TABLES = ['cards', 'events', 'participants', 'rejected_scans', 'settings', 'venue', 'visits'];
const V2_NEW_TABLES = ['audit_log', 'checks', 'day_confirmations', 'staff', 'staff_badges', 'visit_corrections'];
const V2_NEW_TRIGGERS = ['audit_no_delete', 'audit_no_replace', 'audit_no_update', 'checks_no_delete', 'checks_no_update', 'visit_corrections_no_delete', 'visit_corrections_no_update'];

const names = (db: Database, type: string): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(type) as { name: string }[]).map((r) => r.name);
const columns = (db: Database, table: string): string[] => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
/** Every row of a table, in rowid order, with only the given columns. */
const dump = (db: Database, table: string, cols: string[]): unknown[] => db.prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY rowid`).all();

let dir: ReturnType<typeof tempDir>;
let clock: TestClock;
let opened: { close(): void; open?: boolean }[];
let cards: { anna: string; bo: string };
let v1Snapshot: Record<string, { cols: string[]; rows: unknown[] }>;

/**
 * A version-1 venue with attendance. Venue, participants and cards are made
 * by the services (they only touch version-1 tables); visits are written as
 * the version-1 kiosk wrote them, with the version-1 columns only.
 */
function writeV1Venue(): void {
  const db = openDatabase(join(dir.path, 'kliv.sqlite'), { migrateTo: 1 });
  const ctx: ServiceContext = { db, clock, secrets: createFileSecretStore(join(dir.path, 'keys')) };
  initVenue(ctx, { name: 'Gamla gården', mode: 'dropin', timeZone: 'Europe/Stockholm' });
  const anna = enrolParticipant(ctx, { displayName: 'Anna', code: 'P-101' });
  const bo = enrolParticipant(ctx, { displayName: 'Bo', code: 'P-102' });
  cards = { anna: anna.issued.payload, bo: bo.issued.payload };
  const t0 = clock.now();
  const visit = db.prepare("INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, auto_closed, created_at) VALUES (?, '2026-03-02', ?, ?, 'card', 0, ?)");
  const event = db.prepare('INSERT INTO events (at, type, participant_code, data) VALUES (?, ?, ?, ?)');
  const a = Number(visit.run(anna.participant.id, t0, null, t0).lastInsertRowid);
  event.run(t0, 'visit.checked_in', 'P-101', JSON.stringify({ visitId: a, day: '2026-03-02', source: 'card' }));
  const b = Number(visit.run(bo.participant.id, t0, t0 + 3_600_000, t0).lastInsertRowid);
  event.run(t0, 'visit.checked_in', 'P-102', JSON.stringify({ visitId: b, day: '2026-03-02', source: 'card' }));
  event.run(t0 + 3_600_000, 'visit.checked_out', 'P-102', JSON.stringify({ visitId: b, source: 'card' }));
  countRejectedScan(db, '2026-03-02', 'malformed');
  db.prepare("INSERT INTO settings (key, value) VALUES ('venue.closingTime', '17:00')").run();
  clock.advance(3_600_000 + 60_000);
  expect(currentVersion(db)).toBe(1);
  expect(names(db, 'table')).toEqual(V1_TABLES);
  v1Snapshot = Object.fromEntries(V1_TABLES.map((t) => {
    const cols = columns(db, t);
    return [t, { cols, rows: dump(db, t, cols) }];
  }));
  db.close();
}

/** The version-1 file migrated to exactly version 2. */
function openV2(): { db: Database; close(): void } {
  const db = openDatabase(join(dir.path, 'kliv.sqlite'), { migrateTo: 2 });
  opened.push(db);
  return { db, close: () => db.close() };
}

/** The version-1 file opened by today's app (all later migrations too). */
function openLatest(): KlivApp {
  const app = openApp({ dataDir: dir.path, clock });
  opened.push(app);
  return app;
}

beforeEach(() => {
  dir = tempDir();
  clock = testClock('2026-03-02T08:00:00Z');
  opened = [];
  writeV1Venue();
});
afterEach(() => {
  for (const o of opened) if (o.open !== false) o.close();
  dir.cleanup();
});

describe('migration 2 on a version-1 database with data', () => {
  it('keeps every row of every version-1 table', () => {
    const app = openV2();
    expect(currentVersion(app.db)).toBe(2);
    expect(v1Snapshot.visits!.rows).toHaveLength(2);
    expect(v1Snapshot.events!.rows).toHaveLength(7); // 2 × (enrolled + card issued) + in, in, out
    for (const [table, { cols, rows }] of Object.entries(v1Snapshot)) {
      expect(dump(app.db, table, cols), table).toEqual(rows);
    }
  });

  it('adds the staff-mode tables (empty, STRICT), the new visit columns with their defaults, and the triggers', () => {
    const app = openV2();
    expect(names(app.db, 'table')).toEqual([...V1_TABLES, ...V2_NEW_TABLES].sort());
    for (const t of V2_NEW_TABLES) expect(app.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(0);
    const strict = (app.db.prepare('PRAGMA table_list').all() as { name: string; strict: number }[]).filter((t) => V2_NEW_TABLES.includes(t.name));
    expect(strict.map((t) => [t.name, t.strict]).sort()).toEqual(V2_NEW_TABLES.map((t) => [t, 1]));
    expect(columns(app.db, 'visits')).toEqual([...v1Snapshot.visits!.cols, 'manual_reason', 'flagged']);
    expect(app.db.prepare('SELECT manual_reason, flagged FROM visits').all()).toEqual([{ manual_reason: null, flagged: 0 }, { manual_reason: null, flagged: 0 }]);
    expect(columns(app.db, 'staff')).toEqual(['id', 'name', 'role', 'pin_hash', 'failed_attempts', 'locked_at', 'name_login_allowed', 'active', 'created_at']);
    expect(columns(app.db, 'checks')).toEqual(['id', 'visit_id', 'outcome', 'reason', 'recorded_at', 'staff_id', 'corrects_id', 'correction_reason', 'after_confirmation']);
    expect(columns(app.db, 'visit_corrections')).toEqual(['id', 'visit_id', 'at', 'staff_id', 'reason', 'before_in', 'before_out', 'after_in', 'after_out', 'after_confirmation']);
    expect(columns(app.db, 'audit_log')).toEqual(['seq', 'at', 'actor', 'action', 'subject', 'detail', 'prev_mac', 'mac']);
    expect(names(app.db, 'trigger')).toEqual(['events_no_update', ...V2_NEW_TRIGGERS].sort());
    for (const index of ['checks_by_visit', 'staff_badges_by_staff', 'visit_corrections_by_visit']) expect(names(app.db, 'index')).toContain(index);
  });

  it('checks and visit corrections refuse UPDATE; the audit log refuses UPDATE and DELETE; events still refuse UPDATE', () => {
    const { db } = openV2();
    const staffId = Number(db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'staff', 'x', 0)").run().lastInsertRowid);
    db.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (1, 'ready', NULL, 1, ?)").run(staffId);
    db.prepare("INSERT INTO audit_log (at, actor, action, detail, prev_mac, mac) VALUES (1, 'cli', 'x', '{}', 'p', 'm')").run();
    db.prepare("INSERT INTO visit_corrections (visit_id, at, staff_id, reason, before_in, before_out, after_in, after_out) VALUES (1, 2, ?, 'wrong_time', 1, NULL, 0, NULL)").run(staffId);
    expect(() => db.prepare("UPDATE checks SET outcome = 'not_today', reason = 'unwell'").run()).toThrow(/checks are append-only/);
    expect(() => db.prepare('UPDATE checks SET corrects_id = 1').run()).toThrow(/checks are append-only/);
    expect(() => db.prepare('UPDATE visit_corrections SET after_in = 5').run()).toThrow(/corrections are append-only/);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT OR REPLACE INTO audit_log (seq, at, actor, action, detail, prev_mac, mac) VALUES (1, 2, 'x', 'y', '{}', 'p', 'm')").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE events SET type = 'x'").run()).toThrow(/events are append-only/);
    expect(db.prepare('SELECT outcome FROM checks').pluck().all()).toEqual(['ready']);
    expect(db.prepare('SELECT after_in FROM visit_corrections').pluck().all()).toEqual([0]);
    // the new tables' constraints hold on the migrated file too
    expect(() => db.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (1, 'not_today', NULL, 1, ?)").run(staffId)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id) VALUES (99, 'ready', NULL, 1, ?)").run(staffId)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('KIM', 'staff', 'x', 0)").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO day_confirmations (day, confirmed_at, staff_id, visits) VALUES ('2026-03-02', 1, 999, 0)").run()).toThrow(/FOREIGN KEY/);
  });

  it('after all later migrations too, the staff features work on the old attendance, and old cards still scan', () => {
    const app = openLatest();
    for (const [table, { cols, rows }] of Object.entries(v1Snapshot)) {
      if (table !== 'settings') expect(dump(app.db, table, cols), table).toEqual(rows);
    }
    const kim = { staffId: addStaff(app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, { logN: 10, r: 8, p: 1 }).account.staffId, role: 'staff' as const };
    const before = todayView(app.ctx, kim);
    expect(before.present.map((r) => r.code)).toEqual(['P-101']);
    expect(before.left.map((r) => r.code)).toEqual(['P-102']);
    expect(before.rejectedScans).toBe(1);
    const annaVisit = before.present[0]!.visitId;
    expect(recordCheck(app.ctx, kim, annaVisit, 'ready', undefined).check?.outcome).toBe('ready');
    expect(correctVisit(app.ctx, kim, before.left[0]!.visitId, '09:05', '10:00', 'wrong_time')).toMatchObject({ checkedInLocal: '09:05', corrected: true });
    const lastV1Event = Math.max(...(v1Snapshot.events!.rows as { seq: number }[]).map((e) => e.seq));
    expect(app.db.prepare('SELECT min(seq) FROM events WHERE type = ?').pluck().get('check.recorded')).toBe(lastV1Event + 1);
    clock.advance(60_000);
    const out = app.kiosk.scan(cards.anna);
    expect(out.outcome).toBe('checkout-pending');
    expect(verifyAuditChain(app.db, auditKey(app.db, app.ctx.secrets))).toMatchObject({ ok: true });
  });

  it('runs once: reopening a version-2 file changes nothing, and migrate() to 2 is a no-op', () => {
    openV2().close();
    const app = openV2();
    expect(currentVersion(app.db)).toBe(2);
    expect(migrate(app.db, 2)).toBe(2);
    expect(names(app.db, 'table')).toEqual([...V1_TABLES, ...V2_NEW_TABLES].sort());
    for (const [table, { cols, rows }] of Object.entries(v1Snapshot)) expect(dump(app.db, table, cols), table).toEqual(rows);
  });
});
