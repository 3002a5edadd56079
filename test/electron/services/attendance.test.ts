import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addPaperVisit, confirmDay, correctCheck, correctVisit, dayReview, manualCheckIn, manualCheckOut, recordCheck, searchForStaff, setExpectedProvider,
  todayView, visitHistory,
} from '../../../electron/services/attendance';
import { auditKey, verifyAuditChain } from '../../../electron/services/audit';
import { enrolParticipant } from '../../../electron/services/participants';
import { writeSetting } from '../../../electron/services/settings';
import { addStaff, CLI_ACTOR, type Actor } from '../../../electron/services/staff';
import { setParticipantActive, type Participant } from '../../../electron/db/participants';
import type { VisitRow } from '../../../shared/api';
import { KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };
const NAMES = ['Zlatanella', 'Quirinius', 'Bartholomea'] as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

interface Person { participant: Participant; card: string }
interface EventLine { seq: number; at: number; type: string; participant_code: string | null; data: string }
interface AuditLine { seq: number; actor: string; action: string; subject: string | null; detail: string }

let t: TestApp;
let kim: Actor;
let cleo: Actor;
let anna: Person;
let bo: Person;
let cai: Person;

const ctx = () => t.app.ctx;
const events = (afterSeq = 0): EventLine[] => t.app.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq').all(afterSeq) as EventLine[];
const lastEventSeq = (): number => t.app.db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number;
const auditLines = (): AuditLine[] => t.app.db.prepare('SELECT seq, actor, action, subject, detail FROM audit_log ORDER BY seq').all() as AuditLine[];
const codes = (rows: VisitRow[]): string[] => rows.map((r) => r.code);
const minutes = (n: number): number => n * 60_000;

function enrol(displayName: string, code: string): Person {
  const { participant, issued } = enrolParticipant(ctx(), { displayName, code });
  return { participant, card: issued.payload };
}

/** Checks in by card; returns the new visit id. */
function scanIn(p: Person): number {
  const r = t.app.kiosk.scan(p.card);
  expect(r.outcome).toBe('checked-in');
  const id = t.app.db.prepare('SELECT id FROM visits WHERE participant_id = ? AND checked_out_at IS NULL').pluck().get(p.participant.id) as number;
  expect(id).toBeGreaterThan(0);
  return id;
}

/** Checks out by card: a second scan outside the double-scan window, then the confirmation. */
function scanOut(p: Person): void {
  t.clock.advance(10_000);
  const r = t.app.kiosk.scan(p.card);
  if (r.outcome !== 'checkout-pending') throw new Error(`expected checkout-pending, got ${r.outcome}`);
  expect(t.app.kiosk.confirmCheckout(r.ticket, true).outcome).toBe('checked-out');
}

function visitRow(id: number) {
  return t.app.db.prepare('SELECT checked_in_at, checked_out_at, auto_closed, flagged, source, manual_reason, day FROM visits WHERE id = ?').get(id) as {
    checked_in_at: number; checked_out_at: number | null; auto_closed: number; flagged: number; source: string; manual_reason: string | null; day: string;
  };
}

beforeEach(() => {
  // Monday 2 March 2026, 09:00 in Stockholm (UTC+1)
  t = testApp({ start: '2026-03-02T08:00:00Z' });
  kim = { staffId: addStaff(ctx(), CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, FAST).account.staffId, role: 'staff' };
  cleo = { staffId: addStaff(ctx(), CLI_ACTOR, { name: 'Cleo', role: 'coordinator', pin: '731904' }, FAST).account.staffId, role: 'coordinator' };
  anna = enrol(NAMES[0], 'P-101');
  bo = enrol(NAMES[1], 'P-102');
  cai = enrol(NAMES[2], 'P-103');
});
afterEach(() => {
  setExpectedProvider(() => []);
  t.close();
});

