/**
 * Monthly attendance reports. One function, monthlyAttendance(db, month),
 * reads the `report_visits` view (../db/reportView.ts) of either a venue's
 * own database or the municipality's central one and returns the typed
 * report of shared/contract/reports.ts; the file formats in ./report-formats
 * only lay that report out.
 *
 * Time arithmetic, the part that must add up:
 * - A day is a calendar date in the visit's venue time zone; month bounds
 *   are that zone's local midnights.
 * - Hours are real elapsed time: a visit across a DST change counts the hours
 *   that passed, not the wall-clock difference.
 * - A visit past midnight is split at local midnight; each day (and so each
 *   month) gets its own part. The visit itself counts once, on its check-in day.
 * - Open visits count as a visit and a day present, never as hours, and are
 *   listed so staff can close them.
 * - Sober hours run from the visit's "ready" check (see check_at in the view)
 *   or the check-in if later, to the check-out.
 */
import type { Database } from 'better-sqlite3';
import {
  monthDays, REPORT_FORMAT_VERSION, shiftMonth,
  type DayFigures, type MonthlyReport, type OpenVisitRow, type ParticipantReportRow, type ReportFigures, type ReportFile, type ReportFormat, type ReportLanguage,
  type ReportMonth, type VenueBreakdown, type WeekdayFigures,
} from '../../shared/contract/reports';
import type { VenueMode } from '../../shared/api';
import { KlivError } from '../../shared/errors';
import { addDays, isoWeekday, localTimeOf, startOfLocalDay } from '../../shared/time';
import { openCentralDatabase } from '../db/central/database';
import { REPORT_VIEW, type ReportVisitRow } from '../db/reportView';
import { weekdayBit } from '../db/schedules';
import { audit } from './audit';
import { renderReport } from './report-formats';
import type { ServiceContext } from './context';
import { actorName, type Actor } from './staff';
import { requireVenue } from './venue';

/**
 * The dates of a month a participant was scheduled for, or null when they
 * have no schedule. Structured venues plug their schedules in here.
 */
export type ScheduledDaysFor = (participantCode: string, month: ReportMonth) => readonly string[] | null;

/** Someone who may be scheduled without having come at all this month. */
export interface ScheduleCandidate { code: string; displayName: string | null; mode: VenueMode; enrolledAt: number }

export interface MonthlyAttendanceOptions {
  scope: 'venue' | 'central';
  /** When the report is made (injected clock). */
  createdAt: number;
  /** The venue, for venue reports. */
  venue?: { venueId: string; name: string; mode: VenueMode; timeZone: string } | null;
  /** Zone the created-at time is shown in; defaults to the venue's, else Europe/Stockholm. */
  timeZone?: string;
  scheduledDaysFor?: ScheduledDaysFor | null;
  /** Participants to ask scheduledDaysFor about even if they did not come (venue reports). */
  scheduleCandidates?: readonly ScheduleCandidate[];
}

/**
 * How far before the previous month the report looks for visits that reach
 * into it. Kliv closes visits on their own day (auto-close at day
 * confirmation, manual check-out times are on the visit's day), so only a
 * visit typed in by hand with a check-out weeks later could be longer.
 */
export const LOOKBACK_DAYS = 31;
const HOUR = 3_600_000;
/** The widest UTC offset: a local midnight is at most this far before UTC midnight. */
const MAX_OFFSET = 14 * HOUR;

const hoursOf = (ms: number): number => Math.round(ms / 36_000) / 100;
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Local midnights of one zone, cached: the report asks for the same ~100 days thousands of times. */
class ZoneCalendar {
  private readonly starts = new Map<string, number>();
  private readonly nextDays = new Map<string, string>();
  constructor(readonly timeZone: string) {}
  next(day: string): string {
    let n = this.nextDays.get(day);
    if (n === undefined) {
      n = addDays(day, 1);
      this.nextDays.set(day, n);
    }
    return n;
  }
  start(day: string): number {
    let at = this.starts.get(day);
    if (at === undefined) {
      at = startOfLocalDay(day, this.timeZone);
      this.starts.set(day, at);
    }
    return at;
  }

