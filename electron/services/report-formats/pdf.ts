/**
 * The report as an A4 PDF to attach to the monthly follow-up: title, venue,
 * period, the sober hours as the headline, the key figures beside the
 * previous month, two charts (hours per day with the sober part; mean
 * participants per weekday against the previous month), the participants
 * table, open visits, page numbers and the created-at time on every page.
 *
 * The fonts are embedded (DejaVu Sans, shipped in build/fonts) so Swedish and
 * other letters print everywhere; no standard PDF font is loaded, which also
 * keeps pdfkit working when bundled.
 */
import PDFDocument from 'pdfkit';
import type { MonthlyReport, ParticipantReportRow, ReportFigures, ReportLanguage } from '../../../shared/contract/reports';
import { fontPath } from '../fonts';
import { createdAtText, formatFigure, formatNumber, labelsFor, monthName, reportTitle, shownFigures, type Labels } from './labels';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 40;
const CONTENT_W = A4.width - 2 * MARGIN;
const FOOTER_H = 28;
const BOTTOM = A4.height - MARGIN - FOOTER_H;
const COLOR = { brand: '#1f5f5b', brandLight: '#a9cbc7', ink: '#1d2430', soft: '#4a5566', grid: '#d9dee4', prev: '#b9c1cb', band: '#eef5f4', weekend: '#8a94a3', zebra: '#f5f7f8' };
const FONT = 'Kliv';
const FONT_BOLD = 'Kliv-Bold';

type Doc = PDFKit.PDFDocument;

function createDoc(report: MonthlyReport, language: ReportLanguage): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    font: fontPath('DejaVuSans.ttf'),
    lang: language === 'sv' ? 'sv-SE' : 'en-GB',
    displayTitle: true,
    info: {
      Title: reportTitle(report, language),
      Author: 'Kliv',
      Creator: 'Kliv',
      CreationDate: new Date(report.createdAt),
      ModDate: new Date(report.createdAt),
    },
  });
  doc.registerFont(FONT, fontPath('DejaVuSans.ttf'));
  doc.registerFont(FONT_BOLD, fontPath('DejaVuSans-Bold.ttf'));
  doc.font(FONT);
  return doc;
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) {
    doc.addPage();
    doc.y = MARGIN;
  }
}

/** A section title, moved to the next page with its first `keep` points of content. */
function heading(doc: Doc, text: string, keep = 40): void {
  ensureRoom(doc, 30 + keep);
  doc.moveDown(0.6);
  doc.font(FONT_BOLD).fontSize(11.5).fillColor(COLOR.brand).text(text, MARGIN, doc.y, { width: CONTENT_W });
  doc.moveDown(0.3);
  doc.font(FONT).fillColor(COLOR.ink);
}

function header(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  doc.font(FONT_BOLD).fontSize(20).fillColor(COLOR.brand).text(reportTitle(report, language), MARGIN, MARGIN, { width: CONTENT_W });
  doc.font(FONT).fontSize(10).fillColor(COLOR.ink);
  const where = report.venue ? `${L.venue}: ${report.venue.name} (${report.venue.venueId})` : `${L.venues}: ${report.perVenue.map((v) => v.venueId).join(', ') || '–'}`;
  doc.text(where, { width: CONTENT_W });
  doc.fillColor(COLOR.soft).text(`${L.period}: ${report.from} – ${report.to}    ${L.created}: ${createdAtText(report)}`, { width: CONTENT_W });
  if (report.scope === 'central') doc.text(L.centralNote, { width: CONTENT_W });
  doc.fillColor(COLOR.ink);
  doc.moveDown(0.8);
}

function signed(value: number, kind: 'count' | 'hours' | 'rate', language: ReportLanguage): string {
  if (value === 0) return formatFigure(0, kind, language);
  const text = formatFigure(Math.abs(value), kind, language);
  return `${value > 0 ? '+' : '−'}${text}`;
}

