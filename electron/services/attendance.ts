/**
 * Staff's daily work on attendance: the today view, the honesty-principle
 * check, manual check-in/out, corrections and day confirmation.
 *
 * Corrections never overwrite history: a check correction is a new check
 * row; a time correction updates the visit and appends the before/after to
 * visit_corrections. A confirmed day is locked: later changes need a
 * coordinator and are flagged. Every change also goes to the event log (for
 * the nightly export) and the audit log; every read of the lists is audited.
 */
import type { CheckOutcome, CorrectionReason, DayReview, ManualReason, NotTodayReason, TodayView, VisitHistory, VisitRow } from '../../shared/api';
import { roleAtLeast } from '../../shared/api';
import { KlivError } from '../../shared/errors';
import { addDays, localDateOf, localTimeOf, zonedTimeToInstant } from '../../shared/time';
import { checksOfVisit, currentCheck, currentChecksOnDay, getCheck, insertCheck, type Check } from '../db/checks';
import { correctedVisitIds, correctionsOfVisit, insertVisitCorrection } from '../db/corrections';
import { getDayConfirmation, insertDayConfirmation } from '../db/dayConfirmations';
import { appendEvent } from '../db/events';
import { getParticipant, searchParticipants, type Participant } from '../db/participants';
import { rejectedScansOn } from '../db/rejectedScans';
import { listStaff } from '../db/staff';
import type { Venue } from '../db/venue';
import { closeVisit, findOpenVisit, getVisit, insertVisit, openVisitsBefore, setVisitTimes, visitsOnDay, type Visit } from '../db/visits';
import { audit } from './audit';
import type { ServiceContext } from './context';
import { readSetting } from './settings';
import { actorName, type Actor } from './staff';
import { requireVenue } from './venue';

/** Supplies who is expected today (structured venues); the schedules feature plugs in here. */
export type ExpectedToday = (ctx: ServiceContext, day: string) => { participant: Participant; slot: { start: string; end: string } }[];
let expectedProvider: ExpectedToday = () => [];
export function setExpectedProvider(provider: ExpectedToday): void {
  expectedProvider = provider;
}

function staffNames(ctx: ServiceContext): Map<number, string> {
  return new Map(listStaff(ctx.db).map((s) => [s.id, s.name]));
}

function today(ctx: ServiceContext, venue: Venue): string {
  return localDateOf(ctx.clock.now(), venue.timeZone);
}

function checkView(check: Check, venue: Venue, names: Map<number, string>) {
  return {
    checkId: check.id, outcome: check.outcome, reason: check.reason, recordedAt: check.recordedAt,
    localTime: localTimeOf(check.recordedAt, venue.timeZone), byStaff: names.get(check.staffId) ?? '?',
  };
}

function toRow(ctx: ServiceContext, venue: Venue, visit: Visit, participant: Participant, check: Check | undefined, corrected: boolean, names: Map<number, string>): VisitRow {
  return {
    visitId: visit.id,
    participantId: participant.id,
    code: participant.code,
    displayName: participant.displayName,
    checkedInAt: visit.checkedInAt,
    checkedInLocal: localTimeOf(visit.checkedInAt, venue.timeZone),
    checkedOutAt: visit.checkedOutAt,
    checkedOutLocal: visit.checkedOutAt === null ? null : localTimeOf(visit.checkedOutAt, venue.timeZone),
    source: visit.source,
    autoClosed: visit.autoClosed,
    corrected: corrected || visit.flagged,
    check: check ? checkView(check, venue, names) : null,
  };
}

function rowOf(ctx: ServiceContext, visitId: number): VisitRow {
  const venue = requireVenue(ctx);
  const visit = getVisit(ctx.db, visitId);
  if (!visit) throw new KlivError('NOT_FOUND', 'No such visit.');
  const participant = getParticipant(ctx.db, visit.participantId) as Participant;
  const corrected = correctedVisitIds(ctx.db, visit.day).has(visit.id);
  return toRow(ctx, venue, visit, participant, currentCheck(ctx.db, visit.id), corrected, staffNames(ctx));
}

