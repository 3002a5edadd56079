/**
 * Words and number formats the report files share. Files are written in the
 * coordinator's language (Swedish by default); the renderer's catalogue is
 * not reachable from here (services run without the UI), so the few words a
 * file needs live in this table.
 */
import type { MonthlyReport, ReportFigures, ReportFormat, ReportLanguage } from '../../../shared/contract/reports';
import { localDateOf, localTimeOf } from '../../../shared/time';

export const LABELS = {
  sv: {
    title: 'Närvarorapport',
    titleCentral: 'Närvarorapport – alla verksamheter',
    venue: 'Verksamhet',
    venues: 'Verksamheter',
    period: 'Period',
    created: 'Skapad',
    page: 'Sida {n} av {total}',
    headline: 'Nyktra timmar',
    headlineNote: 'Timmar på plats efter kontrollen ”Nykter och arbetsför”, fram till utcheckning.',
    previousMonth: 'Föregående månad',
    previousInParens: 'Föregående månad inom parentes.',
    change: 'Förändring',
    figure: 'Nyckeltal',
    summarySheet: 'Sammanfattning',
    participantsSheet: 'Deltagare',
    perDaySheet: 'Per dag',
    venuesSheet: 'Verksamheter',
    openSheet: 'Öppna besök',
    perDayChart: 'Timmar på plats per dag',
    perDayChartSober: 'Nyktra timmar',
    perDayChartOther: 'Övriga timmar på plats',
    perWeekdayChart: 'Deltagare per dag, snitt per veckodag',
    thisMonth: 'Denna månad',
    weekday: 'Veckodag',
    date: 'Datum',
    openVisits: 'Öppna besök (räknas inte som timmar)',
    checkedIn: 'Incheckad',
    none: 'Inga besök denna månad.',
    flagsLegend: 'Flaggor: K = korrigerat, A = autostängt, M = manuellt eller från papperslista (antal besök).',
    centralNote: 'Endast koder – inga namn lämnar verksamheterna.',
    yes: 'ja',
    no: 'nej',
    modeStructured: 'strukturerad',
    modeDropin: 'drop-in',
    weekdays: ['mån', 'tis', 'ons', 'tor', 'fre', 'lör', 'sön'],
    weekdaysLong: ['måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'],
    col: {
      code: 'Kod',
      name: 'Namn',
      venues: 'Verksamheter',
      mode: 'Form',
      newThisMonth: 'Ny denna månad',
      daysAttended: 'Dagar',
      visits: 'Besök',
      openVisits: 'Öppna besök',
      hours: 'Timmar på plats',
      soberHours: 'Nyktra timmar',
      checksReady: 'Nykter och arbetsför',
      checksNotToday: 'Inte idag',
      visitsWithoutCheck: 'Utan kontroll',
      scheduledDays: 'Schemalagda dagar',
      scheduledDaysAttended: 'Närvarande schemalagda dagar',
      attendanceRate: 'Närvaro enligt schema',
      attendanceRatePercent: 'Närvaro enligt schema (%)',
      firstVisit: 'Första besök',
      lastVisit: 'Senaste besök',
      corrected: 'Korrigerade besök',
      autoClosed: 'Autostängda besök',
      manual: 'Manuella besök',
      flags: 'Flaggor',
      schedule: 'Schema',
      participants: 'Deltagare',
      meanParticipants: 'Snitt deltagare per dag',
    },
    fig: {
      participants: 'Unika deltagare',
      newParticipants: 'Nya denna månad',
      visits: 'Besök',
      openVisits: 'Öppna besök',
      daysWithAttendance: 'Dagar med besök',
      hours: 'Timmar på plats',
      soberHours: 'Nyktra timmar',
      meanHoursPerParticipant: 'Timmar per deltagare, medel',
      medianHoursPerParticipant: 'Timmar per deltagare, median',
      checksReady: 'Kontroller: nykter och arbetsför',
      checksNotToday: 'Kontroller: inte idag',
      visitsWithoutCheck: 'Besök utan kontroll',
      correctedVisits: 'Korrigerade besök',
      autoClosedVisits: 'Autostängda besök',
      manualVisits: 'Manuella besök',
      scheduledDays: 'Schemalagda dagar',
      scheduledDaysAttended: 'Närvarande schemalagda dagar',
      attendanceRate: 'Närvaro enligt schema',
    } satisfies Record<keyof ReportFigures, string>,
  },
  en: {
    title: 'Attendance report',
    titleCentral: 'Attendance report – all venues',
    venue: 'Venue',
    venues: 'Venues',
    period: 'Period',
    created: 'Created',
    page: 'Page {n} of {total}',
    headline: 'Sober hours',
    headlineNote: 'Hours on site after a “sober and able to work” check, until check-out.',
    previousMonth: 'Previous month',
    previousInParens: 'Previous month in brackets.',
    change: 'Change',
    figure: 'Figure',
    summarySheet: 'Summary',
    participantsSheet: 'Participants',
    perDaySheet: 'Per day',
    venuesSheet: 'Venues',
    openSheet: 'Open visits',
    perDayChart: 'Hours on site per day',
    perDayChartSober: 'Sober hours',
    perDayChartOther: 'Other hours on site',
    perWeekdayChart: 'Participants per day, mean by weekday',
    thisMonth: 'This month',
    weekday: 'Weekday',
    date: 'Date',
    openVisits: 'Open visits (not counted as hours)',
    checkedIn: 'Checked in',
    none: 'No visits this month.',
    flagsLegend: 'Flags: C = corrected, A = auto-closed, M = entered by hand or from a paper list (number of visits).',
    centralNote: 'Codes only – no names leave the venues.',
    yes: 'yes',
    no: 'no',
    modeStructured: 'structured',
    modeDropin: 'drop-in',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    weekdaysLong: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    col: {
      code: 'Code',
      name: 'Name',
      venues: 'Venues',
      mode: 'Mode',
      newThisMonth: 'New this month',
      daysAttended: 'Days',
      visits: 'Visits',
      openVisits: 'Open visits',
      hours: 'Hours on site',
      soberHours: 'Sober hours',
      checksReady: 'Sober and able to work',
      checksNotToday: 'Not today',
      visitsWithoutCheck: 'No check',
      scheduledDays: 'Scheduled days',
      scheduledDaysAttended: 'Scheduled days attended',
      attendanceRate: 'Schedule attendance',
      attendanceRatePercent: 'Schedule attendance (%)',
      firstVisit: 'First visit',
      lastVisit: 'Last visit',
      corrected: 'Corrected visits',
      autoClosed: 'Auto-closed visits',
      manual: 'Manual visits',
      flags: 'Flags',
      schedule: 'Schedule',
      participants: 'Participants',
      meanParticipants: 'Mean participants per day',
    },
    fig: {
      participants: 'Unique participants',
      newParticipants: 'New this month',
      visits: 'Visits',
      openVisits: 'Open visits',
      daysWithAttendance: 'Days with visits',
      hours: 'Hours on site',
      soberHours: 'Sober hours',
      meanHoursPerParticipant: 'Hours per participant, mean',
      medianHoursPerParticipant: 'Hours per participant, median',
      checksReady: 'Checks: sober and able to work',
      checksNotToday: 'Checks: not today',
      visitsWithoutCheck: 'Visits without a check',
      correctedVisits: 'Corrected visits',
      autoClosedVisits: 'Auto-closed visits',
      manualVisits: 'Manual visits',
      scheduledDays: 'Scheduled days',
      scheduledDaysAttended: 'Scheduled days attended',
      attendanceRate: 'Schedule attendance',
    } satisfies Record<keyof ReportFigures, string>,
  },
} as const;