describe('today view', () => {
  it('follows scans and manual check-ins: present, left and pending check', () => {
    const reads = (): number => auditLines().filter((a) => a.action === 'read.today').length;
    let view = todayView(ctx(), kim);
    expect(view).toMatchObject({ day: '2026-03-02', confirmed: null, present: [], left: [], pendingCheck: [], expectedNotArrived: [], openFromEarlierDays: [], rejectedScans: 0 });
    expect(reads()).toBe(1);

    const annaVisit = scanIn(anna);
    view = todayView(ctx(), kim);
    expect(codes(view.present)).toEqual(['P-101']);
    expect(codes(view.pendingCheck)).toEqual(['P-101']);
    expect(view.present[0]).toMatchObject({ visitId: annaVisit, displayName: NAMES[0], checkedInLocal: '09:00', checkedOutAt: null, source: 'card', check: null, autoClosed: false, corrected: false });

    t.clock.advance(minutes(5));
    const boRow = manualCheckIn(ctx(), kim, bo.participant.id, 'no_card');
    expect(boRow).toMatchObject({ code: 'P-102', source: 'manual', checkedInLocal: '09:05' });
    view = todayView(ctx(), kim);
    expect(codes(view.present)).toEqual(['P-101', 'P-102']);
    expect(codes(view.pendingCheck)).toEqual(['P-101', 'P-102']);

    recordCheck(ctx(), kim, annaVisit, 'ready', undefined);
    view = todayView(ctx(), kim);
    expect(codes(view.pendingCheck)).toEqual(['P-102']);
    expect(view.present[0]!.check).toMatchObject({ outcome: 'ready', reason: null, localTime: '09:05', byStaff: 'Kim' });

    t.clock.advance(minutes(60));
    scanOut(anna);
    view = todayView(ctx(), kim);
    expect(codes(view.present)).toEqual(['P-102']);
    expect(codes(view.left)).toEqual(['P-101']);
    expect(view.left[0]!.checkedOutLocal).toBe('10:05');

    t.clock.advance(minutes(30));
    manualCheckOut(ctx(), kim, boRow.visitId, 'forgot_checkout');
    view = todayView(ctx(), kim);
    expect(view.present).toEqual([]);
    expect(codes(view.left)).toEqual(['P-101', 'P-102']);
    // Bo left without a check: still pending, or the day could never be confirmed from this screen
    expect(codes(view.pendingCheck)).toEqual(['P-102']);
    expect(dayReview(ctx()).pendingChecks).toBe(view.pendingCheck.length);

    recordCheck(ctx(), kim, boRow.visitId, 'ready', undefined);
    view = todayView(ctx(), kim);
    expect(view.pendingCheck).toEqual([]);

    t.app.kiosk.scan('KLIV1PNOTACARD');
    expect(todayView(ctx(), kim).rejectedScans).toBe(1);
    // Reads of the same day's list by the same person within a minute are logged once.
    expect(reads()).toBe(4);
    expect(auditLines().filter((a) => a.action === 'read.today').every((a) => a.subject === 'day:2026-03-02' && a.actor === `staff:${kim.staffId}`)).toBe(true);
  });

  it('a screen refreshing the list is one audited read per minute, per person and day', () => {
    const reads = (): number => auditLines().filter((a) => a.action === 'read.today').length;
    todayView(ctx(), kim);
    t.clock.advance(5_000);
    todayView(ctx(), kim);
    t.clock.advance(5_000);
    todayView(ctx(), kim);
    expect(reads()).toBe(1);
    todayView(ctx(), cleo); // another person reads: logged
    expect(reads()).toBe(2);
    t.clock.advance(61_000);
    todayView(ctx(), kim);
    expect(reads()).toBe(3);
  });

  it('shows visits still open from an earlier day, and who was expected but has not come', () => {
    const annaVisit = scanIn(anna);
    t.clock.set('2026-03-03T08:00:00Z');
    setExpectedProvider((_c, day) => (day === '2026-03-03' ? [anna, cai].map((p) => ({ participant: p.participant, slot: { start: '09:00', end: '12:00' } })) : []));
    let view = todayView(ctx(), kim);
    expect(view.day).toBe('2026-03-03');
    expect(view.present).toEqual([]);
    expect(view.openFromEarlierDays).toEqual([expect.objectContaining({ visitId: annaVisit, day: '2026-03-02', code: 'P-101' })]);
    expect(view.expectedNotArrived.map((e) => e.code)).toEqual(['P-101', 'P-103']);
    scanIn(cai);
    view = todayView(ctx(), kim);
    expect(view.expectedNotArrived.map((e) => e.code)).toEqual(['P-101']);
    // a past day can still be asked for
    expect(codes(todayView(ctx(), kim, '2026-03-02').present)).toEqual(['P-101']);
  });

  it('search finds by name or code, shows an open visit, and is audited without the query text', () => {
    expect(searchForStaff(ctx(), kim, 'zlatan')).toEqual([{ participantId: anna.participant.id, code: 'P-101', displayName: NAMES[0], active: true, openVisitId: null }]);
    const visitId = scanIn(anna);
    expect(searchForStaff(ctx(), kim, 'p-101')[0]!.openVisitId).toBe(visitId);
    expect(searchForStaff(ctx(), kim, 'nobody-like-this')).toEqual([]);
    const searches = auditLines().filter((a) => a.action === 'read.search');
    expect(searches.map((a) => JSON.parse(a.detail) as unknown)).toEqual([{ queryLength: 6, hits: 1 }, { queryLength: 5, hits: 1 }, { queryLength: 16, hits: 0 }]);
    const text = JSON.stringify(t.app.db.prepare('SELECT * FROM audit_log').all()).toLowerCase();
    expect(text).not.toContain('zlatan');
    expect(text).not.toContain('nobody-like-this');
  });
});

