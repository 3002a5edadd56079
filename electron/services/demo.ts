/**
 * A realistic sample venue for newcomers and screenshots: participants with
 * nicknames, a few months of weekday visits with the irregularity a
 * low-threshold venue sees. Deterministic for a given seed.
 */
import { addDays, isoWeekday, localDateOf, zonedTimeToInstant } from '../../shared/time';
import { insertCheck } from '../db/checks';
import { insertDayConfirmation } from '../db/dayConfirmations';
import { appendEvent } from '../db/events';
import { getStaffByName, setNameLoginAllowed } from '../db/staff';
import { addStaff, CLI_ACTOR } from './staff';
import { getVenue } from '../db/venue';
import { insertVisit } from '../db/visits';
import type { ServiceContext } from './context';
import { enrolParticipant } from './participants';
import { initVenue } from './venue';

const NAMES = ['Anna', 'Micke', 'Sara', 'Ahmed', 'Leila', 'Janne', 'Kicki', 'Tomas', 'Fatima', 'Olle', 'Ewa', 'Darius',
  'Hodan', 'Piotr', 'Lena', 'Robban', 'Nadia', 'Stefan', 'Mira', 'Kenta', 'Zara', 'Bosse', 'Ida', 'Reza'];

/** Mulberry32: a tiny seeded generator, good enough for sample data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoResult {
  participants: { code: string; displayName: string; payload: string }[];
  visits: number;
  /** A demo admin, so a newcomer can try staff mode. */
  staff: { name: string; pin: string; badgePayload: string } | null;
}

export const DEMO_STAFF = { name: 'Demo Admin', pin: '246810' } as const;

export function createDemoVenue(ctx: ServiceContext, options: { months?: number; seed?: number; participants?: number } = {}): DemoResult {
  const rand = seededRandom(options.seed ?? 42);
  const venue = getVenue(ctx.db) ?? initVenue(ctx, { name: 'Kliv demo – Dagverksamheten Ankaret', mode: 'dropin', timeZone: 'Europe/Stockholm' });
  const count = Math.min(options.participants ?? 18, NAMES.length);
  const today = localDateOf(ctx.clock.now(), venue.timeZone);
  const firstDay = addDays(today, -Math.round((options.months ?? 3) * 30.5));
  const people: DemoResult['participants'] = [];
  const ids: { id: number; code: string; regularity: number }[] = [];
  for (let i = 0; i < count; i++) {
    const { participant, issued } = enrolParticipant(ctx, { displayName: NAMES[i] as string, code: `D${String(1001 + i)}` });
    people.push({ code: participant.code, displayName: participant.displayName, payload: issued.payload });
    ids.push({ id: participant.id, code: participant.code, regularity: 0.25 + rand() * 0.6 });
  }
  let visits = 0;
  const admin = getStaffByName(ctx.db, DEMO_STAFF.name) ? null : addStaff(ctx, CLI_ACTOR, { name: DEMO_STAFF.name, role: 'admin', pin: DEMO_STAFF.pin });
  const staffId = admin?.account.staffId ?? (getStaffByName(ctx.db, DEMO_STAFF.name) as { id: number }).id;
  // Demo only: a newcomer without a scanner can log in with name + PIN.
  if (admin) setNameLoginAllowed(ctx.db, staffId, true);
  const reasons = ['not_sober', 'unwell', 'other'] as const;
  ctx.db.transaction(() => {
    for (let day = firstDay; day < today; day = addDays(day, 1)) {
      const weekday = isoWeekday(day);
      if (weekday >= 6) continue;
      for (const p of ids) {
        if (rand() > p.regularity) continue;
        const startMin = 8 * 60 + 30 + Math.floor(rand() * 150);
        const length = 60 + Math.floor(rand() * 300);
        const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const inAt = zonedTimeToInstant(day, hhmm(startMin), venue.timeZone);
        const outAt = zonedTimeToInstant(day, hhmm(Math.min(startMin + length, 16 * 60 + 30)), venue.timeZone);
        const v = insertVisit(ctx.db, { participantId: p.id, day, checkedInAt: inAt, checkedOutAt: outAt, source: 'card', createdAt: inAt });
        appendEvent(ctx.db, { at: inAt, type: 'visit.checked_in', participantCode: p.code, data: { visitId: v.id, day, source: 'card' } });
        // Past days are finished work: every visit has its check, mostly "ready".
        const checkAt = Math.min(outAt, inAt + (5 + Math.floor(rand() * 20)) * 60_000);
        const notToday = rand() < 0.07;
        const reason = notToday ? reasons[Math.floor(rand() * reasons.length)] ?? 'other' : null;
        const check = insertCheck(ctx.db, { visitId: v.id, outcome: notToday ? 'not_today' : 'ready', reason, recordedAt: checkAt, staffId, correctsId: null, correctionReason: null, afterConfirmation: false });
        appendEvent(ctx.db, { at: checkAt, type: 'check.recorded', participantCode: p.code, data: { visitId: v.id, checkId: check.id, outcome: check.outcome, reason } });
        visits++;
      }
      const dayVisits = (ctx.db.prepare('SELECT count(*) AS n FROM visits WHERE day = ?').get(day) as { n: number }).n;
      const confirmedAt = zonedTimeToInstant(day, '17:00', venue.timeZone);
      insertDayConfirmation(ctx.db, { day, confirmedAt, staffId, visits: dayVisits });
      appendEvent(ctx.db, { at: confirmedAt, type: 'day.confirmed', participantCode: null, data: { day, visits: dayVisits } });
    }
  })();
  return { participants: people, visits, staff: admin ? { name: DEMO_STAFF.name, pin: DEMO_STAFF.pin, badgePayload: admin.badgePayload } : null };
}
