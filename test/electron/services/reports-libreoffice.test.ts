/**
 * The report CSV as a Swedish user opens it: LibreOffice Calc imports it with
 * the Swedish locale (language 1053: decimal comma) and saves it as XLSX,
 * which is read back here. Counts and hours must arrive as numbers, dates as
 * dates, and a display name that looks like a formula as text. The same file
 * read as US English turns "1,50" into text, which shows the check is real.
 * Needs `soffice` (apt-get install libreoffice-calc); skipped without it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCheck } from '../../../electron/db/checks';
import { insertParticipant } from '../../../electron/db/participants';
import { getVenue, type Venue } from '../../../electron/db/venue';
import { insertVisit } from '../../../electron/db/visits';
import { reportCsv } from '../../../electron/services/report-formats/csv';
import { monthlyAttendance } from '../../../electron/services/reports';
import { zonedTimeToInstant } from '../../../shared/time';
import { testApp, type TestApp } from '../../helpers';

function findSoffice(): string | null {
  for (const bin of ['soffice', 'libreoffice']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore', timeout: 60_000 });
      return bin;
    } catch {
      // try the next name
    }
  }
  return null;
}

const soffice = findSoffice();
if (!soffice) console.warn('[reports-libreoffice] soffice not found: skipping the LibreOffice CSV import check (apt-get install libreoffice-calc)');

const SWEDISH = 1053;
const US_ENGLISH = 1033;

let dir: string;
let t: TestApp;
let csvFile: string;

/** LibreOffice's CSV filter: `;` (59), `"` (34), UTF-8 (76), from line 1, language, quoted text as text: no, detect special numbers (dates): yes. */
function convert(language: number): Promise<ExcelJS.Worksheet> {
  const out = join(dir, String(language));
  execFileSync(soffice as string, [
    `-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--norestore',
    `--infilter=CSV:59,34,76,1,,${language},false,true`, '--convert-to', 'xlsx', '--outdir', out, csvFile,
  ], { stdio: 'ignore', timeout: 120_000 });
  const wb = new ExcelJS.Workbook();
  return wb.xlsx.readFile(join(out, 'report.xlsx')).then(() => wb.worksheets[0] as ExcelJS.Worksheet);
}

describe.skipIf(!soffice)('the report CSV in LibreOffice Calc with a Swedish locale', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kliv-lo-'));
    t = testApp({ start: '2026-04-01T06:00:00Z' });
    const db = t.app.db;
    const at = (day: string, time: string): number => zonedTimeToInstant(day, time, 'Europe/Stockholm');
    const staff = Number(db.prepare("INSERT INTO staff (name, role, pin_hash, created_at) VALUES ('Kim', 'coordinator', 'x', 0)").run().lastInsertRowid);
    const anna = insertParticipant(db, { code: 'A001', displayName: 'Anna', mode: 'dropin', createdAt: at('2026-01-10', '10:00') }).id;
    const odd = insertParticipant(db, { code: 'C003', displayName: '=SUMMA(1;2)', mode: 'dropin', createdAt: at('2026-01-10', '10:00') }).id;
    // Anna: 1 h 30 on site, 1 h 15 sober; the other one 2 h 45 with no check.
    const v = insertVisit(db, { participantId: anna, day: '2026-03-02', checkedInAt: at('2026-03-02', '09:00'), checkedOutAt: at('2026-03-02', '10:30'), source: 'card', createdAt: 0 });
    insertCheck(db, { visitId: v.id, outcome: 'ready', reason: null, recordedAt: at('2026-03-02', '09:15'), staffId: staff, correctsId: null, correctionReason: null, afterConfirmation: false });
    insertVisit(db, { participantId: odd, day: '2026-03-03', checkedInAt: at('2026-03-03', '09:00'), checkedOutAt: at('2026-03-03', '11:45'), source: 'card', createdAt: 0 });
    const venue = getVenue(db) as Venue;
    const report = monthlyAttendance(db, '2026-03', { scope: 'venue', createdAt: t.clock.now(), venue: { venueId: venue.venueId, name: venue.name, mode: venue.mode, timeZone: venue.timeZone } });
    csvFile = join(dir, 'report.csv');
    writeFileSync(csvFile, reportCsv(report));
  });
  afterAll(() => {
    t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('yields numbers, dates and safe text', async () => {
    const ws = await convert(SWEDISH);
    const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1);
    const col = (name: string): number => header.indexOf(name) + 1;
    const row = (code: string): ExcelJS.Row => [2, 3].map((i) => ws.getRow(i)).find((r) => r.getCell(1).value === code) as ExcelJS.Row;
    const anna = row('A001');
    expect(anna.getCell(col('Timmar på plats')).value).toBe(1.5);
    expect(anna.getCell(col('Nyktra timmar')).value).toBe(1.25);
    expect(anna.getCell(col('Dagar')).value).toBe(1);
    expect(anna.getCell(col('Timmar på plats')).type).toBe(ExcelJS.ValueType.Number);
    expect(anna.getCell(col('Första besök')).type).toBe(ExcelJS.ValueType.Date);
    expect((anna.getCell(col('Första besök')).value as Date).toISOString().slice(0, 10)).toBe('2026-03-02');
    const odd = row('C003');
    expect(odd.getCell(col('Timmar på plats')).value).toBe(2.75);
    expect(odd.getCell(col('Namn')).type).toBe(ExcelJS.ValueType.String);
    expect(odd.getCell(col('Namn')).value).toBe("'=SUMMA(1;2)");
  });

  it('is locale-sensitive: read as US English the decimal comma stays text', async () => {
    const ws = await convert(US_ENGLISH);
    const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1);
    const cell = ws.getRow(2).getCell(header.indexOf('Timmar på plats') + 1);
    expect(cell.type).not.toBe(ExcelJS.ValueType.Number);
  });
});