describe('checks', () => {
  it('"ready" is recorded on the visit; a second check is a CONFLICT', () => {
    const visitId = scanIn(anna);
    t.clock.advance(minutes(2));
    const row = recordCheck(ctx(), kim, visitId, 'ready', undefined);
    expect(row.check).toMatchObject({ outcome: 'ready', reason: null, recordedAt: t.clock.now(), byStaff: 'Kim' });
    expect(row.checkedOutAt).toBeNull();
    expect(codeOf(() => recordCheck(ctx(), kim, visitId, 'ready', undefined))).toBe('CONFLICT');
    expect(codeOf(() => recordCheck(ctx(), cleo, visitId, 'not_today', 'unwell'))).toBe('CONFLICT');
    expect(t.app.db.prepare('SELECT count(*) FROM checks').pluck().get()).toBe(1);
  });

  it('"not today" needs a reason category and, by default, ends the visit at that moment', () => {
    const visitId = scanIn(anna);
    expect(codeOf(() => recordCheck(ctx(), kim, visitId, 'not_today', undefined))).toBe('BAD_INPUT');
    expect(codeOf(() => recordCheck(ctx(), kim, visitId, 'ready', 'unwell'))).toBe('BAD_INPUT');
    expect(codeOf(() => recordCheck(ctx(), kim, 9999, 'ready', undefined))).toBe('NOT_FOUND');
    expect(codeOf(() => recordCheck(ctx(), { staffId: null, role: 'kiosk' }, visitId, 'ready', undefined))).toBe('NOT_LOGGED_IN');
    t.clock.advance(minutes(7));
    const seq = lastEventSeq();
    const row = recordCheck(ctx(), kim, visitId, 'not_today', 'not_sober');
    expect(row.check).toMatchObject({ outcome: 'not_today', reason: 'not_sober' });
    expect(row.checkedOutAt).toBe(t.clock.now());
    expect(row.checkedOutLocal).toBe('09:07');
    expect(events(seq).map((e) => [e.type, e.participant_code, JSON.parse(e.data) as unknown])).toEqual([
      ['check.recorded', 'P-101', expect.objectContaining({ visitId, outcome: 'not_today', reason: 'not_sober' })],
      ['visit.checked_out', 'P-101', { visitId, source: 'check' }],
    ]);
    const view = todayView(ctx(), kim);
    expect(view.present).toEqual([]);
    expect(codes(view.left)).toEqual(['P-101']);
  });

  it('with checks.notTodayEndsVisit=false a "not today" check leaves the visit open', () => {
    writeSetting(ctx(), 'checks.notTodayEndsVisit', 'false');
    const visitId = scanIn(bo);
    const seq = lastEventSeq();
    const row = recordCheck(ctx(), kim, visitId, 'not_today', 'unwell');
    expect(row.checkedOutAt).toBeNull();
    expect(row.check?.reason).toBe('unwell');
    expect(events(seq).map((e) => e.type)).toEqual(['check.recorded']);
    expect(codes(todayView(ctx(), kim).present)).toEqual(['P-102']);
  });

  it('a correction appends a new check; the history shows both with the correction reason', () => {
    const visitId = scanIn(anna);
    const first = recordCheck(ctx(), kim, visitId, 'ready', undefined).check!;
    t.clock.advance(minutes(3));
    const row = correctCheck(ctx(), cleo, first.checkId, 'not_today', 'other', 'wrong_check');
    expect(row.check).toMatchObject({ outcome: 'not_today', reason: 'other', byStaff: 'Cleo' });
    expect(row.check!.checkId).not.toBe(first.checkId);
    expect(row.corrected).toBe(true);
    const stored = t.app.db.prepare('SELECT id, outcome, reason, corrects_id, correction_reason FROM checks WHERE visit_id = ? ORDER BY id').all(visitId);
    expect(stored).toEqual([
      { id: first.checkId, outcome: 'ready', reason: null, corrects_id: null, correction_reason: null },
      { id: row.check!.checkId, outcome: 'not_today', reason: 'other', corrects_id: first.checkId, correction_reason: 'wrong_check' },
    ]);
    const history = visitHistory(ctx(), kim, visitId);
    expect(history.checks).toEqual([
      expect.objectContaining({ checkId: first.checkId, outcome: 'ready', correctionReason: null, afterConfirmation: false, byStaff: 'Kim' }),
      expect.objectContaining({ checkId: row.check!.checkId, outcome: 'not_today', reason: 'other', correctionReason: 'wrong_check', afterConfirmation: false, byStaff: 'Cleo' }),
    ]);
    expect(codeOf(() => correctCheck(ctx(), kim, first.checkId, 'ready', undefined, 'other'))).toBe('CONFLICT');
    expect(codeOf(() => correctCheck(ctx(), kim, 9999, 'ready', undefined, 'other'))).toBe('NOT_FOUND');
    expect(codeOf(() => correctCheck(ctx(), kim, row.check!.checkId, 'ready', 'unwell', 'other'))).toBe('BAD_INPUT');
    expect(() => t.app.db.prepare("UPDATE checks SET outcome = 'ready', reason = NULL").run()).toThrow(/append-only/);
    expect(auditLines().some((a) => a.action === 'read.visit' && a.subject === `visit:${visitId}`)).toBe(true);
  });
});

