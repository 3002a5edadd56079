/**
 * `kliv report`: a month's attendance report as CSV, XLSX, PDF or JSON, from
 * the venue's data folder or (--central) from the municipality's collected
 * database, where it covers every venue with codes only.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { isReportMonth, reportLanguage, type MonthlyReport, type ReportLanguage } from '../../shared/contract/reports';
import { isValidTimeZone } from '../../shared/time';
import { openApp } from '../api/app';
import { systemClock } from '../services/context';
import { renderReport } from '../services/report-formats';
import { formatFigure, monthName } from '../services/report-formats/labels';
import { centralMonthlyReport, venueMonthlyReport } from '../services/reports';
import { CLI_ACTOR } from '../services/staff';
import { dataDirOf as dataDirOrHint } from './common';

const dataDirOf = (cmd: Command): string => dataDirOrHint(cmd, ' (or --central FILE for the municipality\'s database)');

type Format = 'csv' | 'xlsx' | 'pdf' | 'json';

interface ReportOptions {
  month: string;
  format: Format;
  out?: string;
  central?: string;
  language: ReportLanguage;
  timeZone: string;
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function describe(report: MonthlyReport, language: ReportLanguage): string {
  const s = report.summary;
  return `${monthName(report.month, language)}: ${s.participants} participants, ${s.visits} visits, ${formatFigure(s.hours, 'hours', 'en')} h on site, ${formatFigure(s.soberHours, 'hours', 'en')} sober hours`;
}

export function registerReportCommands(program: Command): void {
  program.command('report')
    .description('write a month\'s attendance report (venue data folder, or --central for all venues, codes only)')
    .requiredOption('--month <YYYY-MM>', 'the month, e.g. 2026-03')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'xlsx', 'pdf', 'json']).default('pdf'))
    .option('--out <file>', 'where to write it ("-" for standard output; default: the report\'s own file name here)')
    .option('--central <file>', 'the municipality\'s collected database (central.sqlite) instead of a venue data folder')
    .addOption(new Option('--language <lang>', 'language of the file').choices([...reportLanguage.options]).default('sv'))
    .option('--time-zone <tz>', 'zone for the created-at time of central reports', 'Europe/Stockholm')
    .action(async function (this: Command, opts: ReportOptions) {
      if (!isReportMonth(opts.month)) throw new Error(`bad month "${opts.month}": expected YYYY-MM, e.g. 2026-03`);
      if (!isValidTimeZone(opts.timeZone)) throw new Error(`unknown time zone "${opts.timeZone}" (expected e.g. Europe/Stockholm)`);
      let report: MonthlyReport;
      if (opts.central) {
        report = centralMonthlyReport(resolve(opts.central), opts.month, { createdAt: systemClock.now(), timeZone: opts.timeZone });
      } else {
        const app = openApp({ dataDir: dataDirOf(this) });
        try {
          report = venueMonthlyReport(app.ctx, CLI_ACTOR, opts.month, opts.format);
        } finally {
          app.close();
        }
      }
      const file = await renderReport(report, opts.format, opts.language);
      if (opts.out === '-') {
        process.stdout.write(file.data);
        return;
      }
      const target = resolve(opts.out ?? file.filename);
      writeAtomically(target, file.data);
      process.stdout.write(`Wrote ${target} (${describe(report, opts.language)}).\n`);
    });
}
