/**
 * Retention (electron/services/retention.ts): attendance older than
 * retention.months whole months goes, but never what the export has not
 * delivered yet; the purge is audited with counts only, vacuums, and leaves
 * the append-only guards of checks and corrections armed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../../electron/api/app';
import { isPlaintextDatabase } from '../../../electron/db/connection';
import { appendEvent, lastEventSeq } from '../../../electron/db/events';
import { acknowledgeBatch, insertBatch, recordManifest } from '../../../electron/db/export';
import { confirmDay, correctCheck, correctVisit, recordCheck } from '../../../electron/services/attendance';
import { verifyAuditChain, auditKey } from '../../../electron/services/audit';
import { enrolParticipant } from '../../../electron/services/participants';
import { lastRetentionRunAt, PURGING_MARKER, retentionCutoff, runRetention } from '../../../electron/services/retention';
import { writeSetting } from '../../../electron/services/settings';
import { addStaff, CLI_ACTOR, type Actor } from '../../../electron/services/staff';
import { zonedTimeToInstant } from '../../../shared/time';
import { testApp, type TestApp } from '../../helpers';

const TZ = 'Europe/Stockholm';
const FAST = { logN: 10, r: 8, p: 1 };

let t: TestApp;
let staff: Actor;

beforeEach(() => {
  t = testApp({ start: '2023-05-01T08:00:00Z' });
  const { account } = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'coordinator', pin: '482915' }, FAST);
  staff = { staffId: account.staffId, role: 'coordinator' };
});

afterEach(() => t.close());

const n = (sql: string, ...params: unknown[]): number => t.app.db.prepare(sql).pluck().get(...params) as number;
const visitOf = (code: string): number => n('SELECT max(v.id) FROM visits v JOIN participants p ON p.id = v.participant_id WHERE p.code = ?', code);
const checkOf = (visitId: number): number => n('SELECT max(id) FROM checks WHERE visit_id = ?', visitId);

/** A day at the venue: two card visits, checks (one corrected), a corrected visit, a rejected scan, the day confirmed. */
function dayAtVenue(day: string, prefix: string): void {
  const { clock, app } = t;
  clock.set(zonedTimeToInstant(day, '09:00', TZ));
  const a = enrolParticipant(app.ctx, { displayName: `Zelmira ${prefix}`, code: `${prefix}-1` });
  const b = enrolParticipant(app.ctx, { displayName: `Östen ${prefix}`, code: `${prefix}-2` });
  expect(app.kiosk.scan(a.issued.payload).outcome).toBe('checked-in');
  expect(app.kiosk.scan(b.issued.payload).outcome).toBe('checked-in');
  clock.advance(10 * 60_000);
  recordCheck(app.ctx, staff, visitOf(`${prefix}-1`), 'ready', undefined);
  recordCheck(app.ctx, staff, visitOf(`${prefix}-2`), 'not_today', 'unwell'); // ends the visit
  correctCheck(app.ctx, staff, checkOf(visitOf(`${prefix}-2`)), 'ready', undefined, 'wrong_check');
  clock.set(zonedTimeToInstant(day, '12:00', TZ));
  const out = app.kiosk.scan(a.issued.payload);
  if (out.outcome === 'checkout-pending') app.kiosk.confirmCheckout(out.ticket, true);
  correctVisit(app.ctx, staff, visitOf(`${prefix}-1`), '08:50', '11:55', 'wrong_time');
  expect(app.kiosk.scan('NOT-A-CARD').outcome).toBe('rejected');
  confirmDay(app.ctx, staff, day, true);
}

/** Marks events 1…through as delivered everywhere (the export watermark). */
function exportedThrough(through: number): void {
  const db = t.app.db;
  const batch = n('SELECT coalesce(max(batch), 0) + 1 FROM export_batches');
  const first = n('SELECT coalesce(max(last_seq), 0) + 1 FROM export_batches');
  insertBatch(db, { batch, firstSeq: first, lastSeq: through, rows: through - first + 1, createdAt: t.clock.now(), previousManifestSha256: '0'.repeat(64), auditHead: 'a'.repeat(64), auditEntries: 0, auditIntact: true });
  recordManifest(db, batch, '{}', 'b'.repeat(64), through - first + 1);
  acknowledgeBatch(db, batch, t.clock.now());
}