describe('visit corrections', () => {
  it('change the times and keep every before and after in the history', () => {
    const visitId = scanIn(anna);
    t.clock.set('2026-03-02T11:00:00Z');
    scanOut(anna);
    const row = correctVisit(ctx(), kim, visitId, '08:45', '11:30', 'wrong_time');
    expect(row).toMatchObject({ checkedInLocal: '08:45', checkedOutLocal: '11:30', corrected: true });
    expect(visitRow(visitId)).toMatchObject({ checked_in_at: Date.parse('2026-03-02T07:45:00Z'), checked_out_at: Date.parse('2026-03-02T10:30:00Z'), flagged: 0 });
    t.clock.advance(minutes(1));
    correctVisit(ctx(), cleo, visitId, '08:50', '11:30', 'other');
    const history = visitHistory(ctx(), kim, visitId);
    expect(history.visit).toMatchObject({ visitId, day: '2026-03-02', checkedInLocal: '08:50', checkedOutLocal: '11:30' });
    expect(history.corrections).toEqual([
      { at: Date.parse('2026-03-02T11:00:10Z'), byStaff: 'Kim', reason: 'wrong_time', afterConfirmation: false, before: { checkedInLocal: '09:00', checkedOutLocal: '12:00' }, after: { checkedInLocal: '08:45', checkedOutLocal: '11:30' } },
      { at: Date.parse('2026-03-02T11:01:10Z'), byStaff: 'Cleo', reason: 'other', afterConfirmation: false, before: { checkedInLocal: '08:45', checkedOutLocal: '11:30' }, after: { checkedInLocal: '08:50', checkedOutLocal: '11:30' } },
    ]);
    expect(() => t.app.db.prepare('UPDATE visit_corrections SET after_in = 0').run()).toThrow(/append-only/);
  });

  it('refuses impossible times', () => {
    const open = scanIn(anna);
    const closed = scanIn(bo);
    t.clock.advance(minutes(60));
    scanOut(bo);
    expect(codeOf(() => correctVisit(ctx(), kim, closed, '10:00', '09:30', 'wrong_time'))).toBe('BAD_INPUT');
    expect(codeOf(() => correctVisit(ctx(), kim, closed, '09:00', null, 'wrong_time'))).toBe('BAD_INPUT'); // reopening
    expect(codeOf(() => correctVisit(ctx(), kim, closed, '09:00', '23:00', 'wrong_time'))).toBe('BAD_INPUT'); // in the future
    expect(codeOf(() => correctVisit(ctx(), kim, open, '23:00', null, 'wrong_time'))).toBe('BAD_INPUT'); // check-in in the future
    expect(codeOf(() => correctVisit(ctx(), kim, 9999, '09:00', null, 'wrong_time'))).toBe('NOT_FOUND');
    // a correction must name the staff member who made it (the CLI has no account)
    expect(codeOf(() => correctVisit(ctx(), CLI_ACTOR, closed, '09:00', '10:00', 'wrong_time'))).toBe('NOT_LOGGED_IN');
    expect(codeOf(() => correctVisit(ctx(), { staffId: null, role: 'kiosk' }, closed, '09:00', '10:00', 'wrong_time'))).toBe('NOT_LOGGED_IN');
    expect(correctVisit(ctx(), kim, open, '08:30', null, 'wrong_time')).toMatchObject({ checkedInLocal: '08:30', checkedOutAt: null });
    expect(t.app.db.prepare('SELECT count(*) FROM visit_corrections').pluck().get()).toBe(1);
  });
});

