/**
 * The report as an Excel workbook with typed cells: counts and hours are
 * numbers, the schedule attendance a number formatted as a percentage, dates
 * are dates. Sheets: Summary (headline, this month beside the previous one,
 * per weekday), Participants, Per day, and Venues (central) / Open visits
 * when there are any.
 *
 * Excel has no time zones, so dates and the created-at time are written as
 * the venue's wall-clock values.
 */
import ExcelJS from 'exceljs';
import type { MonthlyReport, ReportFigures, ReportLanguage } from '../../../shared/contract/reports';
import { localDateOf, localTimeOf } from '../../../shared/time';
import { labelsFor, monthName, reportTitle, shownFigures } from './labels';

const DATE_FMT = 'yyyy-mm-dd';
const DATETIME_FMT = 'yyyy-mm-dd hh:mm';
const HOURS_FMT = '0.00';
const RATE_FMT = '0.0%';
const BRAND = 'FF1F5F5B';

/** A calendar date as the Excel date of that day (midnight, no zone). */
export function excelDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

/** An instant as the wall-clock time of the zone, for a cell without zone. */
export function excelLocalDateTime(instant: number, timeZone: string): Date {
  const [y, m, d] = localDateOf(instant, timeZone).split('-').map(Number) as [number, number, number];
  const [hh, mm] = localTimeOf(instant, timeZone).split(':').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, d, hh, mm));
}

/** Printed, every sheet fits the width of an A4 page. */
function printSetup(ws: ExcelJS.Worksheet, orientation: 'portrait' | 'landscape'): void {
  ws.pageSetup = { paperSize: 9, orientation, fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } };
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: BRAND } };
    cell.alignment = { vertical: 'middle', wrapText: true };
  });
}

function numFmtOf(kind: 'count' | 'hours' | 'rate'): string {
  return kind === 'rate' ? RATE_FMT : kind === 'hours' ? HOURS_FMT : '0';
}

function summarySheet(wb: ExcelJS.Workbook, report: MonthlyReport, language: ReportLanguage): void {
  const L = labelsFor(language);
  const ws = wb.addWorksheet(L.summarySheet, { views: [{ showGridLines: false }] });
  printSetup(ws, 'portrait');
  ws.columns = [{ width: 38 }, { width: 18 }, { width: 18 }, { width: 14 }, { width: 16 }, { width: 16 }];
  const title = ws.addRow([reportTitle(report, language)]);
  title.font = { bold: true, size: 16, color: { argb: BRAND } };
  if (report.venue) ws.addRow([L.venue, report.venue.name, report.venue.venueId]);
  else ws.addRow([L.venues, report.perVenue.map((v) => v.venueId).join(', ')]);
  const period = ws.addRow([L.period, excelDate(report.from), excelDate(report.to)]);
  period.getCell(2).numFmt = DATE_FMT;
  period.getCell(3).numFmt = DATE_FMT;
  const created = ws.addRow([L.created, excelLocalDateTime(report.createdAt, report.timeZone)]);
  created.getCell(2).numFmt = DATETIME_FMT;
  created.getCell(2).alignment = { horizontal: 'left' };
  period.getCell(2).alignment = { horizontal: 'left' };
  if (report.scope === 'central') ws.addRow([L.centralNote]).font = { italic: true };
  ws.addRow([]);

  const headline = ws.addRow([L.headline, report.summary.soberHours, report.previous.soberHours]);
  headline.font = { bold: true, size: 14 };
  headline.getCell(2).numFmt = HOURS_FMT;
  headline.getCell(3).numFmt = HOURS_FMT;
  ws.addRow([L.headlineNote]).font = { italic: true, color: { argb: 'FF4A5566' } };
  ws.addRow([]);

  const head = ws.addRow([L.figure, monthName(report.month, language), monthName(report.previousMonth, language), L.change]);
  styleHeader(head);
  for (const f of shownFigures(report)) {
    const cur = report.summary[f.key as keyof ReportFigures];
    const prev = report.previous[f.key as keyof ReportFigures];
    const change = cur !== null && prev !== null ? Math.round((cur - prev) * 10_000) / 10_000 : null;
    const row = ws.addRow([L.fig[f.key], cur, prev, change]);
    for (const c of [2, 3, 4]) row.getCell(c).numFmt = f.kind === 'rate' ? RATE_FMT : f.kind === 'hours' ? `${HOURS_FMT};-${HOURS_FMT}` : '0;-0';
    if (f.key === 'soberHours') row.font = { bold: true };
  }
  ws.addRow([]);

  const wHead = ws.addRow([L.weekday, `${L.col.meanParticipants} – ${monthName(report.month, language)}`, `${L.col.meanParticipants} – ${monthName(report.previousMonth, language)}`,
    L.col.visits, L.col.hours, L.col.soberHours]);
  styleHeader(wHead);
  wHead.height = 32;
  for (const w of report.perWeekday) {
    const prev = report.previousPerWeekday[w.weekday - 1];
    const row = ws.addRow([L.weekdaysLong[w.weekday - 1], w.meanParticipants, prev?.meanParticipants ?? null, w.visits, w.hours, w.soberHours]);
    row.getCell(2).numFmt = HOURS_FMT;
    row.getCell(3).numFmt = HOURS_FMT;
    row.getCell(5).numFmt = HOURS_FMT;
    row.getCell(6).numFmt = HOURS_FMT;
  }
}