interface Snapshot { visits: number; checks: number; corrections: number; rejected: number; confirmations: number; events: number; audit: number }
const snapshot = (): Snapshot => ({
  visits: n('SELECT count(*) FROM visits'),
  checks: n('SELECT count(*) FROM checks'),
  corrections: n('SELECT count(*) FROM visit_corrections'),
  rejected: n('SELECT count(*) FROM rejected_scans'),
  confirmations: n('SELECT count(*) FROM day_confirmations'),
  events: n('SELECT count(*) FROM events'),
  audit: n('SELECT count(*) FROM audit_log'),
});

describe('the cutoff', () => {
  it('is the first of the month `months` before the current venue month, at local midnight', () => {
    expect(retentionCutoff(Date.parse('2026-03-15T10:00:00Z'), 24, TZ)).toEqual({ day: '2024-03-01', at: Date.parse('2024-02-29T23:00:00Z') });
    // 00:30 on 1 January in Stockholm is still 31 December in UTC: the venue's month counts.
    expect(retentionCutoff(Date.parse('2025-12-31T23:30:00Z'), 1, TZ).day).toBe('2025-12-01');
    expect(retentionCutoff(Date.parse('2026-07-01T12:00:00Z'), 13, TZ)).toEqual({ day: '2025-06-01', at: Date.parse('2025-05-31T22:00:00Z') });
  });
});