describe('manual check-in and check-out', () => {
  it('check-in needs an active participant and refuses a second open visit', () => {
    setParticipantActive(t.app.db, cai.participant.id, false);
    expect(codeOf(() => manualCheckIn(ctx(), kim, cai.participant.id, 'no_card'))).toBe('PARTICIPANT_INACTIVE');
    expect(codeOf(() => manualCheckIn(ctx(), kim, 9999, 'no_card'))).toBe('NOT_FOUND');
    scanIn(anna);
    expect(codeOf(() => manualCheckIn(ctx(), kim, anna.participant.id, 'card_lost'))).toBe('CONFLICT');
    const row = manualCheckIn(ctx(), kim, bo.participant.id, 'card_lost');
    expect(visitRow(row.visitId)).toMatchObject({ source: 'manual', manual_reason: 'card_lost', day: '2026-03-02' });
    expect(codeOf(() => manualCheckIn(ctx(), kim, bo.participant.id, 'no_card'))).toBe('CONFLICT');
    t.clock.advance(minutes(30));
    manualCheckOut(ctx(), kim, row.visitId, 'no_card');
    expect(manualCheckIn(ctx(), kim, bo.participant.id, 'no_card').visitId).not.toBe(row.visitId); // a new visit after leaving
    expect(t.app.db.prepare("SELECT count(*) FROM visits WHERE source = 'manual'").pluck().get()).toBe(2);
  });

  it('check-out at a given time, or now; refuses a time before check-in, in the future, or an already closed visit', () => {
    const { visitId } = manualCheckIn(ctx(), kim, bo.participant.id, 'no_card');
    t.clock.set('2026-03-02T12:00:00Z'); // 13:00 local
    expect(codeOf(() => manualCheckOut(ctx(), kim, visitId, 'forgot_checkout', '08:59'))).toBe('BAD_INPUT');
    expect(codeOf(() => manualCheckOut(ctx(), kim, visitId, 'forgot_checkout', '13:01'))).toBe('BAD_INPUT');
    expect(visitRow(visitId).checked_out_at).toBeNull();
    const row = manualCheckOut(ctx(), kim, visitId, 'forgot_checkout', '11:30');
    expect(row).toMatchObject({ checkedOutLocal: '11:30', checkedOutAt: Date.parse('2026-03-02T10:30:00Z') });
    expect(codeOf(() => manualCheckOut(ctx(), kim, visitId, 'forgot_checkout'))).toBe('CONFLICT');
    expect(codeOf(() => manualCheckOut(ctx(), kim, 9999, 'forgot_checkout'))).toBe('NOT_FOUND');
    const other = scanIn(anna);
    t.clock.advance(minutes(15));
    expect(manualCheckOut(ctx(), kim, other, 'kiosk_problem')).toMatchObject({ checkedOutAt: t.clock.now(), checkedOutLocal: '13:15' });
  });
});