function participantsSheet(wb: ExcelJS.Workbook, report: MonthlyReport, language: ReportLanguage): void {
  const L = labelsFor(language);
  const central = report.scope === 'central';
  const hasSchedules = report.participants.some((p) => p.scheduledDays !== null);
  const ws = wb.addWorksheet(L.participantsSheet, { views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }] });
  printSetup(ws, 'landscape');
  ws.pageSetup.printTitlesRow = '1:1';
  type Col = { header: string; width: number; fmt?: string; value(p: MonthlyReport['participants'][number]): ExcelJS.CellValue; show?: boolean };
  const cols: Col[] = [
    { header: L.col.code, width: 12, value: (p) => p.code },
    { header: L.col.name, width: 18, value: (p) => p.displayName, show: !central },
    { header: L.col.venues, width: 18, value: (p) => p.venues.join(' '), show: central },
    { header: L.col.mode, width: 12, value: (p) => (p.mode === 'structured' ? L.modeStructured : L.modeDropin) },
    { header: L.col.newThisMonth, width: 10, value: (p) => (p.newThisMonth ? L.yes : L.no) },
    { header: L.col.daysAttended, width: 8, fmt: '0', value: (p) => p.daysAttended },
    { header: L.col.visits, width: 8, fmt: '0', value: (p) => p.visits },
    { header: L.col.openVisits, width: 8, fmt: '0', value: (p) => p.openVisits },
    { header: L.col.hours, width: 10, fmt: HOURS_FMT, value: (p) => p.hours },
    { header: L.col.soberHours, width: 10, fmt: HOURS_FMT, value: (p) => p.soberHours },
    { header: L.col.checksReady, width: 12, fmt: '0', value: (p) => p.checksReady },
    { header: L.col.checksNotToday, width: 10, fmt: '0', value: (p) => p.checksNotToday },
    { header: L.col.visitsWithoutCheck, width: 10, fmt: '0', value: (p) => p.visitsWithoutCheck },
    { header: L.col.scheduledDays, width: 11, fmt: '0', value: (p) => p.scheduledDays, show: hasSchedules },
    { header: L.col.scheduledDaysAttended, width: 12, fmt: '0', value: (p) => p.scheduledDaysAttended, show: hasSchedules },
    { header: L.col.attendanceRate, width: 11, fmt: RATE_FMT, value: (p) => p.attendanceRate, show: hasSchedules },
    { header: L.col.firstVisit, width: 12, fmt: DATE_FMT, value: (p) => (p.firstVisit ? excelDate(p.firstVisit) : null) },
    { header: L.col.lastVisit, width: 12, fmt: DATE_FMT, value: (p) => (p.lastVisit ? excelDate(p.lastVisit) : null) },
    { header: L.col.corrected, width: 11, fmt: '0', value: (p) => p.flags.corrected },
    { header: L.col.autoClosed, width: 11, fmt: '0', value: (p) => p.flags.autoClosed },
    { header: L.col.manual, width: 10, fmt: '0', value: (p) => p.flags.manual },
  ];
  const shown = cols.filter((c) => c.show !== false);
  ws.columns = shown.map((c) => ({ width: c.width, ...(c.fmt ? { style: { numFmt: c.fmt } } : {}) }));
  const head = ws.addRow(shown.map((c) => c.header));
  styleHeader(head);
  head.height = 45;
  for (const p of report.participants) ws.addRow(shown.map((c) => c.value(p)));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: shown.length } };
}