function headline(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  const top = doc.y;
  const h = 78;
  doc.roundedRect(MARGIN, top, CONTENT_W, h, 8).fill(COLOR.band);
  doc.fillColor(COLOR.brand).font(FONT_BOLD).fontSize(11).text(L.headline, MARGIN + 16, top + 12, { width: 220 });
  doc.fontSize(30).text(formatFigure(report.summary.soberHours, 'hours', language), MARGIN + 16, top + 28, { width: 220 });
  const delta = report.summary.soberHours - report.previous.soberHours;
  doc.font(FONT).fontSize(10).fillColor(COLOR.ink)
    .text(`${L.previousMonth} (${monthName(report.previousMonth, language)}): ${formatFigure(report.previous.soberHours, 'hours', language)}`, MARGIN + 250, top + 16, { width: CONTENT_W - 266 })
    .text(`${L.change}: ${signed(Math.round(delta * 100) / 100, 'hours', language)}`, { width: CONTENT_W - 266 });
  doc.fontSize(8.5).fillColor(COLOR.soft).text(L.headlineNote, MARGIN + 250, doc.y + 4, { width: CONTENT_W - 266 });
  doc.fillColor(COLOR.ink);
  doc.y = top + h + 10;
}

function figuresTable(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  const figures = shownFigures(report).filter((f) => f.key !== 'soberHours');
  const widths = [235, 95, 95, 90];
  const rowH = 12.5;
  let y = doc.y;
  const cells = (values: string[], bold: boolean, color = COLOR.ink): void => {
    let x = MARGIN;
    doc.font(bold ? FONT_BOLD : FONT).fontSize(8.5).fillColor(color);
    values.forEach((v, i) => {
      doc.text(v, x + 4, y + 2.2, { width: (widths[i] as number) - 8, align: i === 0 ? 'left' : 'right', lineBreak: false });
      x += widths[i] as number;
    });
  };
  doc.rect(MARGIN, y, CONTENT_W, rowH + 1).fill(COLOR.brand);
  cells([L.figure, monthName(report.month, language), monthName(report.previousMonth, language), L.change], true, '#ffffff');
  y += rowH + 1;
  figures.forEach((f, i) => {
    const cur = report.summary[f.key as keyof ReportFigures];
    const prev = report.previous[f.key as keyof ReportFigures];
    if (i % 2 === 1) doc.rect(MARGIN, y, CONTENT_W, rowH).fill(COLOR.zebra);
    const change = cur !== null && prev !== null ? signed(Math.round((cur - prev) * 10_000) / 10_000, f.kind, language) : '–';
    cells([L.fig[f.key], formatFigure(cur, f.kind, language), formatFigure(prev, f.kind, language), change], false);
    y += rowH;
  });
  doc.fillColor(COLOR.ink);
  doc.y = y + 6;
}

/** 0, step, 2·step … covering max with about `ticks` steps of 1, 2 or 5 × 10^n. */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  return { top: Math.ceil(max / step) * step, step };
}

function axis(doc: Doc, x0: number, y0: number, w: number, h: number, top: number, step: number, language: ReportLanguage, decimals: number): void {
  doc.font(FONT).fontSize(7).lineWidth(0.5);
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = y0 + h - (v / top) * h;
    doc.strokeColor(COLOR.grid).moveTo(x0, y).lineTo(x0 + w, y).stroke();
    doc.fillColor(COLOR.soft).text(formatNumber(v, language, decimals), x0 - 34, y - 4, { width: 30, align: 'right', lineBreak: false });
  }
}

function legend(doc: Doc, x: number, y: number, items: { color: string; text: string }[]): void {
  doc.font(FONT).fontSize(8);
  let cx = x;
  for (const item of items) {
    doc.rect(cx, y + 1, 8, 8).fill(item.color);
    doc.fillColor(COLOR.ink).text(item.text, cx + 12, y, { lineBreak: false });
    cx += 12 + doc.widthOfString(item.text) + 16;
  }
}