describe('day review and confirmation', () => {
  function busyDay(): { annaVisit: number; boVisit: number; caiVisit: number } {
    const annaVisit = scanIn(anna);
    recordCheck(ctx(), kim, annaVisit, 'ready', undefined);
    t.clock.advance(minutes(60));
    scanOut(anna);
    const boVisit = scanIn(bo);
    recordCheck(ctx(), kim, boVisit, 'ready', undefined);
    const caiVisit = manualCheckIn(ctx(), kim, cai.participant.id, 'no_card').visitId;
    return { annaVisit, boVisit, caiVisit };
  }

  it('counts visits, open visits and pending checks', () => {
    expect(dayReview(ctx())).toEqual({ day: '2026-03-02', confirmed: null, openVisits: 0, pendingChecks: 0, visits: 0, closingTime: '16:00', canConfirm: true });
    busyDay();
    expect(dayReview(ctx())).toEqual({ day: '2026-03-02', confirmed: null, openVisits: 2, pendingChecks: 1, visits: 3, closingTime: '16:00', canConfirm: false });
    expect(dayReview(ctx(), '2026-03-01')).toMatchObject({ visits: 0, canConfirm: true });
    expect(dayReview(ctx(), '2026-03-03')).toMatchObject({ visits: 0, canConfirm: false }); // the future
  });

  it('refuses while visits are open or checks pending (DAY_NOT_READY), and a refused auto-close changes nothing', () => {
    const { boVisit, caiVisit } = busyDay();
    const seq = lastEventSeq();
    const audits = auditLines().length;
    expect(codeOf(() => confirmDay(ctx(), kim, '2026-03-02', false))).toBe('DAY_NOT_READY');
    recordCheck(ctx(), kim, caiVisit, 'ready', undefined);
    expect(codeOf(() => confirmDay(ctx(), kim, '2026-03-02', false))).toBe('DAY_NOT_READY');
    const dan = enrol('Danjel', 'P-104');
    const danVisit = scanIn(dan); // no check yet
    expect(codeOf(() => confirmDay(ctx(), kim, '2026-03-02', true))).toBe('DAY_NOT_READY');
    for (const id of [boVisit, caiVisit, danVisit]) expect(visitRow(id)).toMatchObject({ checked_out_at: null, auto_closed: 0 });
    expect(events(seq).map((e) => e.type)).toEqual(['check.recorded', 'participant.enrolled', 'card.issued', 'visit.checked_in']);
    expect(auditLines().slice(audits).map((a) => a.action)).toEqual(['check.recorded']);
    expect(t.app.db.prepare('SELECT count(*) FROM day_confirmations').pluck().get()).toBe(0);
    expect(codeOf(() => confirmDay(ctx(), kim, '2026-03-03', true))).toBe('DAY_NOT_READY');
    expect(codeOf(() => confirmDay(ctx(), { staffId: null, role: 'kiosk' }, '2026-03-02', true))).toBe('NOT_LOGGED_IN');
  });

  it('auto-closes open visits at the venue closing time, flags them, and confirms', () => {
    writeSetting(ctx(), 'venue.closingTime', '16:30');
    const { boVisit, caiVisit } = busyDay();
    recordCheck(ctx(), kim, caiVisit, 'ready', undefined);
    t.clock.set('2026-03-02T17:10:00Z'); // 18:10 local, after closing
    const seq = lastEventSeq();
    const review = confirmDay(ctx(), kim, '2026-03-02', true);
    expect(review).toEqual({
      day: '2026-03-02', confirmed: { at: t.clock.now(), byStaff: 'Kim' }, openVisits: 0, pendingChecks: 0, visits: 3, closingTime: '16:30', canConfirm: false,
    });
    const closing = Date.parse('2026-03-02T15:30:00Z');
    for (const id of [boVisit, caiVisit]) expect(visitRow(id)).toMatchObject({ checked_out_at: closing, auto_closed: 1 });
    const view = todayView(ctx(), kim, '2026-03-02');
    expect(view.confirmed).toEqual({ at: t.clock.now(), byStaff: 'Kim' });
    expect(view.left.filter((r) => r.autoClosed).map((r) => [r.code, r.checkedOutLocal])).toEqual([['P-102', '16:30'], ['P-103', '16:30']]);
    expect(view.left.find((r) => r.code === 'P-101')!.autoClosed).toBe(false);
    expect(events(seq).map((e) => [e.type, e.participant_code])).toEqual([
      ['visit.auto_closed', 'P-102'], ['visit.auto_closed', 'P-103'], ['day.confirmed', null],
    ]);
    expect(JSON.parse(events(seq).at(-1)!.data)).toEqual({ day: '2026-03-02', visits: 3 });
    expect(auditLines().filter((a) => a.action === 'visit.auto-closed' || a.action === 'day.confirmed').map((a) => a.subject))
      .toEqual([`visit:${boVisit}`, `visit:${caiVisit}`, 'day:2026-03-02']);
    expect(codeOf(() => confirmDay(ctx(), kim, '2026-03-02', true))).toBe('DAY_CONFIRMED');
    expect(codeOf(() => confirmDay(ctx(), cleo, '2026-03-02', false))).toBe('DAY_CONFIRMED');
  });

  it('a confirmed day is locked: staff get DAY_CONFIRMED; a coordinator\'s change goes through and is flagged', () => {
    const { annaVisit, caiVisit } = busyDay();
    recordCheck(ctx(), kim, caiVisit, 'ready', undefined);
    t.clock.set('2026-03-02T16:00:00Z');
    confirmDay(ctx(), kim, '2026-03-02', true);
    const annaCheck = visitHistory(ctx(), kim, annaVisit).checks[0]!.checkId;
    const seq = lastEventSeq();

    expect(codeOf(() => correctVisit(ctx(), kim, annaVisit, '08:55', '10:00', 'wrong_time'))).toBe('DAY_CONFIRMED');
    expect(codeOf(() => correctCheck(ctx(), kim, annaCheck, 'not_today', 'unwell', 'wrong_check'))).toBe('DAY_CONFIRMED');
    expect(codeOf(() => manualCheckIn(ctx(), kim, anna.participant.id, 'no_card'))).toBe('DAY_CONFIRMED');
    expect(events(seq)).toEqual([]);
    expect(visitRow(annaVisit).flagged).toBe(0);

    const row = correctVisit(ctx(), cleo, annaVisit, '08:55', '10:00', 'wrong_time');
    expect(row.corrected).toBe(true);
    expect(visitRow(annaVisit)).toMatchObject({ flagged: 1, checked_in_at: Date.parse('2026-03-02T07:55:00Z') });
    const corrected = correctCheck(ctx(), cleo, annaCheck, 'not_today', 'unwell', 'wrong_check');
    expect(corrected.check).toMatchObject({ outcome: 'not_today', reason: 'unwell' });
    const history = visitHistory(ctx(), cleo, annaVisit);
    expect(history.corrections).toEqual([expect.objectContaining({ afterConfirmation: true, byStaff: 'Cleo', reason: 'wrong_time' })]);
    expect(history.checks.map((c) => c.afterConfirmation)).toEqual([false, true]);
    expect(events(seq).map((e) => [e.type, (JSON.parse(e.data) as { afterConfirmation?: boolean }).afterConfirmation])).toEqual([
      ['visit.corrected', true], ['check.corrected', true],
    ]);
    // the day itself stays confirmed; another day is not affected
    expect(dayReview(ctx(), '2026-03-02').confirmed).not.toBeNull();
    t.clock.set('2026-03-03T08:00:00Z');
    expect(manualCheckIn(ctx(), kim, anna.participant.id, 'no_card').code).toBe('P-101');
  });
});