/**
 * Changes to a confirmed day need a coordinator; they go through but are
 * flagged. Returns whether the change is after confirmation.
 */
function guardDay(ctx: ServiceContext, actor: Actor, day: string): boolean {
  if (!getDayConfirmation(ctx.db, day)) return false;
  const role = actor.role === 'cli' ? 'admin' : actor.role;
  if (!roleAtLeast(role, 'coordinator')) throw new KlivError('DAY_CONFIRMED', `${day} is confirmed; a coordinator must make this change.`);
  return true;
}

export function todayView(ctx: ServiceContext, actor: Actor, day?: string): TodayView {
  const venue = requireVenue(ctx);
  const d = day ?? today(ctx, venue);
  const names = staffNames(ctx);
  const visits = visitsOnDay(ctx.db, d);
  const checks = currentChecksOnDay(ctx.db, d);
  const corrected = correctedVisitIds(ctx.db, d);
  const people = new Map<number, Participant>();
  const personOf = (id: number): Participant => {
    let p = people.get(id);
    if (!p) {
      p = getParticipant(ctx.db, id) as Participant;
      people.set(id, p);
    }
    return p;
  };
  const rows = visits.map((v) => toRow(ctx, venue, v, personOf(v.participantId), checks.get(v.id), corrected.has(v.id), names));
  const present = rows.filter((r) => r.checkedOutAt === null);
  const left = rows.filter((r) => r.checkedOutAt !== null);
  const cameIds = new Set(visits.map((v) => v.participantId));
  const expected = expectedProvider(ctx, d)
    .filter((e) => !cameIds.has(e.participant.id))
    .map((e) => ({ participantId: e.participant.id, code: e.participant.code, displayName: e.participant.displayName, slot: e.slot }));
  const earlier = openVisitsBefore(ctx.db, d).map((v) => ({ ...toRow(ctx, venue, v, personOf(v.participantId), currentCheck(ctx.db, v.id), false, names), day: v.day }));
  const confirmation = getDayConfirmation(ctx.db, d);
  const rejected = Object.values(rejectedScansOn(ctx.db, d)).reduce((a, b) => a + b, 0);
  // A screen refreshing the same list every few seconds is one read per minute in the log.
  if (!readRecently(ctx, actorName(actor), 'read.today', `day:${d}`, 60_000)) {
    audit(ctx, { actor: actorName(actor), action: 'read.today', subject: `day:${d}`, detail: { participants: people.size + expected.length } });
  }
  return {
    day: d,
    confirmed: confirmation ? { at: confirmation.confirmedAt, byStaff: names.get(confirmation.staffId) ?? '?' } : null,
    present,
    left,
    // Everyone of the day without a check, including those who already left:
    // the day cannot be confirmed until each of them has one (see dayReview).
    pendingCheck: rows.filter((r) => r.check === null),
    expectedNotArrived: expected,
    openFromEarlierDays: earlier,
    rejectedScans: rejected,
  };
}

function readRecently(ctx: ServiceContext, actor: string, action: string, subject: string, withinMs: number): boolean {
  const last = ctx.db.prepare('SELECT at FROM audit_log WHERE action = ? AND actor = ? AND subject = ? ORDER BY seq DESC LIMIT 1').get(action, actor, subject) as { at: number } | undefined;
  return last !== undefined && ctx.clock.now() - last.at < withinMs;
}

export function searchForStaff(ctx: ServiceContext, actor: Actor, query: string) {
  const venue = requireVenue(ctx);
  const d = today(ctx, venue);
  const hits = searchParticipants(ctx.db, query.trim(), 30);
  // The query may be a name: log only its length.
  audit(ctx, { actor: actorName(actor), action: 'read.search', detail: { queryLength: query.trim().length, hits: hits.length } });
  return hits.map((p) => ({
    participantId: p.id, code: p.code, displayName: p.displayName, active: p.active,
    openVisitId: findOpenVisit(ctx.db, p.id, d)?.id ?? null,
  }));
}