function perDaySheet(wb: ExcelJS.Workbook, report: MonthlyReport, language: ReportLanguage): void {
  const L = labelsFor(language);
  const ws = wb.addWorksheet(L.perDaySheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  printSetup(ws, 'portrait');
  ws.columns = [
    { width: 12, style: { numFmt: DATE_FMT } }, { width: 10 }, { width: 11, style: { numFmt: '0' } }, { width: 9, style: { numFmt: '0' } },
    { width: 14, style: { numFmt: HOURS_FMT } }, { width: 14, style: { numFmt: HOURS_FMT } },
  ];
  styleHeader(ws.addRow([L.date, L.weekday, L.col.participants, L.col.visits, L.col.hours, L.col.soberHours]));
  for (const d of report.perDay) ws.addRow([excelDate(d.day), L.weekdays[d.weekday - 1], d.participants, d.visits, d.hours, d.soberHours]);
}

function venuesSheet(wb: ExcelJS.Workbook, report: MonthlyReport, language: ReportLanguage): void {
  const L = labelsFor(language);
  const ws = wb.addWorksheet(L.venuesSheet, { views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }] });
  printSetup(ws, 'landscape');
  const figures = shownFigures(report).filter((f) => f.key !== 'scheduledDays' && f.key !== 'scheduledDaysAttended' && f.key !== 'attendanceRate');
  ws.columns = [{ width: 14 }, ...figures.flatMap(() => [{ width: 14 }, { width: 14 }])];
  const head = ws.addRow([L.venue, ...figures.flatMap((f) => [`${L.fig[f.key]} – ${monthName(report.month, language)}`, `${L.fig[f.key]} – ${monthName(report.previousMonth, language)}`])]);
  styleHeader(head);
  head.height = 48;
  for (const v of report.perVenue) {
    const row = ws.addRow([v.venueId, ...figures.flatMap((f) => [v.summary[f.key], v.previous[f.key]])]);
    figures.forEach((f, i) => {
      row.getCell(2 + i * 2).numFmt = numFmtOf(f.kind);
      row.getCell(3 + i * 2).numFmt = numFmtOf(f.kind);
    });
  }
}

function openSheet(wb: ExcelJS.Workbook, report: MonthlyReport, language: ReportLanguage): void {
  const L = labelsFor(language);
  const central = report.scope === 'central';
  const ws = wb.addWorksheet(L.openSheet);
  ws.columns = [{ width: 12 }, { width: 18 }, { width: 14 }, { width: 18 }];
  styleHeader(ws.addRow([L.col.code, central ? L.venue : L.col.name, L.date, L.checkedIn]));
  for (const o of report.openVisits) {
    const row = ws.addRow([o.code, central ? o.venueId : o.displayName, excelDate(o.day), excelLocalDateTime(o.checkedInAt, report.venue?.timeZone ?? report.timeZone)]);
    row.getCell(3).numFmt = DATE_FMT;
    row.getCell(4).numFmt = DATETIME_FMT;
  }
}

export async function reportXlsx(report: MonthlyReport, language: ReportLanguage = 'sv'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kliv';
  wb.title = reportTitle(report, language);
  // Fixed dates keep the same report byte-for-byte stable (apart from the zip's own timestamps).
  wb.created = new Date(report.createdAt);
  wb.modified = new Date(report.createdAt);
  summarySheet(wb, report, language);
  participantsSheet(wb, report, language);
  perDaySheet(wb, report, language);
  if (report.scope === 'central') venuesSheet(wb, report, language);
  if (report.openVisits.length > 0) openSheet(wb, report, language);
  const data = await wb.xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}
