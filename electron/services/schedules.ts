/**
 * Weekly schedules for participants at structured venues: "Mon, Wed, Fri
 * 09–12 from 2 March". A schedule is in force from its first to its last
 * day (inclusive, venue-local dates); setting a new one ends the previous
 * one the day before, so on any day at most one schedule applies. The kiosk
 * shows today's slot on check-in, the today view lists who is expected and
 * has not come, and the monthly report compares attended with scheduled days.
 */
import type { Database } from 'better-sqlite3';
import type { ScheduleInput, ScheduleSlot, ScheduleView } from '../../shared/api';
import { KlivError } from '../../shared/errors';
import { addDays, isLocalDate, isLocalTime, localDateOf } from '../../shared/time';
import { appendEvent } from '../db/events';
import { getParticipant, getParticipantByCode, type Participant } from '../db/participants';
import {
  endSchedulesFrom, insertSchedule, scheduledOn, scheduleInForce, schedulesBetween, schedulesOf, weekdayBit, daysToMask, type Schedule,
} from '../db/schedules';
import { audit } from './audit';
import type { ServiceContext } from './context';
import { actorName, type Actor } from './staff';
import { requireVenue } from './venue';

export function toScheduleView(s: Schedule): ScheduleView {
  return { scheduleId: s.id, days: s.days, start: s.start, end: s.end, validFrom: s.validFrom, validTo: s.validTo };
}

export function venueToday(ctx: ServiceContext): string {
  return localDateOf(ctx.clock.now(), requireVenue(ctx).timeZone);
}

/** The slot on a day, or null when the participant is not scheduled that day. */
export function slotOn(db: Database, participantId: number, day: string): ScheduleSlot | null {
  const s = scheduleInForce(db, participantId, day);
  if (!s || (daysToMask(s.days) & weekdayBit(day)) === 0) return null;
  return { start: s.start, end: s.end };
}

/** For the kiosk's check-in confirmation ("Ditt schema idag: 09–12"). */
export function scheduleSlotFor(ctx: ServiceContext, participant: Participant, day: string): ScheduleSlot | null {
  if (participant.mode !== 'structured') return null;
  return slotOn(ctx.db, participant.id, day);
}

/** Active structured participants expected on a day, by start time (for the today view). */
export function expectedOn(ctx: ServiceContext, day: string): { participant: Participant; slot: ScheduleSlot }[] {
  const out: { participant: Participant; slot: ScheduleSlot }[] = [];
  for (const row of scheduledOn(ctx.db, day)) {
    const participant = getParticipant(ctx.db, row.participantId);
    if (participant && participant.active && participant.mode === 'structured') out.push({ participant, slot: { start: row.start, end: row.end } });
  }
  return out;
}

/**
 * The venue-local dates in a month ('YYYY-MM') on which the participant was
 * scheduled, in order. The reports compare these with the days attended.
 * Unknown code or no schedule: an empty list.
 */
export function scheduledDaysInMonth(db: Database, participantCode: string, month: string): string[] {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || !isLocalDate(`${month}-01`)) throw new KlivError('BAD_INPUT', `Expected a month YYYY-MM, got "${month}".`);
  const participant = getParticipantByCode(db, participantCode.trim().toUpperCase());
  if (!participant) return [];
  const first = `${month}-01`;
  const last = addDays(addDays(first, 32).slice(0, 8) + '01', -1);
  const schedules = schedulesBetween(db, participant.id, first, last);
  const days: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const s = schedules.find((x) => x.validFrom <= day && (x.validTo === null || x.validTo >= day));
    if (s && (daysToMask(s.days) & weekdayBit(day)) !== 0) days.push(day);
  }
  return days;
}

/** The schedule in force today, else the next one to start. */
export function currentOrNextSchedule(db: Database, participantId: number, today: string): Schedule | null {
  const now = scheduleInForce(db, participantId, today);
  if (now) return now;
  return schedulesOf(db, participantId).find((s) => s.validFrom > today) ?? null;
}

/** Current and coming schedules first (soonest first), then past ones (newest first). */
export function schedulesForDisplay(db: Database, participantId: number, today: string): Schedule[] {
  const all = schedulesOf(db, participantId);
  const live = all.filter((s) => s.validTo === null || s.validTo >= today);
  const past = all.filter((s) => s.validTo !== null && s.validTo < today).reverse();
  return [...live, ...past];
}