  /**
   * Calls `emit(day, ms)` for each local day the interval [from, to) covers,
   * starting the search at `day` (the visit's check-in day).
   */
  split(day: string, from: number, to: number, emit: (day: string, ms: number) => void): void {
    let d = day;
    let next = this.next(d);
    let nextStart = this.start(next);
    // An interval starting after its check-in day (a late check) begins on a later day.
    for (let guard = 0; from >= nextStart && guard < 400; guard++) {
      d = next;
      next = this.next(d);
      nextStart = this.start(next);
    }
    let s = from;
    for (let guard = 0; guard < 400; guard++) {
      if (to <= nextStart) {
        if (to > s) emit(d, to - s);
        return;
      }
      if (nextStart > s) emit(d, nextStart - s);
      s = Math.max(s, nextStart);
      d = next;
      next = this.next(d);
      nextStart = this.start(next);
    }
  }
}

/**
 * One visit as the report reads it: the view's columns it needs, fetched as
 * arrays rather than objects (a month and its predecessor are ~17,000 rows on
 * a busy venue; building objects for them cost a third of the report's time).
 */
const COLUMNS = [
  'venue_id', 'participant_code', 'display_name', 'participant_mode', 'enrolled_at', 'day', 'checked_in_at', 'checked_out_at',
  'source', 'auto_closed', 'corrected', 'check_outcome', 'check_at', 'time_zone',
] as const satisfies readonly (keyof ReportVisitRow)[];
type Col = (typeof COLUMNS)[number];
const C = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as { [K in Col]: number };
/** One row in COLUMNS order; read it with at(row, column). */
export type ReportRow = readonly unknown[];
const at = <K extends Col>(row: ReportRow, col: K): ReportVisitRow[K] => row[C[col]] as ReportVisitRow[K];

/** Local midnights never change while the process runs, so every report shares one calendar per zone. */
const sharedCalendars = new Map<string, ZoneCalendar>();

function calendarOf(calendars: Map<string, ZoneCalendar>, timeZone: string): ZoneCalendar {
  let cal = calendars.get(timeZone);
  if (!cal) {
    cal = sharedCalendars.get(timeZone) ?? new ZoneCalendar(timeZone);
    if (sharedCalendars.size < 64) sharedCalendars.set(timeZone, cal);
    calendars.set(timeZone, cal);
  }
  return cal;
}

interface PersonAcc {
  code: string;
  displayName: string | null;
  mode: VenueMode;
  enrolledAt: number;
  enrolledZone: string;
  venues: Set<string>;
  days: Set<string>;
  visits: number;
  open: number;
  ms: number;
  soberMs: number;
  ready: number;
  notToday: number;
  noCheck: number;
  corrected: number;
  autoClosed: number;
  manual: number;
}

interface DayAcc { people: Set<string>; visits: number; ms: number; soberMs: number }

interface MonthAcc {
  month: ReportMonth;
  first: string;
  last: string;
  people: Map<string, PersonAcc>;
  days: Map<string, DayAcc>;
  open: OpenVisitRow[];
  visits: number;
  ready: number;
  notToday: number;
  noCheck: number;
  corrected: number;
  autoClosed: number;
  manual: number;
}

function newMonth(month: ReportMonth): MonthAcc {
  const { first, last } = monthDays(month);
  return { month, first, last, people: new Map(), days: new Map(), open: [], visits: 0, ready: 0, notToday: 0, noCheck: 0, corrected: 0, autoClosed: 0, manual: 0 };
}

function personOf(acc: MonthAcc, row: ReportRow, central: boolean): PersonAcc {
  const code = at(row, 'participant_code');
  let p = acc.people.get(code);
  if (!p) {
    p = {
      code, displayName: central ? null : at(row, 'display_name'), mode: at(row, 'participant_mode') === 'structured' ? 'structured' : 'dropin',
      enrolledAt: at(row, 'enrolled_at'), enrolledZone: at(row, 'time_zone'), venues: new Set(), days: new Set(), visits: 0, open: 0, ms: 0, soberMs: 0,
      ready: 0, notToday: 0, noCheck: 0, corrected: 0, autoClosed: 0, manual: 0,
    };
    acc.people.set(code, p);
  } else if (at(row, 'enrolled_at') < p.enrolledAt) {
    // Central: the same code enrolled at several venues is new from its first enrolment.
    p.enrolledAt = at(row, 'enrolled_at');
    p.enrolledZone = at(row, 'time_zone');
  }
  p.venues.add(at(row, 'venue_id'));
  return p;
}