function perDayChart(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  heading(doc, L.perDayChart, 135);
  const top = doc.y;
  const x0 = MARGIN + 36;
  const w = CONTENT_W - 36;
  const h = 96;
  const max = Math.max(0, ...report.perDay.map((d) => d.hours));
  const { top: yTop, step } = niceScale(max);
  axis(doc, x0, top, w, h, yTop, step, language, step < 1 ? 1 : 0);
  const slot = w / report.perDay.length;
  const barW = Math.max(2, slot * 0.72);
  report.perDay.forEach((d, i) => {
    const x = x0 + i * slot + (slot - barW) / 2;
    const totalH = (d.hours / yTop) * h;
    const soberH = (Math.min(d.soberHours, d.hours) / yTop) * h;
    if (totalH > soberH) doc.rect(x, top + h - totalH, barW, totalH - soberH).fill(COLOR.brandLight);
    if (soberH > 0) doc.rect(x, top + h - soberH, barW, soberH).fill(COLOR.brand);
    const weekend = d.weekday >= 6;
    doc.font(weekend ? FONT : FONT).fontSize(6.5).fillColor(weekend ? COLOR.weekend : COLOR.soft)
      .text(String(Number(d.day.slice(8))), x0 + i * slot - 2, top + h + 3, { width: slot + 4, align: 'center', lineBreak: false });
  });
  doc.strokeColor(COLOR.soft).lineWidth(0.7).moveTo(x0, top + h).lineTo(x0 + w, top + h).stroke();
  legend(doc, x0, top + h + 15, [{ color: COLOR.brand, text: L.perDayChartSober }, { color: COLOR.brandLight, text: L.perDayChartOther }]);
  doc.fillColor(COLOR.ink);
  doc.y = top + h + 32;
}

function perWeekdayChart(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  heading(doc, L.perWeekdayChart, 122);
  const top = doc.y;
  const x0 = MARGIN + 36;
  const w = CONTENT_W - 36;
  const h = 80;
  const values = report.perWeekday.map((d, i) => ({ weekday: d.weekday, cur: d.meanParticipants, prev: report.previousPerWeekday[i]?.meanParticipants ?? 0 }));
  const max = Math.max(0, ...values.flatMap((v) => [v.cur, v.prev]));
  const { top: yTop, step } = niceScale(max);
  axis(doc, x0, top, w, h, yTop, step, language, step < 1 ? 1 : 0);
  const group = w / 7;
  const barW = group * 0.3;
  values.forEach((v, i) => {
    const gx = x0 + i * group + group * 0.17;
    const bars: [number, string][] = [[v.cur, COLOR.brand], [v.prev, COLOR.prev]];
    bars.forEach(([value, color], j) => {
      const bh = (value / yTop) * h;
      const x = gx + j * (barW + 3);
      if (bh <= 0) return;
      doc.rect(x, top + h - bh, barW, bh).fill(color);
      doc.font(FONT).fontSize(6.5).fillColor(COLOR.soft).text(formatNumber(value, language, 1), x - 6, top + h - bh - 9, { width: barW + 12, align: 'center', lineBreak: false });
    });
    doc.font(FONT).fontSize(8).fillColor(COLOR.ink).text(L.weekdays[v.weekday - 1] ?? '', x0 + i * group, top + h + 4, { width: group, align: 'center', lineBreak: false });
  });
  doc.strokeColor(COLOR.soft).lineWidth(0.7).moveTo(x0, top + h).lineTo(x0 + w, top + h).stroke();
  legend(doc, x0, top + h + 18, [
    { color: COLOR.brand, text: `${L.thisMonth} (${monthName(report.month, language)})` },
    { color: COLOR.prev, text: `${L.previousMonth} (${monthName(report.previousMonth, language)})` },
  ]);
  doc.fillColor(COLOR.ink);
  doc.y = top + h + 36;
}

interface Column { header: string; width: number; align: 'left' | 'right'; value(p: ParticipantReportRow): string }

export function flagText(p: ParticipantReportRow, language: ReportLanguage): string {
  const letters = language === 'sv' ? ['K', 'A', 'M'] : ['C', 'A', 'M'];
  return [[letters[0], p.flags.corrected], [letters[1], p.flags.autoClosed], [letters[2], p.flags.manual]]
    .filter(([, n]) => (n as number) > 0).map(([l, n]) => `${l}${n}`).join(' ');
}