describe('the purge', () => {
  let exported: number;
  let oldUnexportedEvents: number;

  beforeEach(() => {
    dayAtVenue('2023-05-10', 'OLDA'); // old, exported
    exported = lastEventSeq(t.app.db);
    exportedThrough(exported);
    const beforeB = lastEventSeq(t.app.db);
    dayAtVenue('2023-06-12', 'OLDB'); // old, not exported yet
    oldUnexportedEvents = lastEventSeq(t.app.db) - beforeB;
    dayAtVenue('2026-02-10', 'NEWC'); // within retention
    t.clock.set('2026-03-15T10:00:00Z');
  });

  it('deletes old exported attendance with its checks and corrections, keeps what the export has not delivered, and audits counts only', () => {
    const before = snapshot();
    const oldA = { visits: n("SELECT count(*) FROM visits WHERE day = '2023-05-10'") };
    const result = runRetention(t.app.ctx, { actor: 'scheduler' });

    expect(result).toMatchObject({
      months: 24, cutoffDay: '2024-03-01', exportedThroughSeq: exported, dryRun: false, vacuumed: true,
      deleted: { visits: 2, checks: 3, corrections: 1, rejectedScanDays: 2, dayConfirmations: 1, events: exported },
      keptUnexported: { visits: 2, events: oldUnexportedEvents },
    });
    expect(oldA.visits).toBe(2);
    const after = snapshot();
    expect(after).toMatchObject({
      visits: before.visits - 2, checks: before.checks - 3, corrections: before.corrections - 1,
      rejected: before.rejected - 2, confirmations: before.confirmations - 1, events: before.events - exported,
    });
    // What is left: the unexported old day (whole, with its confirmation) and the recent one.
    expect(n("SELECT count(*) FROM visits WHERE day = '2023-05-10'")).toBe(0);
    expect(n("SELECT count(*) FROM visits WHERE day = '2023-06-12'")).toBe(2);
    expect(n("SELECT count(*) FROM visits WHERE day = '2026-02-10'")).toBe(2);
    expect(n("SELECT count(*) FROM day_confirmations WHERE day = '2023-06-12'")).toBe(1);
    expect(n('SELECT count(*) FROM events WHERE seq <= ?', exported)).toBe(0);
    expect(n('SELECT min(seq) FROM events')).toBe(exported + 1);
    expect(n("SELECT count(*) FROM rejected_scans WHERE day = '2026-02-10'")).toBe(1);

    // The audit log is never purged; the purge is in it, with counts and no codes or names.
    expect(after.audit).toBe(before.audit + 1);
    const row = t.app.db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'retention.purged'").get() as { actor: string; detail: string };
    expect(row.actor).toBe('scheduler');
    expect(JSON.parse(row.detail)).toMatchObject({ months: 24, cutoffDay: '2024-03-01', deleted: result.deleted });
    expect(row.detail).not.toMatch(/OLDA|OLDB|Zelmira|Östen/);
    expect(verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets)).ok).toBe(true);
    expect(lastRetentionRunAt(t.app.db)).toBe(t.clock.now());

    // The file is sound and compact, and the append-only guards are armed again.
    expect(t.app.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(t.app.db.pragma('foreign_key_check')).toEqual([]);
    expect(t.app.db.pragma('freelist_count', { simple: true })).toBe(0);
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(isPlaintextDatabase(databasePath(t.dataDir))).toBe(false); // VACUUM kept the encryption
    expect(n('SELECT count(*) FROM settings WHERE key = ?', PURGING_MARKER)).toBe(0);
    expect(() => t.app.db.prepare('DELETE FROM checks').run()).toThrow(/append-only/);
    expect(() => t.app.db.prepare('DELETE FROM visit_corrections').run()).toThrow(/append-only/);
  });

  it('takes the rest once the export has delivered it', () => {
    runRetention(t.app.ctx, { actor: 'scheduler' });
    exportedThrough(lastEventSeq(t.app.db));
    t.clock.advance(24 * 3600_000);
    const second = runRetention(t.app.ctx, { actor: 'scheduler' });
    expect(second.deleted).toMatchObject({ visits: 2, checks: 3, corrections: 1, dayConfirmations: 1, events: oldUnexportedEvents });
    expect(second.keptUnexported).toEqual({ visits: 0, events: 0 });
    expect(n("SELECT count(*) FROM visits WHERE day < '2024-03-01'")).toBe(0);
    expect(n("SELECT count(*) FROM visits WHERE day = '2026-02-10'")).toBe(2);
  });

  it('keeps an old visit that an unexported event still talks about (a late correction)', () => {
    exportedThrough(lastEventSeq(t.app.db));
    const visitId = visitOf('OLDA-1');
    appendEvent(t.app.db, { at: t.clock.now(), type: 'visit.corrected', participantCode: 'OLDA-1', data: { visitId } });
    const r = runRetention(t.app.ctx, { actor: 'cli' });
    expect(r.keptUnexported.visits).toBe(1);
    expect(n('SELECT count(*) FROM visits WHERE id = ?', visitId)).toBe(1);
    expect(n('SELECT count(*) FROM checks WHERE visit_id = ?', visitId)).toBe(1);
  });

  it('--dry-run counts exactly what a real run deletes, and changes nothing', () => {
    const before = snapshot();
    const dry = runRetention(t.app.ctx, { actor: 'cli', dryRun: true });
    expect(snapshot()).toEqual(before);
    expect(dry.vacuumed).toBe(false);
    const real = runRetention(t.app.ctx, { actor: 'cli' });
    expect(real.deleted).toEqual(dry.deleted);
    expect(real.keptUnexported).toEqual(dry.keptUnexported);
  });

  it('does nothing with retention.months = 0 (keep forever)', () => {
    writeSetting(t.app.ctx, 'retention.months', '0');
    const before = snapshot();
    const r = runRetention(t.app.ctx, { actor: 'cli' });
    expect(r).toMatchObject({ months: 0, cutoffDay: null, deleted: { visits: 0, events: 0 } });
    expect(snapshot()).toEqual(before);
  });

  it('a shorter retention reaches into newer months', () => {
    exportedThrough(lastEventSeq(t.app.db));
    writeSetting(t.app.ctx, 'retention.months', '1'); // keep February and March 2026
    expect(runRetention(t.app.ctx, { actor: 'cli', dryRun: true }).deleted.visits).toBe(4);
    writeSetting(t.app.ctx, 'retention.months', '0');
    expect(() => writeSetting(t.app.ctx, 'retention.months', '')).toThrow(/retention.months/);
    expect(() => writeSetting(t.app.ctx, 'retention.months', '-1')).toThrow(/retention.months/);
  });
});