describe('the event log', () => {
  it('gets an event with the participant code, never the display name, for every check, correction, manual visit, auto-close and confirmation', () => {
    const start = lastEventSeq();
    const annaVisit = scanIn(anna);
    const check = recordCheck(ctx(), kim, annaVisit, 'ready', undefined).check!;
    t.clock.advance(minutes(20));
    correctCheck(ctx(), kim, check.checkId, 'not_today', 'other', 'wrong_check');
    const boVisit = manualCheckIn(ctx(), kim, bo.participant.id, 'no_card').visitId;
    recordCheck(ctx(), kim, boVisit, 'ready', undefined);
    t.clock.advance(minutes(20));
    manualCheckOut(ctx(), kim, boVisit, 'forgot_checkout');
    correctVisit(ctx(), kim, boVisit, '09:15', '09:35', 'wrong_time');
    const caiVisit = manualCheckIn(ctx(), kim, cai.participant.id, 'card_lost').visitId;
    recordCheck(ctx(), kim, caiVisit, 'ready', undefined);
    t.clock.set('2026-03-02T18:00:00Z');
    confirmDay(ctx(), kim, '2026-03-02', true);
    const paper = addPaperVisit(ctx(), CLI_ACTOR, { code: 'P-103', checkedIn: Date.parse('2026-02-27T09:00:00Z'), checkedOut: Date.parse('2026-02-27T11:00:00Z'), reason: 'kiosk_problem' });
    expect(paper.source).toBe('paper');

    const log = events(start);
    const typed = log.map((e) => [e.type, e.participant_code]);
    for (const expected of [
      ['check.recorded', 'P-101'], ['check.corrected', 'P-101'], ['visit.manual_in', 'P-102'], ['check.recorded', 'P-102'], ['visit.manual_out', 'P-102'],
      ['visit.corrected', 'P-102'], ['visit.manual_in', 'P-103'], ['check.recorded', 'P-103'], ['visit.auto_closed', 'P-103'], ['day.confirmed', null], ['visit.paper', 'P-103'],
    ]) expect(typed).toContainEqual(expected);
    // the event order is the order things happened, numbered without gaps
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => start + i + 1));
    const everything = JSON.stringify([t.app.db.prepare('SELECT * FROM events').all(), t.app.db.prepare('SELECT * FROM audit_log').all()]);
    for (const name of NAMES) expect(everything, `${name} in the event or audit log`).not.toContain(name);
    expect(verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets)).ok).toBe(true);
  });
});