function participantColumns(report: MonthlyReport, L: Labels, language: ReportLanguage): Column[] {
  const central = report.scope === 'central';
  const hasSchedules = report.participants.some((p) => p.scheduledDays !== null);
  const num = (n: number, d = 0): string => formatNumber(n, language, d);
  const cols: (Column & { show?: boolean })[] = [
    { header: L.col.code, width: 46, align: 'left', value: (p) => p.code },
    { header: L.col.name, width: hasSchedules ? 60 : 96, align: 'left', value: (p) => p.displayName ?? '', show: !central },
    { header: L.col.venues, width: hasSchedules ? 60 : 96, align: 'left', value: (p) => p.venues.join(' '), show: central },
    { header: L.col.daysAttended, width: 32, align: 'right', value: (p) => num(p.daysAttended) },
    { header: L.col.visits, width: 32, align: 'right', value: (p) => num(p.visits) },
    { header: L.col.hours, width: 40, align: 'right', value: (p) => num(p.hours, 1) },
    { header: L.col.soberHours, width: 40, align: 'right', value: (p) => num(p.soberHours, 1) },
    { header: L.col.checksReady, width: 42, align: 'right', value: (p) => num(p.checksReady) },
    { header: L.col.checksNotToday, width: 30, align: 'right', value: (p) => num(p.checksNotToday) },
    {
      header: L.col.attendanceRate, width: 58, align: 'right', show: hasSchedules,
      value: (p) => (p.scheduledDays === null ? '' : `${p.scheduledDaysAttended ?? 0}/${p.scheduledDays}${p.attendanceRate === null ? '' : ` (${num(p.attendanceRate * 100)} %)`}`),
    },
    { header: L.col.firstVisit, width: 50, align: 'right', value: (p) => p.firstVisit ?? '' },
    { header: L.col.lastVisit, width: 50, align: 'right', value: (p) => p.lastVisit ?? '' },
    { header: L.col.flags, width: 0, align: 'left', value: (p) => flagText(p, language) },
  ];
  const shown = cols.filter((c) => c.show !== false);
  const used = shown.reduce((s, c) => s + c.width, 0);
  const last = shown[shown.length - 1] as Column;
  last.width = Math.max(30, CONTENT_W - used);
  return shown;
}

function table(doc: Doc, columns: Column[], rows: ParticipantReportRow[]): void {
  const rowH = 13;
  const headH = 30;
  const drawHead = (): void => {
    const y = doc.y;
    doc.rect(MARGIN, y, CONTENT_W, headH).fill(COLOR.brand);
    let x = MARGIN;
    doc.font(FONT_BOLD).fontSize(6.5).fillColor('#ffffff');
    for (const c of columns) {
      doc.text(c.header, x + 3, y + 3, { width: c.width - 6, align: c.align, height: headH - 4, ellipsis: true });
      x += c.width;
    }
    doc.y = y + headH;
  };
  ensureRoom(doc, headH + rowH * 3);
  drawHead();
  rows.forEach((p, i) => {
    if (doc.y + rowH > BOTTOM) {
      doc.addPage();
      doc.y = MARGIN;
      drawHead();
    }
    const y = doc.y;
    if (i % 2 === 1) doc.rect(MARGIN, y, CONTENT_W, rowH).fill(COLOR.zebra);
    let x = MARGIN;
    doc.font(FONT).fontSize(7.2).fillColor(COLOR.ink);
    for (const c of columns) {
      doc.text(c.value(p), x + 3, y + 3, { width: c.width - 6, align: c.align, lineBreak: false, ellipsis: true, height: rowH });
      x += c.width;
    }
    doc.y = y + rowH;
  });
  doc.x = MARGIN;
}

function openVisits(doc: Doc, report: MonthlyReport, L: Labels): void {
  if (report.openVisits.length === 0) return;
  heading(doc, L.openVisits);
  doc.font(FONT).fontSize(8.5).fillColor(COLOR.ink);
  for (const o of report.openVisits) {
    ensureRoom(doc, 14);
    const who = report.scope === 'central' ? `${o.code} (${o.venueId})` : `${o.code}${o.displayName ? ` – ${o.displayName}` : ''}`;
    doc.text(`${o.day} ${o.checkedInLocal}    ${who}`, MARGIN, doc.y, { width: CONTENT_W });
  }
}