export type Labels = (typeof LABELS)[ReportLanguage];

export function labelsFor(language: ReportLanguage = 'sv'): Labels {
  return LABELS[language];
}

export const localeOf = (language: ReportLanguage): string => (language === 'sv' ? 'sv-SE' : 'en-GB');

/** "mars 2026" */
export function monthName(month: string, language: ReportLanguage): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(localeOf(language), { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(Date.UTC(y, m - 1, 1));
}

/** The figures in the order the summary shows them; hours are decimals, the rate a fraction. */
export const FIGURE_ORDER: { key: keyof ReportFigures; kind: 'count' | 'hours' | 'rate' }[] = [
  { key: 'soberHours', kind: 'hours' },
  { key: 'participants', kind: 'count' },
  { key: 'newParticipants', kind: 'count' },
  { key: 'visits', kind: 'count' },
  { key: 'daysWithAttendance', kind: 'count' },
  { key: 'hours', kind: 'hours' },
  { key: 'meanHoursPerParticipant', kind: 'hours' },
  { key: 'medianHoursPerParticipant', kind: 'hours' },
  { key: 'checksReady', kind: 'count' },
  { key: 'checksNotToday', kind: 'count' },
  { key: 'visitsWithoutCheck', kind: 'count' },
  { key: 'openVisits', kind: 'count' },
  { key: 'correctedVisits', kind: 'count' },
  { key: 'autoClosedVisits', kind: 'count' },
  { key: 'manualVisits', kind: 'count' },
  { key: 'scheduledDays', kind: 'count' },
  { key: 'scheduledDaysAttended', kind: 'count' },
  { key: 'attendanceRate', kind: 'rate' },
];

/** Figures that are null for this report (no schedules) are left out of every format. */
export function shownFigures(report: MonthlyReport): typeof FIGURE_ORDER {
  return FIGURE_ORDER.filter((f) => report.summary[f.key] !== null || report.previous[f.key] !== null);
}

/** "12,5" / "12.5": a number as a reader of the language writes it. */
export function formatNumber(value: number, language: ReportLanguage, decimals = 0): string {
  return new Intl.NumberFormat(localeOf(language), { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}

export function formatFigure(value: number | null, kind: 'count' | 'hours' | 'rate', language: ReportLanguage): string {
  if (value === null) return '–';
  if (kind === 'rate') return `${formatNumber(value * 100, language, 0)} %`;
  return formatNumber(value, language, kind === 'hours' ? 1 : 0);
}

/** "2026-04-01 08:15" in the report's zone. */
export function createdAtText(report: MonthlyReport): string {
  return `${localDateOf(report.createdAt, report.timeZone)} ${localTimeOf(report.createdAt, report.timeZone)}`;
}

export function reportTitle(report: MonthlyReport, language: ReportLanguage): string {
  const L = labelsFor(language);
  return `${report.scope === 'central' ? L.titleCentral : L.title} ${monthName(report.month, language)}`;
}

const MIME: Record<ReportFormat | 'json', string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  json: 'application/json',
};

export function mimeOf(format: ReportFormat | 'json'): string {
  return MIME[format];
}

/** kliv-rapport-V1A2B3C4D5-2026-03.csv: ASCII only, so every OS and mail client keeps it. */
export function reportFilename(report: MonthlyReport, format: ReportFormat | 'json', language: ReportLanguage = 'sv'): string {
  const who = report.scope === 'central' ? 'central' : (report.venue?.venueId ?? 'venue').replace(/[^A-Za-z0-9-]/g, '');
  return `kliv-${language === 'sv' ? 'rapport' : 'report'}-${who}-${report.month}.${format}`;
}
