/**
 * The participants table as CSV that opens right in Excel and LibreOffice
 * set to Swedish: UTF-8 with a BOM (so neither guesses Latin-1), `;` between
 * fields (the comma is the decimal sign), decimal comma, no thousands
 * separator, ISO dates, CRLF line ends, RFC 4180 quoting.
 *
 * Text that a spreadsheet would run as a formula (starting with = + - @, or a
 * tab or carriage return) gets a leading apostrophe: a display name such as
 * "=HYPERLINK(…)" must stay text. Numbers are written as numbers and never
 * prefixed.
 */
import type { MonthlyReport, ParticipantReportRow, ReportLanguage } from '../../../shared/contract/reports';
import { labelsFor } from './labels';

/** A number with fixed decimals ("1,50") is still a number, never a text to guard. */
export type CsvCell = string | number | null | { value: number; decimals: number };

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet will not execute. */
export function safeText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** 12.5 → "12,5"; decimals fixed when given. */
export function csvNumber(value: number, decimals?: number): string {
  const text = decimals === undefined ? String(value) : value.toFixed(decimals);
  return text.replace('.', ',');
}

function field(cell: CsvCell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? csvNumber(cell) : typeof cell === 'object' ? csvNumber(cell.value, cell.decimals) : safeText(cell);
  return /[";\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: CsvCell[][]): Buffer {
  const body = rows.map((r) => r.map(field).join(';')).join('\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${body}\r\n`, 'utf8')]);
}

const hoursCell = (h: number): CsvCell => ({ value: h, decimals: 2 });

export function participantColumns(report: MonthlyReport, language: ReportLanguage): { header: string; value(p: ParticipantReportRow): CsvCell }[] {
  const L = labelsFor(language);
  const central = report.scope === 'central';
  const hasSchedules = report.participants.some((p) => p.scheduledDays !== null);
  const cols: { header: string; value(p: ParticipantReportRow): CsvCell; show?: boolean }[] = [
    { header: L.col.code, value: (p) => p.code },
    { header: L.col.name, value: (p) => p.displayName, show: !central },
    { header: L.col.venues, value: (p) => p.venues.join(' '), show: central },
    { header: L.col.mode, value: (p) => (p.mode === 'structured' ? L.modeStructured : L.modeDropin) },
    { header: L.col.newThisMonth, value: (p) => (p.newThisMonth ? L.yes : L.no) },
    { header: L.col.daysAttended, value: (p) => p.daysAttended },
    { header: L.col.visits, value: (p) => p.visits },
    { header: L.col.openVisits, value: (p) => p.openVisits },
    { header: L.col.hours, value: (p) => hoursCell(p.hours) },
    { header: L.col.soberHours, value: (p) => hoursCell(p.soberHours) },
    { header: L.col.checksReady, value: (p) => p.checksReady },
    { header: L.col.checksNotToday, value: (p) => p.checksNotToday },
    { header: L.col.visitsWithoutCheck, value: (p) => p.visitsWithoutCheck },
    { header: L.col.scheduledDays, value: (p) => p.scheduledDays, show: hasSchedules },
    { header: L.col.scheduledDaysAttended, value: (p) => p.scheduledDaysAttended, show: hasSchedules },
    { header: L.col.attendanceRatePercent, value: (p) => (p.attendanceRate === null ? null : Math.round(p.attendanceRate * 1000) / 10), show: hasSchedules },
    { header: L.col.firstVisit, value: (p) => p.firstVisit },
    { header: L.col.lastVisit, value: (p) => p.lastVisit },
    { header: L.col.corrected, value: (p) => p.flags.corrected },
    { header: L.col.autoClosed, value: (p) => p.flags.autoClosed },
    { header: L.col.manual, value: (p) => p.flags.manual },
  ];
  return cols.filter((c) => c.show !== false);
}

/** One row per participant; central reports have codes and venues, never names. */
export function reportCsv(report: MonthlyReport, language: ReportLanguage = 'sv'): Buffer {
  const cols = participantColumns(report, language);
  const rows: CsvCell[][] = [cols.map((c) => c.header)];
  for (const p of report.participants) rows.push(cols.map((c) => c.value(p)));
  return toCsv(rows);
}