function venueTable(doc: Doc, report: MonthlyReport, L: Labels, language: ReportLanguage): void {
  if (report.perVenue.length === 0) return;
  heading(doc, L.venues, 60);
  doc.font(FONT).fontSize(8).fillColor(COLOR.soft).text(L.previousInParens, MARGIN, doc.y, { width: CONTENT_W });
  doc.moveDown(0.3);
  const keys: { key: keyof ReportFigures; kind: 'count' | 'hours' }[] = [
    { key: 'participants', kind: 'count' }, { key: 'visits', kind: 'count' }, { key: 'hours', kind: 'hours' }, { key: 'soberHours', kind: 'hours' },
    { key: 'checksReady', kind: 'count' }, { key: 'checksNotToday', kind: 'count' },
  ];
  const widths = [85, ...keys.map(() => (CONTENT_W - 85) / keys.length)];
  const rowH = 13;
  let y = doc.y;
  doc.rect(MARGIN, y, CONTENT_W, 30).fill(COLOR.brand);
  doc.font(FONT_BOLD).fontSize(7).fillColor('#ffffff');
  let x = MARGIN;
  [L.venue, ...keys.map((k) => L.fig[k.key])].forEach((h, i) => {
    doc.text(h, x + 3, y + 3, { width: (widths[i] as number) - 6, align: i === 0 ? 'left' : 'right', height: 26, ellipsis: true });
    x += widths[i] as number;
  });
  y += 30;
  report.perVenue.forEach((v, r) => {
    if (y + rowH > BOTTOM) {
      doc.addPage();
      y = MARGIN;
    }
    if (r % 2 === 1) doc.rect(MARGIN, y, CONTENT_W, rowH).fill(COLOR.zebra);
    x = MARGIN;
    doc.font(FONT).fontSize(7.5).fillColor(COLOR.ink);
    const cells = [v.venueId, ...keys.map((k) => `${formatFigure(v.summary[k.key], k.kind, language)} (${formatFigure(v.previous[k.key], k.kind, language)})`)];
    cells.forEach((c, i) => {
      doc.text(c, x + 3, y + 3, { width: (widths[i] as number) - 6, align: i === 0 ? 'left' : 'right', lineBreak: false });
      x += widths[i] as number;
    });
    y += rowH;
  });
  doc.y = y;
}

function footers(doc: Doc, report: MonthlyReport, L: Labels): void {
  const range = doc.bufferedPageRange();
  const left = `Kliv · ${report.venue?.name ?? L.titleCentral} · ${L.created} ${createdAtText(report)}`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing inside the bottom margin must not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = A4.height - MARGIN - 10;
    doc.strokeColor(COLOR.grid).lineWidth(0.5).moveTo(MARGIN, y - 6).lineTo(A4.width - MARGIN, y - 6).stroke();
    doc.font(FONT).fontSize(7.5).fillColor(COLOR.soft);
    doc.text(left, MARGIN, y, { width: CONTENT_W * 0.75, lineBreak: false, ellipsis: true });
    doc.text(L.page.replace('{n}', String(i + 1 - range.start)).replace('{total}', String(range.count)), MARGIN + CONTENT_W * 0.75, y, { width: CONTENT_W * 0.25, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

export function reportPdf(report: MonthlyReport, language: ReportLanguage = 'sv'): Promise<Buffer> {
  const L = labelsFor(language);
  const doc = createDoc(report, language);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  header(doc, report, L, language);
  headline(doc, report, L, language);
  figuresTable(doc, report, L, language);
  perDayChart(doc, report, L, language);
  perWeekdayChart(doc, report, L, language);
  heading(doc, L.participantsSheet, 80);
  if (report.participants.length === 0) {
    doc.font(FONT).fontSize(9).fillColor(COLOR.soft).text(L.none, MARGIN, doc.y, { width: CONTENT_W });
  } else {
    table(doc, participantColumns(report, L, language), report.participants);
    doc.moveDown(0.4);
    doc.font(FONT).fontSize(7.5).fillColor(COLOR.soft).text(L.flagsLegend, MARGIN, doc.y, { width: CONTENT_W });
  }
  openVisits(doc, report, L);
  venueTable(doc, report, L, language);
  footers(doc, report, L);
  doc.end();
  return done;
}