function dayOf(acc: MonthAcc, day: string): DayAcc {
  let d = acc.days.get(day);
  if (!d) {
    d = { people: new Set(), visits: 0, ms: 0, soberMs: 0 };
    acc.days.set(day, d);
  }
  return d;
}

const inMonth = (acc: MonthAcc, day: string): boolean => day >= acc.first && day <= acc.last;

/** Folds one visit into whichever of the months it touches. */
function addVisit(months: MonthAcc[], row: ReportRow, calendars: Map<string, ZoneCalendar>, central: boolean): void {
  const zone = at(row, 'time_zone');
  const cal = calendarOf(calendars, zone);
  const code = at(row, 'participant_code');
  const day = at(row, 'day');
  const checkedIn = at(row, 'checked_in_at');
  const out = at(row, 'checked_out_at');
  const outcome = at(row, 'check_outcome');
  const startMonth = months.find((m) => inMonth(m, day));
  if (startMonth) {
    const p = personOf(startMonth, row, central);
    const d = dayOf(startMonth, day);
    startMonth.visits++;
    p.visits++;
    d.visits++;
    d.people.add(code);
    p.days.add(day);
    const check = outcome === 'ready' ? 'ready' : outcome === 'not_today' ? 'notToday' : 'noCheck';
    startMonth[check]++;
    p[check]++;
    if (at(row, 'corrected')) { startMonth.corrected++; p.corrected++; }
    if (at(row, 'auto_closed')) { startMonth.autoClosed++; p.autoClosed++; }
    const source = at(row, 'source');
    if (source === 'manual' || source === 'paper') { startMonth.manual++; p.manual++; }
    if (out === null) {
      startMonth.open.push({
        venueId: at(row, 'venue_id'), code, displayName: central ? null : at(row, 'display_name'), day,
        checkedInAt: checkedIn, checkedInLocal: localTimeOf(checkedIn, zone),
      });
      p.open++;
    }
  }
  if (out === null) return;
  cal.split(day, checkedIn, out, (segmentDay, ms) => {
    const m = months.find((x) => inMonth(x, segmentDay));
    if (!m) return;
    const p = personOf(m, row, central);
    const d = dayOf(m, segmentDay);
    p.ms += ms;
    p.days.add(segmentDay);
    d.ms += ms;
    d.people.add(code);
  });
  const checkAt = at(row, 'check_at');
  if (outcome === 'ready' && checkAt !== null) {
    const from = Math.max(checkAt, checkedIn);
    if (from < out) {
      cal.split(day, from, out, (segmentDay, ms) => {
        const m = months.find((x) => inMonth(x, segmentDay));
        if (!m) return;
        personOf(m, row, central).soberMs += ms;
        dayOf(m, segmentDay).soberMs += ms;
      });
    }
  }
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface ScheduleFacts { scheduled: number; attended: number }

function figuresOf(acc: MonthAcc, calendars: Map<string, ZoneCalendar>, schedules: Map<string, ScheduleFacts> | null): ReportFigures {
  const people = [...acc.people.values()];
  const present = people.filter((p) => p.days.size > 0);
  const totalMs = present.reduce((s, p) => s + p.ms, 0);
  const soberMs = present.reduce((s, p) => s + p.soberMs, 0);
  const nextFirst = addDays(acc.last, 1);
  const isNew = (p: PersonAcc): boolean => {
    const cal = calendarOf(calendars, p.enrolledZone);
    return p.enrolledAt >= cal.start(acc.first) && p.enrolledAt < cal.start(nextFirst);
  };
  let scheduled: number | null = null;
  let attended: number | null = null;
  if (schedules && schedules.size > 0) {
    scheduled = 0;
    attended = 0;
    for (const s of schedules.values()) {
      scheduled += s.scheduled;
      attended += s.attended;
    }
  }
  return {
    participants: present.length,
    newParticipants: present.filter(isNew).length,
    visits: acc.visits,
    openVisits: acc.open.length,
    daysWithAttendance: [...acc.days.values()].filter((d) => d.people.size > 0).length,
    hours: hoursOf(totalMs),
    soberHours: hoursOf(soberMs),
    meanHoursPerParticipant: present.length === 0 ? 0 : hoursOf(totalMs / present.length),
    medianHoursPerParticipant: hoursOf(median(present.map((p) => p.ms))),
    checksReady: acc.ready,
    checksNotToday: acc.notToday,
    visitsWithoutCheck: acc.noCheck,
    correctedVisits: acc.corrected,
    autoClosedVisits: acc.autoClosed,
    manualVisits: acc.manual,
    scheduledDays: scheduled,
    scheduledDaysAttended: attended,
    attendanceRate: scheduled ? round4((attended ?? 0) / scheduled) : null,
  };
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

function perDayOf(acc: MonthAcc): DayFigures[] {
  const out: DayFigures[] = [];
  for (let day = acc.first; day <= acc.last; day = addDays(day, 1)) {
    const d = acc.days.get(day);
    out.push({ day, weekday: isoWeekday(day), participants: d?.people.size ?? 0, visits: d?.visits ?? 0, hours: hoursOf(d?.ms ?? 0), soberHours: hoursOf(d?.soberMs ?? 0) });
  }
  return out;
}

function perWeekdayOf(acc: MonthAcc): WeekdayFigures[] {
  const rows = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, days: 0, participantDays: 0, visits: 0, ms: 0, soberMs: 0 }));
  for (let day = acc.first; day <= acc.last; day = addDays(day, 1)) {
    const r = rows[isoWeekday(day) - 1] as (typeof rows)[number];
    const d = acc.days.get(day);
    r.days++;
    r.participantDays += d?.people.size ?? 0;
    r.visits += d?.visits ?? 0;
    r.ms += d?.ms ?? 0;
    r.soberMs += d?.soberMs ?? 0;
  }
  return rows.map((r) => ({
    weekday: r.weekday, days: r.days, participantDays: r.participantDays, meanParticipants: r.days === 0 ? 0 : round2(r.participantDays / r.days),
    visits: r.visits, hours: hoursOf(r.ms), soberHours: hoursOf(r.soberMs),
  }));
}