export function manualCheckIn(ctx: ServiceContext, actor: Actor, participantId: number, reason: ManualReason): VisitRow {
  const venue = requireVenue(ctx);
  const participant = getParticipant(ctx.db, participantId);
  if (!participant) throw new KlivError('NOT_FOUND', 'No such participant.');
  if (!participant.active) throw new KlivError('PARTICIPANT_INACTIVE', 'This participant is deactivated.');
  const now = ctx.clock.now();
  const d = localDateOf(now, venue.timeZone);
  const after = guardDay(ctx, actor, d);
  if (findOpenVisit(ctx.db, participant.id, d)) throw new KlivError('CONFLICT', 'Already checked in.');
  const visit = ctx.db.transaction(() => {
    const v = insertVisit(ctx.db, { participantId, day: d, checkedInAt: now, checkedOutAt: null, source: 'manual', createdAt: now, manualReason: reason });
    appendEvent(ctx.db, { at: now, type: 'visit.manual_in', participantCode: participant.code, data: { visitId: v.id, day: d, reason, afterConfirmation: after } });
    audit(ctx, { actor: actorName(actor), action: 'visit.manual-in', subject: `visit:${v.id}`, detail: { code: participant.code, reason } });
    return v;
  })();
  return rowOf(ctx, visit.id);
}

export function manualCheckOut(ctx: ServiceContext, actor: Actor, visitId: number, reason: ManualReason, at?: string): VisitRow {
  const venue = requireVenue(ctx);
  const visit = getVisit(ctx.db, visitId);
  if (!visit) throw new KlivError('NOT_FOUND', 'No such visit.');
  if (visit.checkedOutAt !== null) throw new KlivError('CONFLICT', 'This visit is already closed.');
  const after = guardDay(ctx, actor, visit.day);
  const outAt = at ? zonedTimeToInstant(visit.day, at, venue.timeZone) : ctx.clock.now();
  if (outAt < visit.checkedInAt) throw new KlivError('BAD_INPUT', 'The check-out time is before the check-in.');
  if (outAt > ctx.clock.now()) throw new KlivError('BAD_INPUT', 'The check-out time is in the future.');
  const participant = getParticipant(ctx.db, visit.participantId) as Participant;
  ctx.db.transaction(() => {
    closeVisit(ctx.db, visit.id, outAt);
    appendEvent(ctx.db, { at: ctx.clock.now(), type: 'visit.manual_out', participantCode: participant.code, data: { visitId, out: outAt, reason, afterConfirmation: after } });
    audit(ctx, { actor: actorName(actor), action: 'visit.manual-out', subject: `visit:${visitId}`, detail: { code: participant.code, reason } });
  })();
  return rowOf(ctx, visitId);
}

export function recordCheck(ctx: ServiceContext, actor: Actor, visitId: number, outcome: CheckOutcome, reason: NotTodayReason | undefined): VisitRow {
  if (actor.staffId === null) throw new KlivError('NOT_LOGGED_IN', 'Only staff record checks.');
  const visit = getVisit(ctx.db, visitId);
  if (!visit) throw new KlivError('NOT_FOUND', 'No such visit.');
  if ((outcome === 'not_today') !== (reason !== undefined)) throw new KlivError('BAD_INPUT', 'A "not today" check needs a reason category, and only it.');
  if (currentCheck(ctx.db, visitId)) throw new KlivError('CONFLICT', 'This visit already has a check; correct it instead.');
  const after = guardDay(ctx, actor, visit.day);
  const participant = getParticipant(ctx.db, visit.participantId) as Participant;
  const staffId = actor.staffId;
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const check = insertCheck(ctx.db, { visitId, outcome, reason: reason ?? null, recordedAt: now, staffId, correctsId: null, correctionReason: null, afterConfirmation: after });
    appendEvent(ctx.db, { at: now, type: 'check.recorded', participantCode: participant.code, data: { visitId, checkId: check.id, outcome, reason: reason ?? null } });
    audit(ctx, { actor: actorName(actor), action: 'check.recorded', subject: `visit:${visitId}`, detail: { code: participant.code, outcome } });
    // The honesty principle: "not today" means the person leaves now, unless the venue says otherwise.
    if (outcome === 'not_today' && visit.checkedOutAt === null && readSetting(ctx, 'checks.notTodayEndsVisit')) {
      closeVisit(ctx.db, visitId, now);
      appendEvent(ctx.db, { at: now, type: 'visit.checked_out', participantCode: participant.code, data: { visitId, source: 'check' } });
    }
  })();
  return rowOf(ctx, visitId);
}