function requireParticipant(ctx: ServiceContext, participantId: number): Participant {
  const p = getParticipant(ctx.db, participantId);
  if (!p) throw new KlivError('NOT_FOUND', 'No such participant.');
  return p;
}

export function validateScheduleInput(input: ScheduleInput, today: string): Required<Pick<ScheduleInput, 'days' | 'start' | 'end' | 'validFrom'>> & { validTo: string | null } {
  const days = [...new Set(input.days)];
  if (days.length === 0) throw new KlivError('BAD_INPUT', 'Choose at least one weekday.');
  if (!isLocalTime(input.start) || !isLocalTime(input.end)) throw new KlivError('BAD_INPUT', 'Times are HH:MM, e.g. 09:00.');
  if (input.start >= input.end) throw new KlivError('BAD_INPUT', 'The end time must be after the start time.');
  const validFrom = input.validFrom ?? today;
  const validTo = input.validTo ?? null;
  if (!isLocalDate(validFrom) || (validTo !== null && !isLocalDate(validTo))) throw new KlivError('BAD_INPUT', 'Dates are YYYY-MM-DD.');
  // A schedule is a plan: rewriting one that already applied would silently change past reports.
  if (validFrom < today) throw new KlivError('BAD_INPUT', `A schedule starts today (${today}) or later.`);
  if (validTo !== null && validTo < validFrom) throw new KlivError('BAD_INPUT', 'The last day must not be before the first.');
  return { days, start: input.start, end: input.end, validFrom, validTo };
}

/**
 * Sets a participant's weekly schedule from `validFrom` (default today); the
 * schedule before it ends the day before. Only for structured participants.
 * Runs inside the caller's transaction when there is one.
 */
export function setSchedule(ctx: ServiceContext, actor: Actor, participantId: number, input: ScheduleInput): Schedule {
  const participant = requireParticipant(ctx, participantId);
  if (!participant.active) throw new KlivError('PARTICIPANT_INACTIVE', 'This participant is deactivated; reactivate them first.');
  if (participant.mode !== 'structured') throw new KlivError('BAD_INPUT', 'Drop-in participants have no schedule; make them structured first.');
  const s = validateScheduleInput(input, venueToday(ctx));
  return ctx.db.transaction(() => {
    const now = ctx.clock.now();
    const replaced = endSchedulesFrom(ctx.db, participant.id, s.validFrom);
    const schedule = insertSchedule(ctx.db, { participantId: participant.id, days: s.days, start: s.start, end: s.end, validFrom: s.validFrom, validTo: s.validTo, createdAt: now });
    const data = { scheduleId: schedule.id, days: schedule.days, start: schedule.start, end: schedule.end, validFrom: schedule.validFrom, validTo: schedule.validTo };
    appendEvent(ctx.db, { at: now, type: 'participant.schedule_set', participantCode: participant.code, data });
    audit(ctx, { actor: actorName(actor), action: 'schedule.set', subject: `participant:${participant.id}`, detail: { code: participant.code, ...data, endedPrevious: replaced.ended, removedFuture: replaced.removed } });
    return schedule;
  })();
}

/**
 * Ends the participant's schedule after `lastDay` (default: today), e.g.
 * when they move to drop-in or leave. Returns whether anything changed.
 */
export function endSchedule(ctx: ServiceContext, actor: Actor, participantId: number, why: 'ended' | 'deactivated' | 'dropin' = 'ended', lastDay?: string): boolean {
  const participant = requireParticipant(ctx, participantId);
  const last = lastDay ?? venueToday(ctx);
  return ctx.db.transaction(() => {
    const changed = endSchedulesFrom(ctx.db, participant.id, addDays(last, 1));
    if (changed.ended + changed.removed === 0) return false;
    const now = ctx.clock.now();
    appendEvent(ctx.db, { at: now, type: 'participant.schedule_set', participantCode: participant.code, data: { endedAfter: last, why } });
    audit(ctx, { actor: actorName(actor), action: 'schedule.ended', subject: `participant:${participant.id}`, detail: { code: participant.code, lastDay: last, why } });
    return true;
  })();
}