function participantRows(acc: MonthAcc, calendars: Map<string, ZoneCalendar>, schedules: Map<string, ScheduleFacts>, central: boolean): ParticipantReportRow[] {
  const nextFirst = addDays(acc.last, 1);
  const rows = [...acc.people.values()].map((p): ParticipantReportRow => {
    const days = [...p.days].filter((d) => inMonth(acc, d)).sort();
    const cal = calendarOf(calendars, p.enrolledZone);
    const s = schedules.get(p.code);
    return {
      code: p.code,
      displayName: central ? null : p.displayName,
      mode: p.mode,
      venues: [...p.venues].sort(),
      newThisMonth: p.enrolledAt >= cal.start(acc.first) && p.enrolledAt < cal.start(nextFirst),
      daysAttended: days.length,
      visits: p.visits,
      openVisits: p.open,
      hours: hoursOf(p.ms),
      soberHours: hoursOf(p.soberMs),
      checksReady: p.ready,
      checksNotToday: p.notToday,
      visitsWithoutCheck: p.noCheck,
      scheduledDays: s ? s.scheduled : null,
      scheduledDaysAttended: s ? s.attended : null,
      attendanceRate: s && s.scheduled > 0 ? round4(s.attended / s.scheduled) : null,
      firstVisit: days[0] ?? null,
      lastVisit: days[days.length - 1] ?? null,
      flags: { corrected: p.corrected, autoClosed: p.autoClosed, manual: p.manual },
    };
  });
  const collator = new Intl.Collator('sv', { sensitivity: 'base', numeric: true });
  return rows.sort((a, b) => (central ? 0 : collator.compare(a.displayName ?? '', b.displayName ?? '')) || collator.compare(a.code, b.code));
}