export function correctCheck(ctx: ServiceContext, actor: Actor, checkId: number, outcome: CheckOutcome, reason: NotTodayReason | undefined, correctionReason: CorrectionReason): VisitRow {
  if (actor.staffId === null) throw new KlivError('NOT_LOGGED_IN', 'Only staff correct checks.');
  const previous = getCheck(ctx.db, checkId);
  if (!previous) throw new KlivError('NOT_FOUND', 'No such check.');
  const latest = currentCheck(ctx.db, previous.visitId);
  if (latest && latest.id !== previous.id) throw new KlivError('CONFLICT', 'That check has already been corrected; correct the newest one.');
  if ((outcome === 'not_today') !== (reason !== undefined)) throw new KlivError('BAD_INPUT', 'A "not today" check needs a reason category, and only it.');
  const visit = getVisit(ctx.db, previous.visitId) as Visit;
  const after = guardDay(ctx, actor, visit.day);
  const participant = getParticipant(ctx.db, visit.participantId) as Participant;
  const staffId = actor.staffId;
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const check = insertCheck(ctx.db, { visitId: visit.id, outcome, reason: reason ?? null, recordedAt: now, staffId, correctsId: previous.id, correctionReason, afterConfirmation: after });
    appendEvent(ctx.db, { at: now, type: 'check.corrected', participantCode: participant.code, data: { visitId: visit.id, checkId: check.id, corrects: previous.id, outcome, reason: reason ?? null, correctionReason, afterConfirmation: after } });
    audit(ctx, { actor: actorName(actor), action: 'check.corrected', subject: `visit:${visit.id}`, detail: { code: participant.code, from: previous.outcome, to: outcome, correctionReason, afterConfirmation: after } });
  })();
  return rowOf(ctx, visit.id);
}

export function correctVisit(ctx: ServiceContext, actor: Actor, visitId: number, checkedIn: string, checkedOut: string | null, reason: CorrectionReason): VisitRow {
  // visit_corrections.staff_id must name a staff account (foreign key), so
  // the CLI, which has none, cannot record a correction.
  if (actor.staffId === null) throw new KlivError('NOT_LOGGED_IN', 'Only staff correct visits.');
  const staffId = actor.staffId;
  const venue = requireVenue(ctx);
  const visit = getVisit(ctx.db, visitId);
  if (!visit) throw new KlivError('NOT_FOUND', 'No such visit.');
  const inAt = zonedTimeToInstant(visit.day, checkedIn, venue.timeZone);
  const outAt = checkedOut === null ? null : zonedTimeToInstant(visit.day, checkedOut, venue.timeZone);
  if (outAt !== null && outAt < inAt) throw new KlivError('BAD_INPUT', 'The check-out time is before the check-in.');
  if (outAt === null && visit.checkedOutAt !== null) throw new KlivError('BAD_INPUT', 'A closed visit cannot be reopened by a correction.');
  if (outAt !== null && outAt > ctx.clock.now()) throw new KlivError('BAD_INPUT', 'The check-out time is in the future.');
  if (inAt > ctx.clock.now()) throw new KlivError('BAD_INPUT', 'The check-in time is in the future.');
  const after = guardDay(ctx, actor, visit.day);
  const participant = getParticipant(ctx.db, visit.participantId) as Participant;
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    insertVisitCorrection(ctx.db, {
      visitId, at: now, staffId, reason, beforeIn: visit.checkedInAt, beforeOut: visit.checkedOutAt,
      afterIn: inAt, afterOut: outAt, afterConfirmation: after,
    });
    setVisitTimes(ctx.db, visitId, inAt, outAt, { flagged: after });
    appendEvent(ctx.db, { at: now, type: 'visit.corrected', participantCode: participant.code, data: { visitId, in: inAt, out: outAt, reason, afterConfirmation: after } });
    audit(ctx, { actor: actorName(actor), action: 'visit.corrected', subject: `visit:${visitId}`, detail: { code: participant.code, reason, afterConfirmation: after } });
  })();
  return rowOf(ctx, visitId);
}

