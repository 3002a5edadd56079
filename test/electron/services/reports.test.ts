/**
 * The monthly report over a month with known attendance in Europe/Stockholm:
 * a visit on the night the clocks go forward (2026-03-29) and one on the
 * night they go back (2026-10-25), a visit past midnight, one reaching from
 * the previous month into this one, an open visit, and corrected,
 * auto-closed, flagged and paper visits. Every figure below is worked out by
 * hand in the comments; each format must give exactly these numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../../electron/api/dispatch';
import { main } from '../../../electron/cli/kliv';
import { openCentralDatabase } from '../../../electron/db/central/database';
import { CENTRAL_APPLICATION_ID } from '../../../electron/db/central/migrations';
import { insertCheck } from '../../../electron/db/checks';
import { insertVisitCorrection } from '../../../electron/db/corrections';
import { migrations } from '../../../electron/db/migrations';
import { insertParticipant } from '../../../electron/db/participants';
import { REPORT_VIEW_COLUMNS } from '../../../electron/db/reportView';
import { insertSchedule } from '../../../electron/db/schedules';
import { getVenue, type Venue } from '../../../electron/db/venue';
import { insertVisit, setVisitFlagged } from '../../../electron/db/visits';
import { reportCsv, safeText } from '../../../electron/services/report-formats/csv';
import { reportPdf } from '../../../electron/services/report-formats/pdf';
import { reportXlsx } from '../../../electron/services/report-formats/xlsx';
import { renderReport } from '../../../electron/services/report-formats';
import { centralMonthlyReport, exportVenueReport, monthlyAttendance, venueMonthlyReport, venueScheduledDays, type ScheduledDaysFor } from '../../../electron/services/reports';
import { scheduledDaysInMonth } from '../../../electron/services/schedules';
import type { Actor } from '../../../electron/services/staff';
import { monthlyReport, shiftMonth, monthDays, type MonthlyReport } from '../../../shared/contract/reports';
import { zonedTimeToInstant } from '../../../shared/time';
import { testApp, type TestApp } from '../../helpers';

const TZ = 'Europe/Stockholm';
const at = (day: string, time: string, tz = TZ): number => zonedTimeToInstant(day, time, tz);
const COORDINATOR: Actor = { staffId: 1, role: 'coordinator' };

let t: TestApp;
let staffId: number;

interface VisitSpec {
  who: number; day: string; in: string; out?: { day: string; time: string } | null; source?: 'card' | 'manual' | 'paper'; autoClosed?: boolean;
  check?: { outcome: 'ready' | 'not_today'; day?: string; time: string; correctTo?: { outcome: 'ready' | 'not_today'; time: string } };
}

function addVisit(s: VisitSpec): number {
  const db = t.app.db;
  const inAt = at(s.day, s.in);
  const outAt = s.out ? at(s.out.day, s.out.time) : null;
  const v = insertVisit(db, { participantId: s.who, day: s.day, checkedInAt: inAt, checkedOutAt: outAt, source: s.source ?? 'card', createdAt: inAt, autoClosed: s.autoClosed ?? false });
  if (s.check) {
    const first = insertCheck(db, {
      visitId: v.id, outcome: s.check.outcome, reason: s.check.outcome === 'not_today' ? 'unwell' : null, recordedAt: at(s.check.day ?? s.day, s.check.time),
      staffId, correctsId: null, correctionReason: null, afterConfirmation: false,
    });
    if (s.check.correctTo) {
      insertCheck(db, {
        visitId: v.id, outcome: s.check.correctTo.outcome, reason: s.check.correctTo.outcome === 'not_today' ? 'other' : null, recordedAt: at(s.day, s.check.correctTo.time),
        staffId, correctsId: first.id, correctionReason: 'wrong_check', afterConfirmation: false,
      });
    }
  }
  return v.id;
}

/** Participants A (drop-in), B (structured, new in March, Mon/Wed/Fri), C (drop-in, a name a spreadsheet would run). */
function seed(): { a: number; b: number; c: number } {
  const db = t.app.db;
  staffId = Number(db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'coordinator', 'x', 0)").run().lastInsertRowid);
  const a = insertParticipant(db, { code: 'A001', displayName: 'Anna', mode: 'dropin', createdAt: at('2026-01-10', '10:00') }).id;
  const b = insertParticipant(db, { code: 'B002', displayName: 'Börje Åström', mode: 'structured', createdAt: at('2026-03-05', '10:00') }).id;
  const c = insertParticipant(db, { code: 'C003', displayName: '=SUMMA(1;2)', mode: 'dropin', createdAt: at('2025-12-01', '10:00') }).id;
  insertSchedule(db, { participantId: b, days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00', validFrom: '2026-03-01', validTo: null, createdAt: 0 });

  // February: A 4 h (all sober); C 22:00 → 03:00 into 1 March, ready at 22:30.
  addVisit({ who: a, day: '2026-02-16', in: '09:00', out: { day: '2026-02-16', time: '13:00' }, check: { outcome: 'ready', time: '09:00' } });
  addVisit({ who: c, day: '2026-02-28', in: '22:00', out: { day: '2026-03-01', time: '03:00' }, check: { outcome: 'ready', time: '22:30' } });

  // March, A: 3 h (sober from 09:10: 2 h 50); past midnight 20:00 → 02:00 (4 h + 2 h, all sober);
  // paper 2 h without a check; the DST night 00:30 → 05:30 wall = 4 real hours, ready at 00:45 (3 h 45).
  addVisit({ who: a, day: '2026-03-02', in: '09:00', out: { day: '2026-03-02', time: '12:00' }, check: { outcome: 'ready', time: '09:10' } });
  addVisit({ who: a, day: '2026-03-10', in: '20:00', out: { day: '2026-03-11', time: '02:00' }, check: { outcome: 'ready', time: '20:00' } });
  addVisit({ who: a, day: '2026-03-16', in: '13:00', out: { day: '2026-03-16', time: '15:00' }, source: 'paper' });
  addVisit({ who: a, day: '2026-03-29', in: '00:30', out: { day: '2026-03-29', time: '05:30' }, check: { outcome: 'ready', time: '00:45' } });

  // B: Fri 6th 3 h, "not today" at 09:05 corrected to ready at 15:00 → sober from 09:05 (2 h 55);
  // Mon 9th auto-closed at 16:30 (7.5 h, no check); Tue 31st still open (ready, never hours).
  addVisit({ who: b, day: '2026-03-06', in: '09:00', out: { day: '2026-03-06', time: '12:00' }, check: { outcome: 'not_today', time: '09:05', correctTo: { outcome: 'ready', time: '15:00' } } });
  addVisit({ who: b, day: '2026-03-09', in: '09:00', out: { day: '2026-03-09', time: '16:30' }, autoClosed: true });
  addVisit({ who: b, day: '2026-03-31', in: '10:00', out: null, check: { outcome: 'ready', time: '10:05' } });

  // C: Wed 4th 10–14 "not today", its times corrected; Wed 18th 10–11 ready, changed after confirmation (flagged).
  const c4 = addVisit({ who: c, day: '2026-03-04', in: '10:00', out: { day: '2026-03-04', time: '14:00' }, check: { outcome: 'not_today', time: '10:05' } });
  insertVisitCorrection(db, { visitId: c4, at: at('2026-03-04', '15:00'), staffId, reason: 'wrong_time', beforeIn: at('2026-03-04', '10:30'), beforeOut: null, afterIn: at('2026-03-04', '10:00'), afterOut: at('2026-03-04', '14:00'), afterConfirmation: false });
  const c18 = addVisit({ who: c, day: '2026-03-18', in: '10:00', out: { day: '2026-03-18', time: '11:00' }, check: { outcome: 'ready', time: '10:00' } });
  setVisitFlagged(db, c18);

  // October: the night the clocks go back, 00:30 → 04:30 wall = 5 real hours, ready at 00:30.
  addVisit({ who: a, day: '2026-10-25', in: '00:30', out: { day: '2026-10-25', time: '04:30' }, check: { outcome: 'ready', time: '00:30' } });
  return { a, b, c };
}

/** The schedules hook for B: Mon/Wed/Fri from 1 March 2026 → 13 days in March. */
const hook: ScheduledDaysFor = (code, month) => {
  if (code !== 'B002' || month < '2026-03') return null;
  const out: string[] = [];
  const { first, last } = monthDays(month);
  for (let d = first; d <= last; d = `${month}-${String(Number(d.slice(8)) + 1).padStart(2, '0')}`) {
    const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
    if (wd === 1 || wd === 3 || wd === 5) out.push(d);
  }
  return out;
};

const VENUE = () => {
  const v = getVenue(t.app.db) as Venue;
  return { venueId: v.venueId, name: v.name, mode: v.mode, timeZone: v.timeZone };
};
const CREATED = Date.parse('2026-04-01T06:15:00Z');

function march(options: { schedules?: boolean } = {}): MonthlyReport {
  return monthlyAttendance(t.app.db, '2026-03', {
    scope: 'venue', createdAt: CREATED, venue: VENUE(), scheduledDaysFor: options.schedules === false ? null : hook,
  });
}

beforeEach(() => {
  t = testApp({ start: '2026-04-01T06:00:00Z' });
  seed();
});
afterEach(() => t.close());

describe('the report_visits view (migration 0005)', () => {
  it('has exactly the columns of reportView.ts', () => {
    const cols = (t.app.db.prepare('SELECT * FROM report_visits LIMIT 0').columns() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(REPORT_VIEW_COLUMNS);
    expect(migrations.find((m) => m.version === 5)?.name).toMatch(/report/);
  });

  it('marks corrected visits and takes the outcome of the newest check but the time of the assessment', () => {
    const rows = t.app.db.prepare("SELECT day, corrected, check_outcome, check_at, auto_closed, source FROM report_visits WHERE participant_code = 'B002' ORDER BY day").all() as { day: string; corrected: number; check_outcome: string | null; check_at: number | null }[];
    expect(rows[0]).toMatchObject({ day: '2026-03-06', corrected: 1, check_outcome: 'ready', check_at: at('2026-03-06', '09:05') });
    expect(rows[1]).toMatchObject({ day: '2026-03-09', corrected: 0, check_outcome: null, check_at: null, auto_closed: 1 });
    const flags = t.app.db.prepare("SELECT day, corrected FROM report_visits WHERE participant_code = 'C003' ORDER BY day").all();
    expect(flags).toEqual([{ day: '2026-02-28', corrected: 0 }, { day: '2026-03-04', corrected: 1 }, { day: '2026-03-18', corrected: 1 }]);
  });

  it('follows a chain of corrections to the newest outcome, keeping the first assessment time', () => {
    const b = (t.app.db.prepare("SELECT id FROM participants WHERE code = 'B002'").get() as { id: number }).id;
    const id = addVisit({ who: b, day: '2026-04-06', in: '09:00', out: { day: '2026-04-06', time: '12:00' }, check: { outcome: 'ready', time: '09:10', correctTo: { outcome: 'not_today', time: '13:00' } } });
    const newest = (t.app.db.prepare('SELECT max(id) AS id FROM checks WHERE visit_id = ?').get(id) as { id: number }).id;
    insertCheck(t.app.db, { visitId: id, outcome: 'ready', reason: null, recordedAt: at('2026-04-06', '14:00'), staffId, correctsId: newest, correctionReason: 'wrong_check', afterConfirmation: false });
    expect(t.app.db.prepare('SELECT corrected, check_outcome, check_reason, check_at FROM report_visits WHERE visit_id = ?').get(id))
      .toEqual({ corrected: 1, check_outcome: 'ready', check_reason: null, check_at: at('2026-04-06', '09:10') });
    const plain = addVisit({ who: b, day: '2026-04-07', in: '09:00', out: { day: '2026-04-07', time: '12:00' }, check: { outcome: 'not_today', time: '09:20' } });
    expect(t.app.db.prepare('SELECT corrected, check_outcome, check_reason, check_at FROM report_visits WHERE visit_id = ?').get(plain))
      .toEqual({ corrected: 0, check_outcome: 'not_today', check_reason: 'unwell', check_at: at('2026-04-07', '09:20') });
  });

  it('reads the month through the day index', () => {
    const plan = (t.app.db.prepare("EXPLAIN QUERY PLAN SELECT * FROM report_visits WHERE day BETWEEN '2026-01-01' AND '2026-03-31' AND (day >= '2026-02-01' OR checked_out_at >= 0)").all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/visits_by_day/);
    expect(plan).not.toMatch(/SCAN v\b/);
  });
});

describe('monthlyAttendance: the numbers', () => {
  it('sums a month with DST, past-midnight, carried-over, open and corrected visits', () => {
    const r = march();
    expect(() => monthlyReport.parse(r)).not.toThrow();
    expect(r.summary).toEqual({
      participants: 3, newParticipants: 1, visits: 9, openVisits: 1, daysWithAttendance: 11,
      // A 3 + 6 + 2 + 4 = 15; B 3 + 7.5 = 10.5; C 3 (carried over) + 4 + 1 = 8
      hours: 33.5,
      // 2:50 + 6:00 + 3:45 (A) + 2:55 (B) + 3:00 + 1:00 (C) = 19:30
      soberHours: 19.5,
      meanHoursPerParticipant: 11.17, medianHoursPerParticipant: 10.5,
      checksReady: 6, checksNotToday: 1, visitsWithoutCheck: 2,
      correctedVisits: 3, autoClosedVisits: 1, manualVisits: 1,
      scheduledDays: 13, scheduledDaysAttended: 2, attendanceRate: 0.1538,
    });
    expect(r.previous).toMatchObject({ participants: 2, newParticipants: 0, visits: 2, hours: 6, soberHours: 5.5, openVisits: 0, scheduledDays: null, attendanceRate: null });
    expect(r.previousMonth).toBe('2026-02');
    expect([r.from, r.to]).toEqual(['2026-03-01', '2026-03-31']);
  });

  it('gives each participant their own figures, sorted by name', () => {
    const r = march();
    expect(r.participants.map((p) => p.code)).toEqual(['A001', 'B002', 'C003'].sort((x, y) => {
      const names: Record<string, string> = { A001: 'Anna', B002: 'Börje Åström', C003: '=SUMMA(1;2)' };
      return (names[x] as string).localeCompare(names[y] as string, 'sv', { sensitivity: 'base' });
    }));
    const by = Object.fromEntries(r.participants.map((p) => [p.code, p]));
    expect(by.A001).toEqual({
      code: 'A001', displayName: 'Anna', mode: 'dropin', venues: [VENUE().venueId], newThisMonth: false, daysAttended: 5, visits: 4, openVisits: 0,
      hours: 15, soberHours: 12.58, checksReady: 3, checksNotToday: 0, visitsWithoutCheck: 1, scheduledDays: null, scheduledDaysAttended: null,
      attendanceRate: null, firstVisit: '2026-03-02', lastVisit: '2026-03-29', flags: { corrected: 0, autoClosed: 0, manual: 1 },
    });
    expect(by.B002).toMatchObject({
      newThisMonth: true, daysAttended: 3, visits: 3, openVisits: 1, hours: 10.5, soberHours: 2.92, checksReady: 2, visitsWithoutCheck: 1,
      scheduledDays: 13, scheduledDaysAttended: 2, attendanceRate: 0.1538, firstVisit: '2026-03-06', lastVisit: '2026-03-31',
      flags: { corrected: 1, autoClosed: 1, manual: 0 },
    });
    // C's visit that began on 28 February counts there; its hours after midnight count here.
    expect(by.C003).toMatchObject({ daysAttended: 3, visits: 2, hours: 8, soberHours: 4, checksNotToday: 1, firstVisit: '2026-03-01', lastVisit: '2026-03-18', flags: { corrected: 2, autoClosed: 0, manual: 0 } });
  });

  it('splits at local midnight and counts real hours on the DST nights', () => {
    const r = march();
    const day = (d: string) => r.perDay.find((x) => x.day === d);
    expect(r.perDay).toHaveLength(31);
    expect(day('2026-03-01')).toEqual({ day: '2026-03-01', weekday: 7, participants: 1, visits: 0, hours: 3, soberHours: 3 });
    expect(day('2026-03-10')).toMatchObject({ participants: 1, visits: 1, hours: 4, soberHours: 4 });
    expect(day('2026-03-11')).toMatchObject({ participants: 1, visits: 0, hours: 2, soberHours: 2 });
    expect(day('2026-03-29')).toMatchObject({ weekday: 7, participants: 1, visits: 1, hours: 4, soberHours: 3.75 });
    expect(day('2026-03-31')).toMatchObject({ participants: 1, visits: 1, hours: 0 });
    const oct = monthlyAttendance(t.app.db, '2026-10', { scope: 'venue', createdAt: CREATED, venue: VENUE() });
    expect(oct.perDay.find((x) => x.day === '2026-10-25')).toMatchObject({ hours: 5, soberHours: 5 });
    expect(oct.summary).toMatchObject({ participants: 1, visits: 1, hours: 5, soberHours: 5 });
    // The February part of C's visit: 22:00 → midnight, sober from 22:30.
    const feb = monthlyAttendance(t.app.db, '2026-02', { scope: 'venue', createdAt: CREATED, venue: VENUE() });
    expect(feb.perDay.find((x) => x.day === '2026-02-28')).toMatchObject({ visits: 1, hours: 2, soberHours: 1.5 });
  });

  it('compares weekdays by the mean per day', () => {
    const r = march();
    // March 2026 has five Sundays (1, 8, 15, 22, 29); C on the 1st and A on the 29th.
    expect(r.perWeekday[6]).toEqual({ weekday: 7, days: 5, participantDays: 2, meanParticipants: 0.4, visits: 1, hours: 7, soberHours: 6.75 });
    // Four Mondays in February 2026; A came on the 16th.
    expect(r.previousPerWeekday[0]).toMatchObject({ weekday: 1, days: 4, participantDays: 1, meanParticipants: 0.25, hours: 4 });
  });

  it('lists open visits and never counts them as hours', () => {
    const r = march();
    expect(r.openVisits).toEqual([{ venueId: VENUE().venueId, code: 'B002', displayName: 'Börje Åström', day: '2026-03-31', checkedInAt: at('2026-03-31', '10:00'), checkedInLocal: '10:00' }]);
  });

  it('leaves schedule figures out when there is no schedule data', () => {
    const r = march({ schedules: false });
    expect(r.summary.scheduledDays).toBeNull();
    expect(r.participants.every((p) => p.attendanceRate === null)).toBe(true);
  });

  it('works for an empty month and shifts months across years', () => {
    const r = monthlyAttendance(t.app.db, '2025-01', { scope: 'venue', createdAt: CREATED, venue: VENUE() });
    expect(r.summary).toMatchObject({ participants: 0, visits: 0, hours: 0, meanHoursPerParticipant: 0, medianHoursPerParticipant: 0 });
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
  });
});

describe('the venue report (service, handlers, audit, schedules)', () => {
  it('uses the schedules feature, audits the read and refuses staff without the coordinator role', async () => {
    // The report's bulk schedule lookup follows the schedules feature's own rules.
    const hookDays = venueScheduledDays(t.app.db);
    for (const month of ['2026-02', '2026-03', '2026-04']) {
      for (const code of ['A001', 'B002']) {
        const own = scheduledDaysInMonth(t.app.db, code, month);
        expect(hookDays(code, month), `${code} ${month}`).toEqual(own.length > 0 ? own : null);
      }
    }
    const r = venueMonthlyReport(t.app.ctx, COORDINATOR, '2026-03');
    expect(r.venue).toMatchObject({ name: 'Testgården', timeZone: TZ });
    expect(r.summary).toMatchObject({ scheduledDays: 13, scheduledDaysAttended: 2, attendanceRate: 0.1538 });
    const entry = t.app.db.prepare("SELECT actor, action, subject, detail FROM audit_log WHERE action = 'read.report' ORDER BY seq DESC LIMIT 1").get() as { actor: string; subject: string; detail: string };
    expect(entry).toMatchObject({ actor: 'staff:1', subject: 'report:2026-03' });
    expect(JSON.parse(entry.detail)).toMatchObject({ month: '2026-03', purpose: 'screen' });
    expect(entry.detail).not.toContain('Anna');

    const file = await exportVenueReport(t.app.ctx, COORDINATOR, '2026-03', 'csv');
    expect(file.filename).toMatch(/^kliv-rapport-V[0-9A-F]+-2026-03\.csv$/);
    expect(Buffer.from(file.base64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));

    const dispatch = createDispatcher(t.app);
    const refused = await dispatch({ session: { staffId, staffName: 'Kim', role: 'staff', lastActive: t.clock.now() } }, 'reports.monthly', { month: '2026-03' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const pdf = await dispatch({ session: { staffId, staffName: 'Kim', role: 'coordinator', lastActive: t.clock.now() } }, 'reports.export', { month: '2026-03', format: 'pdf' });
    expect(pdf.ok).toBe(true);
    if (pdf.ok) expect(Buffer.from((pdf.value as { base64: string }).base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await dispatch({ session: { staffId, staffName: 'Kim', role: 'coordinator', lastActive: t.clock.now() } }, 'reports.monthly', { month: '2026-13' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});

describe('scheduled participants who did not come', () => {
  it('are listed with 0 of their scheduled days and count in the schedule attendance', () => {
    const d = insertParticipant(t.app.db, { code: 'D004', displayName: 'Dana', mode: 'structured', createdAt: at('2026-01-05', '10:00') }).id;
    insertSchedule(t.app.db, { participantId: d, days: ['tue', 'thu'], start: '10:00', end: '12:00', validFrom: '2026-02-01', validTo: null, createdAt: 0 });
    const r = venueMonthlyReport(t.app.ctx, COORDINATOR, '2026-03');
    // Tuesdays and Thursdays of March 2026: 3, 5, 10, 12, 17, 19, 24, 26, 31 → 9.
    expect(r.participants.find((p) => p.code === 'D004')).toMatchObject({
      displayName: 'Dana', daysAttended: 0, visits: 0, hours: 0, scheduledDays: 9, scheduledDaysAttended: 0, attendanceRate: 0, firstVisit: null, lastVisit: null,
    });
    expect(r.summary).toMatchObject({ participants: 3, scheduledDays: 22, scheduledDaysAttended: 2, attendanceRate: 0.0909 });
    expect(r.previous).toMatchObject({ participants: 2, scheduledDays: 8, scheduledDaysAttended: 0, attendanceRate: 0 });
  });
});

// ---- formats ---------------------------------------------------------------

/** RFC 4180 with `;`: quoted fields may hold ; " and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

describe('CSV', () => {
  it('is UTF-8 with BOM, ; separated, decimal comma, ISO dates, CRLF, quoted and formula-safe', () => {
    const buf = reportCsv(march());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['Kod', 'Namn', 'Form', 'Ny denna månad', 'Dagar', 'Besök', 'Öppna besök', 'Timmar på plats', 'Nyktra timmar', 'Nykter och arbetsför', 'Inte idag',
      'Utan kontroll', 'Schemalagda dagar', 'Närvarande schemalagda dagar', 'Närvaro enligt schema (%)', 'Första besök', 'Senaste besök', 'Korrigerade besök', 'Autostängda besök', 'Manuella besök']);
    const byCode = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
    expect(byCode.A001).toEqual(['A001', 'Anna', 'drop-in', 'nej', '5', '4', '0', '15,00', '12,58', '3', '0', '1', '', '', '', '2026-03-02', '2026-03-29', '0', '0', '1']);
    expect(byCode.B002).toEqual(['B002', 'Börje Åström', 'strukturerad', 'ja', '3', '3', '1', '10,50', '2,92', '2', '0', '1', '13', '2', '15,4', '2026-03-06', '2026-03-31', '1', '1', '0']);
    expect(byCode.C003?.slice(0, 2)).toEqual(['C003', "'=SUMMA(1;2)"]);
    expect(text).toContain(`"'=SUMMA(1;2)"`);
    expect(rows).toHaveLength(4);
  });

  it('guards every formula start but never a number', () => {
    for (const s of ['=1+1', '+46', '-2', '@SUM(A1)', '\tx']) expect(safeText(s).startsWith("'")).toBe(true);
    expect(safeText('Anna')).toBe('Anna');
  });
});

describe('XLSX', () => {
  it('has typed cells on a Summary and a Participants sheet', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await reportXlsx(march()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Sammanfattning', 'Deltagare', 'Per dag', 'Öppna besök']);
    const people = wb.getWorksheet('Deltagare') as ExcelJS.Worksheet;
    const header = (people.getRow(1).values as ExcelJS.CellValue[]).slice(1);
    const col = (name: string): number => header.indexOf(name) + 1;
    const rowOf = (code: string): ExcelJS.Row => {
      for (let i = 2; i <= people.rowCount; i++) if (people.getRow(i).getCell(1).value === code) return people.getRow(i);
      throw new Error(`no row ${code}`);
    };
    const a = rowOf('A001');
    expect(a.getCell(col('Timmar på plats')).value).toBe(15);
    expect(a.getCell(col('Timmar på plats')).type).toBe(ExcelJS.ValueType.Number);
    expect(a.getCell(col('Nyktra timmar')).value).toBe(12.58);
    expect(a.getCell(col('Dagar')).value).toBe(5);
    expect(a.getCell(col('Första besök')).type).toBe(ExcelJS.ValueType.Date);
    expect((a.getCell(col('Första besök')).value as Date).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(a.getCell(col('Första besök')).numFmt).toBe('yyyy-mm-dd');
    const b = rowOf('B002');
    expect(b.getCell(col('Närvaro enligt schema')).value).toBe(0.1538);
    expect(b.getCell(col('Närvaro enligt schema')).numFmt).toBe('0.0%');
    expect(rowOf('C003').getCell(col('Namn')).value).toBe('=SUMMA(1;2)');
    expect(rowOf('C003').getCell(col('Namn')).type).toBe(ExcelJS.ValueType.String);

    const summary = wb.getWorksheet('Sammanfattning') as ExcelJS.Worksheet;
    const find = (label: string): ExcelJS.Row => {
      for (let i = 1; i <= summary.rowCount; i++) if (summary.getRow(i).getCell(1).value === label) return summary.getRow(i);
      throw new Error(`no row ${label}`);
    };
    expect(find('Nyktra timmar').getCell(2).value).toBe(19.5);
    expect(find('Nyktra timmar').getCell(3).value).toBe(5.5);
    expect(find('Unika deltagare').getCell(2).value).toBe(3);
    expect(find('Timmar på plats').getCell(2).value).toBe(33.5);
    expect(find('Timmar på plats').getCell(4).value).toBe(27.5);
    expect(find('Period').getCell(2).type).toBe(ExcelJS.ValueType.Date);
    expect(find('Skapad').getCell(2).value).toEqual(new Date(Date.UTC(2026, 3, 1, 8, 15)));
    const perDay = wb.getWorksheet('Per dag') as ExcelJS.Worksheet;
    expect(perDay.getRow(30).getCell(1).value).toEqual(new Date(Date.UTC(2026, 2, 29)));
    expect(perDay.getRow(30).getCell(5).value).toBe(4);
  });
});

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'kliv-pdf-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), pdf);
    execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), join(dir, 'r.txt')]);
    return readFileSync(join(dir, 'r.txt'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('PDF', () => {
  it('is an A4 PDF', async () => {
    const pdf = await reportPdf(march());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
  });

  it.skipIf(!hasPdftotext)('holds the title, venue, period, headline, figures, table, page numbers and created-at (pdftotext)', async () => {
    const text = pdfText(await reportPdf(march()));
    expect(text).toContain('Närvarorapport mars 2026');
    expect(text).toContain(`Testgården (${VENUE().venueId})`);
    expect(text).toContain('2026-03-01 – 2026-03-31');
    expect(text).toContain('Skapad: 2026-04-01 08:15');
    expect(text).toMatch(/Nyktra timmar .*\n.*\n\s*19,5 /);
    expect(text).toMatch(/Föregående månad \(februari 2026\): 5,5/);
    expect(text).toMatch(/Unika deltagare\s+3\s+2\s+\+1/);
    expect(text).toMatch(/Timmar på plats\s+33,5\s+6,0\s+\+27,5/);
    expect(text).toMatch(/A001\s+Anna\s+5\s+4\s+15,0\s+12,6\s+3\s+0\s+2026-03-02\s+2026-03-29\s+M1/);
    expect(text).toMatch(/B002\s+Börje Åström\s+3\s+3\s+10,5\s+2,9\s+2\s+0\s+2\/13 \(15 %\)/);
    expect(text).toMatch(/C003\s+=SUMMA\(1/);
    expect(text).toMatch(/2026-03-31 10:00\s+B002 – Börje Åström/);
    expect(text).toMatch(/Sida 1 av \d/);
  });

  it.skipIf(!hasPdftotext)('writes English when asked', async () => {
    const text = pdfText((await renderReport(march(), 'pdf', 'en')).data);
    expect(text).toContain('Attendance report March 2026');
    expect(text).toMatch(/Sober hours .*\n.*\n\s*19\.5 /);
    expect(text).toMatch(/Page 1 of \d/);
  });
});

// ---- CLI -------------------------------------------------------------------

describe('kliv report', () => {
  it('writes the month as CSV, JSON and PDF from the data folder and refuses a bad month in one line', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const csv = join(t.dataDir, 'r.csv');
      expect(await main(['--data-dir', t.dataDir, 'report', '--month', '2026-03', '--format', 'csv', '--out', csv])).toBe(0);
      const rows = parseCsv(readFileSync(csv).subarray(3).toString('utf8'));
      expect(rows.find((r) => r[0] === 'B002')?.slice(0, 9)).toEqual(['B002', 'Börje Åström', 'strukturerad', 'ja', '3', '3', '1', '10,50', '2,92']);
      const json = join(t.dataDir, 'r.json');
      expect(await main(['--data-dir', t.dataDir, 'report', '--month', '2026-03', '--format', 'json', '--out', json])).toBe(0);
      expect(monthlyReport.parse(JSON.parse(readFileSync(json, 'utf8'))).summary.soberHours).toBe(19.5);
      const pdf = join(t.dataDir, 'r.pdf');
      expect(await main(['--data-dir', t.dataDir, 'report', '--month', '2026-03', '--format', 'pdf', '--out', pdf, '--language', 'en'])).toBe(0);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      expect(await main(['--data-dir', t.dataDir, 'report', '--month', '2026-3'])).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/^kliv: bad month "2026-3": expected YYYY-MM/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

// ---- central mode ----------------------------------------------------------

describe('central mode', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kliv-central-'));
    file = join(dir, 'central.sqlite');
    const db = new BetterSqlite3(file);
    // A stand-in for the municipality's database: only the view's shape matters.
    db.pragma(`application_id = ${CENTRAL_APPLICATION_ID}`);
    db.exec(`CREATE TABLE collected (${REPORT_VIEW_COLUMNS.map((c) => `${c} ANY`).join(', ')});
      CREATE INDEX collected_by_day ON collected(day);
      CREATE VIEW report_visits AS SELECT ${REPORT_VIEW_COLUMNS.join(', ')} FROM collected;`);
    const insert = db.prepare(`INSERT INTO collected (${REPORT_VIEW_COLUMNS.join(', ')}) VALUES (${REPORT_VIEW_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    let id = 0;
    const visit = (venue: string, tz: string, code: string, day: string, inT: string, outT: string | null, ready: string | null, extra: Record<string, unknown> = {}) => insert.run({
      venue_id: venue, participant_code: code, display_name: `Namn-${code}`, participant_mode: 'dropin', enrolled_at: at('2026-01-01', '00:00', tz), visit_id: ++id,
      day, checked_in_at: at(day, inT, tz), checked_out_at: outT ? at(day, outT, tz) : null, source: 'card', auto_closed: 0, corrected: 0,
      check_outcome: ready ? 'ready' : null, check_reason: null, check_at: ready ? at(day, ready, tz) : null, time_zone: tz, ...extra,
    });
    // Venue N (Stockholm): X 3 h (2 sober), Y 2 h + the DST night 01:00 → 04:00 wall = 2 real hours.
    visit('VNORR', TZ, 'X1', '2026-03-02', '09:00', '12:00', '10:00');
    visit('VNORR', TZ, 'Y2', '2026-03-03', '10:00', '12:00', null);
    visit('VNORR', TZ, 'Y2', '2026-03-29', '01:00', '04:00', '01:00');
    // Venue S (Helsinki, to show each venue's own midnight): X again 4 h sober, Z open.
    visit('VSYD', 'Europe/Helsinki', 'X1', '2026-03-02', '13:00', '17:00', '13:00');
    visit('VSYD', 'Europe/Helsinki', 'Z3', '2026-03-31', '09:00', null, null);
    visit('VSYD', 'Europe/Helsinki', 'Z3', '2026-02-10', '09:00', '10:00', null);
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports across venues with codes only and a per-venue breakdown', async () => {
    const r = centralMonthlyReport(file, '2026-03', { createdAt: CREATED });
    expect(() => monthlyReport.parse(r)).not.toThrow();
    expect(r.scope).toBe('central');
    expect(r.venue).toBeNull();
    expect(r.summary).toMatchObject({ participants: 3, visits: 5, openVisits: 1, hours: 11, soberHours: 8 });
    const x = r.participants.find((p) => p.code === 'X1');
    expect(x).toMatchObject({ displayName: null, venues: ['VNORR', 'VSYD'], visits: 2, daysAttended: 1, hours: 7, soberHours: 6 });
    expect(r.perVenue.map((v) => [v.venueId, v.summary.participants, v.summary.hours, v.summary.soberHours, v.previous.visits])).toEqual([
      ['VNORR', 2, 7, 4, 0],
      ['VSYD', 2, 4, 4, 1],
    ]);
    expect(r.openVisits).toEqual([expect.objectContaining({ venueId: 'VSYD', code: 'Z3', displayName: null, checkedInLocal: '09:00' })]);

    const json = JSON.stringify(r);
    const csv = reportCsv(r).toString('utf8');
    const pdf = hasPdftotext ? pdfText(await reportPdf(r)) : '';
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await reportXlsx(r) as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
    for (const out of [json, csv, pdf, cells.join('\n')]) expect(out).not.toMatch(/Namn-/);
    expect(parseCsv(csv.slice(1))[0]?.slice(0, 2)).toEqual(['Kod', 'Verksamheter']);
    expect(wb.worksheets.map((w) => w.name)).toContain('Verksamheter');
    if (hasPdftotext) expect(pdf).toMatch(/VNORR\s+2 \(0\)\s+3 \(0\)\s+7,0 \(0,0\)\s+4,0 \(0,0\)/);
  });

  it('reads the real central schema the same way', async () => {
    const real = join(dir, 'real.sqlite');
    const db = openCentralDatabase(real);
    db.prepare(`INSERT INTO venues (venue_id, time_zone, mode, public_key_fingerprint, last_batch, last_seq, last_manifest_sha256, first_collected_at, last_collected_at)
      VALUES ('VNORR', ?, 'dropin', 'x', 1, 1, ?, 0, 0)`).run(TZ, '0'.repeat(64));
    db.prepare("INSERT INTO participants (venue_id, code, mode, enrolled_at) VALUES ('VNORR', 'X1', 'dropin', 0)").run();
    db.prepare(`INSERT INTO visits (venue_id, visit_id, participant_code, day, checked_in_at, checked_out_at, source) VALUES ('VNORR', 7, 'X1', '2026-03-29', ?, ?, 'card')`)
      .run(at('2026-03-29', '01:00'), at('2026-03-29', '04:00'));
    db.prepare("INSERT INTO checks (venue_id, check_id, visit_id, outcome, reason, recorded_at) VALUES ('VNORR', 1, 7, 'not_today', 'other', ?)").run(at('2026-03-29', '01:30'));
    db.prepare("INSERT INTO checks (venue_id, check_id, visit_id, outcome, reason, recorded_at, corrects_id) VALUES ('VNORR', 2, 7, 'ready', NULL, ?, 1)").run(at('2026-03-29', '09:00'));
    db.close();
    const r = centralMonthlyReport(real, '2026-03', { createdAt: CREATED });
    // 01:00 CET → 04:00 CEST is 2 real hours; sober from the assessment at 01:30, though corrected at 09:00.
    expect(r.summary).toMatchObject({ participants: 1, visits: 1, hours: 2, soberHours: 1.5, correctedVisits: 1, checksReady: 1 });
    // The same through `kliv report --central`, which needs no data folder.
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const csv = join(dir, 'central.csv');
      expect(await main(['report', '--central', real, '--month', '2026-03', '--format', 'csv', '--out', csv])).toBe(0);
      expect(parseCsv(readFileSync(csv).subarray(3).toString('utf8'))[1]?.slice(0, 2)).toEqual(['X1', 'VNORR']);
    } finally {
      out.mockRestore();
    }
  });

  it('explains a file that is not a central database', () => {
    const empty = join(dir, 'empty.sqlite');
    const db = new BetterSqlite3(empty);
    db.exec('CREATE TABLE something (x)');
    db.close();
    expect(() => centralMonthlyReport(empty, '2026-03', { createdAt: CREATED })).toThrow(/not a Kliv central database/);
    expect(() => centralMonthlyReport(join(dir, 'missing.sqlite'), '2026-03', { createdAt: CREATED })).toThrow(/does not exist/);
    expect(existsSync(join(dir, 'missing.sqlite'))).toBe(false);
  });
});