/** Scheduled and attended scheduled days per structured participant of the month. */
function scheduleFacts(acc: MonthAcc, options: MonthlyAttendanceOptions, central: boolean): Map<string, ScheduleFacts> {
  const facts = new Map<string, ScheduleFacts>();
  const lookup = options.scheduledDaysFor;
  if (!lookup) return facts;
  for (const c of options.scheduleCandidates ?? []) {
    if (c.mode !== 'structured' || acc.people.has(c.code)) continue;
    const dates = lookup(c.code, acc.month);
    if (!dates || !dates.some((d) => inMonth(acc, d))) continue;
    // Scheduled but never came: listed with nothing attended.
    acc.people.set(c.code, {
      code: c.code, displayName: central ? null : c.displayName, mode: c.mode, enrolledAt: c.enrolledAt, enrolledZone: options.venue?.timeZone ?? 'Europe/Stockholm',
      venues: new Set(options.venue ? [options.venue.venueId] : []), days: new Set(), visits: 0, open: 0, ms: 0, soberMs: 0,
      ready: 0, notToday: 0, noCheck: 0, corrected: 0, autoClosed: 0, manual: 0,
    });
  }
  for (const p of acc.people.values()) {
    if (p.mode !== 'structured') continue;
    const dates = lookup(p.code, acc.month);
    if (!dates) continue;
    const scheduled = [...new Set(dates.filter((d) => inMonth(acc, d)))];
    facts.set(p.code, { scheduled: scheduled.length, attended: scheduled.filter((d) => p.days.has(d)).length });
  }
  return facts;
}

const SELECT_ROWS = (central: boolean): string => `
  SELECT ${COLUMNS.map((c) => (central && c === 'display_name' ? 'NULL AS display_name' : c)).join(', ')}
  FROM ${REPORT_VIEW}
  WHERE day BETWEEN @lookFrom AND @to AND (day >= @from OR checked_out_at >= @reach)`;

/** The visits of a month and the month before it, with those reaching into them from earlier days. */
export function reportRows(db: Database, month: ReportMonth, central: boolean): ReportRow[] {
  const prev = monthDays(shiftMonth(month, -1));
  const cur = monthDays(month);
  const reach = Date.parse(`${prev.first}T00:00:00Z`) - MAX_OFFSET;
  return db.prepare(SELECT_ROWS(central)).raw(true)
    .all({ lookFrom: addDays(prev.first, -LOOKBACK_DAYS), from: prev.first, to: cur.last, reach }) as ReportRow[];
}

function hasReportView(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type IN ('view', 'table') AND name = ?").get(REPORT_VIEW) !== undefined;
}

/** The monthly attendance report of a venue database or (scope 'central') the municipality's collected one. */
export function monthlyAttendance(db: Database, month: ReportMonth, options: MonthlyAttendanceOptions): MonthlyReport {
  if (!hasReportView(db)) throw new KlivError('NOT_FOUND', `This database has no ${REPORT_VIEW} view: it is not a Kliv venue or central database, or it is too old.`);
  const central = options.scope === 'central';
  const rows = reportRows(db, month, central);
  const previousMonth = shiftMonth(month, -1);
  const calendars = new Map<string, ZoneCalendar>();
  const cur = newMonth(month);
  const prev = newMonth(previousMonth);
  for (const row of rows) addVisit([cur, prev], row, calendars, central);
  const curSchedules = scheduleFacts(cur, options, central);
  const prevSchedules = scheduleFacts(prev, options, central);

  let perVenue: VenueBreakdown[] = [];
  if (central) {
    const byVenue = new Map<string, ReportRow[]>();
    for (const row of rows) {
      const list = byVenue.get(at(row, 'venue_id')) ?? [];
      list.push(row);
      byVenue.set(at(row, 'venue_id'), list);
    }
    perVenue = [...byVenue.entries()].map(([venueId, venueRows]) => {
      const c = newMonth(month);
      const p = newMonth(previousMonth);
      for (const row of venueRows) addVisit([c, p], row, calendars, true);
      return { venueId, timeZone: venueRows[0] ? at(venueRows[0], 'time_zone') : '', summary: figuresOf(c, calendars, null), previous: figuresOf(p, calendars, null) };
    }).filter((v) => v.summary.participants > 0 || v.previous.participants > 0)
      .sort((a, b) => a.venueId.localeCompare(b.venueId));
  }

  const { first, last } = monthDays(month);
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    scope: options.scope,
    month,
    from: first,
    to: last,
    previousMonth,
    createdAt: options.createdAt,
    timeZone: options.timeZone ?? options.venue?.timeZone ?? 'Europe/Stockholm',
    venue: central ? null : (options.venue ?? null),
    summary: figuresOf(cur, calendars, curSchedules),
    previous: figuresOf(prev, calendars, prevSchedules),
    perDay: perDayOf(cur),
    perWeekday: perWeekdayOf(cur),
    previousPerWeekday: perWeekdayOf(prev),
    participants: participantRows(cur, calendars, curSchedules, central),
    openVisits: cur.open.sort((a, b) => a.checkedInAt - b.checkedInAt),
    perVenue,
  };
}