export function visitHistory(ctx: ServiceContext, actor: Actor, visitId: number): VisitHistory {
  const venue = requireVenue(ctx);
  const visit = getVisit(ctx.db, visitId);
  if (!visit) throw new KlivError('NOT_FOUND', 'No such visit.');
  const names = staffNames(ctx);
  const t = (ms: number): string => localTimeOf(ms, venue.timeZone);
  const corrections = correctionsOfVisit(ctx.db, visitId);
  const checks = checksOfVisit(ctx.db, visitId);
  audit(ctx, { actor: actorName(actor), action: 'read.visit', subject: `visit:${visitId}` });
  return {
    visit: { ...rowOf(ctx, visitId), day: visit.day },
    corrections: corrections.map((c) => ({
      at: c.at, byStaff: names.get(c.staffId) ?? (c.staffId === 0 ? 'kliv (CLI)' : '?'), reason: c.reason as CorrectionReason, afterConfirmation: c.afterConfirmation,
      before: { checkedInLocal: t(c.beforeIn), checkedOutLocal: c.beforeOut === null ? null : t(c.beforeOut) },
      after: { checkedInLocal: t(c.afterIn), checkedOutLocal: c.afterOut === null ? null : t(c.afterOut) },
    })),
    checks: checks.map((c) => ({ ...checkView(c, venue, names), correctionReason: c.correctionReason as CorrectionReason | null, afterConfirmation: c.afterConfirmation })),
  };
}

export function dayReview(ctx: ServiceContext, day?: string): DayReview {
  const venue = requireVenue(ctx);
  const d = day ?? today(ctx, venue);
  const visits = visitsOnDay(ctx.db, d);
  const checks = currentChecksOnDay(ctx.db, d);
  const confirmation = getDayConfirmation(ctx.db, d);
  const names = staffNames(ctx);
  const openVisits = visits.filter((v) => v.checkedOutAt === null).length;
  const pendingChecks = visits.filter((v) => !checks.has(v.id)).length;
  return {
    day: d,
    confirmed: confirmation ? { at: confirmation.confirmedAt, byStaff: names.get(confirmation.staffId) ?? '?' } : null,
    openVisits,
    pendingChecks,
    visits: visits.length,
    closingTime: readSetting(ctx, 'venue.closingTime'),
    canConfirm: !confirmation && openVisits === 0 && pendingChecks === 0 && d <= today(ctx, venue),
  };
}

/**
 * Confirms a day. Open visits must be closed first, or closed here at the
 * venue's closing time (flagged as auto-closed); every visit needs a check.
 */
