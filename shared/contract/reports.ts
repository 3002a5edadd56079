/**
 * Monthly attendance reports: the report's JSON shape (what `reports.monthly`
 * returns and `kliv report --format json` writes) and the export of the same
 * report as a CSV, XLSX or PDF file. The JSON is a format others depend on:
 * bump REPORT_FORMAT_VERSION when a field changes meaning or goes away.
 *
 * Hours are decimal hours rounded to 2 places, each figure rounded on its own
 * from exact milliseconds (so a column of rounded rows may differ from its
 * rounded total by 0.01). Days are calendar dates in the venue's time zone.
 */
import { z } from 'zod';
import { localDate, localTime, method, venueMode } from './common';

export const REPORT_FORMAT_VERSION = 1;

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const reportMonth = z.string().regex(MONTH_RE, 'expected a month YYYY-MM');
export type ReportMonth = string;

export function isReportMonth(value: string): boolean {
  return MONTH_RE.test(value);
}

/** The month before (`delta` = -1) or after (+1) a YYYY-MM month. */
export function shiftMonth(month: ReportMonth, delta: number): ReportMonth {
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(`bad month ${month}`);
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + delta;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** First and last calendar date of a month. */
export function monthDays(month: ReportMonth): { first: string; last: string; count: number } {
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(`bad month ${month}`);
  const count = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(count).padStart(2, '0')}`, count };
}

const count = z.number().int().nonnegative();
const hours = z.number().nonnegative();
const rate = z.number().min(0).max(1);
const weekday = z.number().int().min(1).max(7);

/** The month's figures; `previous` in the report holds the same for the month before. */
export const reportFigures = z.object({
  /** People present at least once (checked in, or on site past midnight into the month). */
  participants: count,
  /** Of them, enrolled during the month. */
  newParticipants: count,
  /** Check-ins during the month (a visit counts on the day it began). */
  visits: count,
  /** Visits still open: listed, never counted as hours. */
  openVisits: count,
  /** Days on which anyone was on site. */
  daysWithAttendance: count,
  hours,
  /** The headline: hours on site after a "ready" (sober and able to work) check, until check-out. */
  soberHours: hours,
  meanHoursPerParticipant: hours,
  medianHoursPerParticipant: hours,
  checksReady: count,
  checksNotToday: count,
  visitsWithoutCheck: count,
  correctedVisits: count,
  autoClosedVisits: count,
  /** Entered by staff (manual) or from a paper list. */
  manualVisits: count,
  /** Structured participants with schedule data only; null when there is none. */
  scheduledDays: count.nullable(),
  scheduledDaysAttended: count.nullable(),
  attendanceRate: rate.nullable(),
});
export type ReportFigures = z.infer<typeof reportFigures>;

export const dayFigures = z.object({
  day: localDate,
  weekday,
  participants: count,
  visits: count,
  hours,
  soberHours: hours,
});
export type DayFigures = z.infer<typeof dayFigures>;

export const weekdayFigures = z.object({
  weekday,
  /** How many of this weekday the month has. */
  days: count,
  /** Participants present summed over those days. */
  participantDays: count,
  /** participantDays / days: comparable between months with four or five of a weekday. */
  meanParticipants: z.number().nonnegative(),
  visits: count,
  hours,
  soberHours: hours,
});
export type WeekdayFigures = z.infer<typeof weekdayFigures>;

export const participantReportRow = z.object({
  code: z.string(),
  /** On screen and in the venue's own files only; always null in central reports. */
  displayName: z.string().nullable(),
  mode: venueMode,
  /** Venues attended (central reports; the one venue otherwise). */
  venues: z.array(z.string()),
  newThisMonth: z.boolean(),
  daysAttended: count,
  visits: count,
  openVisits: count,
  hours,
  soberHours: hours,
  checksReady: count,
  checksNotToday: count,
  visitsWithoutCheck: count,
  scheduledDays: count.nullable(),
  scheduledDaysAttended: count.nullable(),
  attendanceRate: rate.nullable(),
  firstVisit: localDate.nullable(),
  lastVisit: localDate.nullable(),
  /** How many of the person's visits this month were corrected, auto-closed, or entered by hand. */
  flags: z.object({ corrected: count, autoClosed: count, manual: count }),
});
export type ParticipantReportRow = z.infer<typeof participantReportRow>;

export const openVisitRow = z.object({
  venueId: z.string(),
  code: z.string(),
  displayName: z.string().nullable(),
  day: localDate,
  checkedInAt: z.number(),
  checkedInLocal: localTime,
});
export type OpenVisitRow = z.infer<typeof openVisitRow>;

export const venueBreakdown = z.object({
  venueId: z.string(),
  timeZone: z.string(),
  summary: reportFigures,
  previous: reportFigures,
});
export type VenueBreakdown = z.infer<typeof venueBreakdown>;

export const monthlyReport = z.object({
  formatVersion: z.literal(REPORT_FORMAT_VERSION),
  /** 'venue': one kiosk's own database; 'central': the municipality's collected database (codes only). */
  scope: z.enum(['venue', 'central']),
  month: reportMonth,
  from: localDate,
  to: localDate,
  previousMonth: reportMonth,
  createdAt: z.number(),
  /** The zone the created-at time is shown in (the venue's, or the municipality's for central reports). */
  timeZone: z.string(),
  /** The venue (venue reports); null in central reports, which list venues in perVenue. */
  venue: z.object({ venueId: z.string(), name: z.string(), mode: venueMode, timeZone: z.string() }).nullable(),
  summary: reportFigures,
  previous: reportFigures,
  perDay: z.array(dayFigures),
  perWeekday: z.array(weekdayFigures),
  previousPerWeekday: z.array(weekdayFigures),
  participants: z.array(participantReportRow),
  openVisits: z.array(openVisitRow),
  /** Central reports: each venue's figures. Empty in venue reports. */
  perVenue: z.array(venueBreakdown),
});
export type MonthlyReport = z.infer<typeof monthlyReport>;

export const reportFormat = z.enum(['csv', 'xlsx', 'pdf']);
export type ReportFormat = z.infer<typeof reportFormat>;
export const reportLanguage = z.enum(['sv', 'en']);
export type ReportLanguage = z.infer<typeof reportLanguage>;

export const reportFile = z.object({
  filename: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/),
  mime: z.string(),
  /** The file's bytes, base64: both transports carry JSON. */
  base64: z.string(),
});
export type ReportFile = z.infer<typeof reportFile>;

export const reportMethods = {
  'reports.monthly': method('coordinator', z.object({ month: reportMonth }).strict(), monthlyReport),
  'reports.export': method('coordinator', z.object({ month: reportMonth, format: reportFormat, language: reportLanguage.optional() }).strict(), reportFile),
} as const;