// ---- venue and central entry points ----------------------------------------

/**
 * The schedules of structured participants (the schedules feature's table,
 * same rules as scheduledDaysInMonth in ./schedules: a schedule applies on
 * its weekdays from valid_from to valid_to), as the report's hook. One query
 * per month for everyone instead of one per person: the report asks for
 * hundreds. No scheduled day in the month means "no schedule" (null), so
 * people without one show no attendance rate rather than 0 of 0.
 */
export function venueScheduledDays(db: Database): ScheduledDaysFor {
  const byMonth = new Map<string, Map<string, string[]>>();
  const query = db.prepare(`SELECT p.code AS code, s.days AS mask, s.valid_from AS validFrom, s.valid_to AS validTo
    FROM schedules s JOIN participants p ON p.id = s.participant_id
    WHERE s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to >= ?)`);
  return (code, month) => {
    let map = byMonth.get(month);
    if (!map) {
      map = new Map();
      const { first, last } = monthDays(month);
      const dates: [string, number][] = [];
      for (let d = first; d <= last; d = addDays(d, 1)) dates.push([d, weekdayBit(d)]);
      for (const row of query.all(last, first) as { code: string; mask: number; validFrom: string; validTo: string | null }[]) {
        const list = map.get(row.code) ?? [];
        for (const [d, bit] of dates) {
          if ((row.mask & bit) !== 0 && row.validFrom <= d && (row.validTo === null || row.validTo >= d)) list.push(d);
        }
        map.set(row.code, list);
      }
      for (const [c, list] of map) map.set(c, [...new Set(list)].sort());
      byMonth.set(month, map);
    }
    const days = map.get(code);
    return days && days.length > 0 ? days : null;
  };
}

function scheduleCandidates(ctx: ServiceContext): ScheduleCandidate[] {
  return (ctx.db.prepare("SELECT code, display_name AS displayName, mode, created_at AS enrolledAt FROM participants WHERE mode = 'structured' AND active = 1")
    .all() as ScheduleCandidate[]);
}

/** The venue's own report for the screen and its files; reading it is audited. */
export function venueMonthlyReport(ctx: ServiceContext, actor: Actor, month: ReportMonth, purpose: 'screen' | 'csv' | 'xlsx' | 'pdf' | 'json' = 'screen'): MonthlyReport {
  const venue = requireVenue(ctx);
  const scheduledDaysFor = venueScheduledDays(ctx.db);
  const report = monthlyAttendance(ctx.db, month, {
    scope: 'venue',
    createdAt: ctx.clock.now(),
    venue: { venueId: venue.venueId, name: venue.name, mode: venue.mode, timeZone: venue.timeZone },
    scheduledDaysFor,
    scheduleCandidates: scheduleCandidates(ctx),
  });
  audit(ctx, { actor: actorName(actor), action: 'read.report', subject: `report:${month}`, detail: { month, purpose, participants: report.participants.length } });
  return report;
}

/** The municipality's report across venues from its collected database (read only; codes only). */
export function centralMonthlyReport(file: string, month: ReportMonth, options: { createdAt: number; timeZone?: string }): MonthlyReport {
  const db = openCentralDatabase(file, { readonly: true });
  try {
    return monthlyAttendance(db, month, { scope: 'central', createdAt: options.createdAt, timeZone: options.timeZone ?? 'Europe/Stockholm' });
  } finally {
    db.close();
  }
}

/** The venue's report as a file for download (the read is audited with the format). */
export async function exportVenueReport(ctx: ServiceContext, actor: Actor, month: ReportMonth, format: ReportFormat, language: ReportLanguage = 'sv'): Promise<ReportFile> {
  const report = venueMonthlyReport(ctx, actor, month, format);
  const file = await renderReport(report, format, language);
  return { filename: file.filename, mime: file.mime, base64: file.data.toString('base64') };
}