export function confirmDay(ctx: ServiceContext, actor: Actor, day: string, autoCloseOpenVisits: boolean): DayReview {
  if (actor.staffId === null) throw new KlivError('NOT_LOGGED_IN', 'Only staff confirm days.');
  const venue = requireVenue(ctx);
  if (day > today(ctx, venue)) throw new KlivError('DAY_NOT_READY', 'A day in the future cannot be confirmed.');
  if (getDayConfirmation(ctx.db, day)) throw new KlivError('DAY_CONFIRMED', `${day} is already confirmed.`);
  const staffId = actor.staffId;
  ctx.db.transaction(() => {
    const now = ctx.clock.now();
    if (autoCloseOpenVisits) {
      const closing = zonedTimeToInstant(day, readSetting(ctx, 'venue.closingTime'), venue.timeZone);
      for (const v of visitsOnDay(ctx.db, day)) {
        if (v.checkedOutAt !== null) continue;
        // At closing time; someone who came after closing is closed now, or at
        // the end of that day when a past day is confirmed.
        const endOfDay = zonedTimeToInstant(addDays(day, 1), '00:00', venue.timeZone) - 60_000;
        const at = v.checkedInAt <= closing ? closing : Math.max(v.checkedInAt, Math.min(now, endOfDay));
        closeVisit(ctx.db, v.id, at, { autoClosed: true });
        const p = getParticipant(ctx.db, v.participantId) as Participant;
        appendEvent(ctx.db, { at: now, type: 'visit.auto_closed', participantCode: p.code, data: { visitId: v.id, out: at } });
        audit(ctx, { actor: actorName(actor), action: 'visit.auto-closed', subject: `visit:${v.id}`, detail: { code: p.code } });
      }
    }
    const review = dayReview(ctx, day);
    if (review.openVisits > 0 || review.pendingChecks > 0) {
      throw new KlivError('DAY_NOT_READY', `${review.openVisits} open visit(s) and ${review.pendingChecks} pending check(s) must be resolved first.`);
    }
    insertDayConfirmation(ctx.db, { day, confirmedAt: now, staffId, visits: review.visits });
    appendEvent(ctx.db, { at: now, type: 'day.confirmed', participantCode: null, data: { day, visits: review.visits } });
    audit(ctx, { actor: actorName(actor), action: 'day.confirmed', subject: `day:${day}`, detail: { visits: review.visits } });
  })();
  return dayReview(ctx, day);
}

/** A visit entered from a paper list when the kiosk was down (CLI). */
export function addPaperVisit(ctx: ServiceContext, actor: Actor, input: { code: string; checkedIn: number; checkedOut: number | null; reason: ManualReason }): Visit {
  const venue = requireVenue(ctx);
  const participant = searchParticipants(ctx.db, input.code, 5).find((p) => p.code === input.code.toUpperCase());
  if (!participant) throw new KlivError('NOT_FOUND', `No participant with code ${input.code}.`);
  if (input.checkedOut !== null && input.checkedOut < input.checkedIn) throw new KlivError('BAD_INPUT', 'The check-out time is before the check-in.');
  if (input.checkedIn > ctx.clock.now()) throw new KlivError('BAD_INPUT', 'The check-in time is in the future.');
  if (input.checkedOut !== null && input.checkedOut > ctx.clock.now()) throw new KlivError('BAD_INPUT', 'The check-out time is in the future.');
  const day = localDateOf(input.checkedIn, venue.timeZone);
  const after = guardDay(ctx, actor, day);
  if (input.checkedOut === null && findOpenVisit(ctx.db, participant.id, day)) throw new KlivError('CONFLICT', `${participant.code} already has an open visit on ${day}; give a check-out time.`);
  return ctx.db.transaction(() => {
    const now = ctx.clock.now();
    const v = insertVisit(ctx.db, { participantId: participant.id, day, checkedInAt: input.checkedIn, checkedOutAt: input.checkedOut, source: 'paper', createdAt: now, manualReason: input.reason });
    appendEvent(ctx.db, { at: now, type: 'visit.paper', participantCode: participant.code, data: { visitId: v.id, day, in: input.checkedIn, out: input.checkedOut, reason: input.reason, afterConfirmation: after } });
    audit(ctx, { actor: actorName(actor), action: 'visit.paper', subject: `visit:${v.id}`, detail: { code: participant.code, reason: input.reason } });
    return v;
  })();
}