describe('days across a DST change (Europe/Stockholm)', () => {
  it('spring forward, 29 March 2026: local times and the closing time are right and the day confirms', () => {
    t.clock.set('2026-03-28T23:30:00Z'); // 00:30 CET on the 29th
    const annaVisit = scanIn(anna);
    recordCheck(ctx(), kim, annaVisit, 'ready', undefined);
    t.clock.set('2026-03-29T00:45:00Z'); // 01:45 CET
    const boVisit = scanIn(bo);
    recordCheck(ctx(), kim, boVisit, 'ready', undefined);
    t.clock.set('2026-03-29T01:20:00Z'); // 03:20 CEST: 02:xx never happened
    scanOut(anna);
    let view = todayView(ctx(), kim);
    expect(view.day).toBe('2026-03-29');
    expect(view.left.map((r) => [r.code, r.checkedInLocal, r.checkedOutLocal])).toEqual([['P-101', '00:30', '03:20']]);
    expect(view.left[0]!.checkedOutAt! - view.left[0]!.checkedInAt).toBe(minutes(110) + 10_000);
    t.clock.set('2026-03-29T16:00:00Z'); // 18:00 CEST
    const review = confirmDay(ctx(), kim, '2026-03-29', true);
    expect(review).toMatchObject({ day: '2026-03-29', visits: 2, openVisits: 0 });
    expect(visitRow(boVisit)).toMatchObject({ day: '2026-03-29', checked_out_at: Date.parse('2026-03-29T14:00:00Z'), auto_closed: 1 }); // 16:00 CEST
    view = todayView(ctx(), kim, '2026-03-29');
    expect(view.left.map((r) => [r.code, r.checkedInLocal, r.checkedOutLocal])).toEqual([['P-101', '00:30', '03:20'], ['P-102', '01:45', '16:00']]);
    expect(visitRow(boVisit).checked_out_at! - visitRow(boVisit).checked_in_at).toBe(minutes(13 * 60 + 15)); // 01:45 → 16:00 is 13 h 15 min, not 14 h 15 min
    // a correction typed in local time uses the offset in force at that time
    correctVisit(ctx(), cleo, annaVisit, '01:30', '03:30', 'wrong_time');
    expect(visitRow(annaVisit)).toMatchObject({ checked_in_at: Date.parse('2026-03-29T00:30:00Z'), checked_out_at: Date.parse('2026-03-29T01:30:00Z') });
  });

  it('fall back, 25 October 2026: the repeated hour does not break the day', () => {
    t.clock.set('2026-10-24T22:30:00Z'); // 00:30 CEST on the 25th
    const annaVisit = scanIn(anna);
    recordCheck(ctx(), kim, annaVisit, 'ready', undefined);
    t.clock.set('2026-10-25T01:30:00Z'); // 02:30 CET, the second time 02:30 comes round
    scanOut(anna);
    const boVisit = scanIn(bo);
    recordCheck(ctx(), kim, boVisit, 'ready', undefined);
    t.clock.set('2026-10-25T22:30:00Z'); // 23:30 CET
    confirmDay(ctx(), kim, '2026-10-25', true);
    expect(visitRow(boVisit)).toMatchObject({ day: '2026-10-25', checked_out_at: Date.parse('2026-10-25T15:00:00Z'), auto_closed: 1 }); // 16:00 CET
    const view = todayView(ctx(), kim, '2026-10-25');
    expect(view.left.map((r) => [r.code, r.checkedInLocal, r.checkedOutLocal])).toEqual([['P-101', '00:30', '02:30'], ['P-102', '02:30', '16:00']]);
    expect(visitRow(annaVisit).checked_out_at! - visitRow(annaVisit).checked_in_at).toBe(minutes(180) + 10_000);
    expect(dayReview(ctx(), '2026-10-25').confirmed).not.toBeNull();
  });
});
