/** One entry point for the report files: the report in, the file's bytes and name out. */
import type { MonthlyReport, ReportFormat, ReportLanguage } from '../../../shared/contract/reports';
import { reportCsv } from './csv';
import { mimeOf, reportFilename } from './labels';
import { reportPdf } from './pdf';
import { reportXlsx } from './xlsx';

export interface RenderedReport { filename: string; mime: string; data: Buffer }

export async function renderReport(report: MonthlyReport, format: ReportFormat | 'json', language: ReportLanguage = 'sv'): Promise<RenderedReport> {
  const data = format === 'csv' ? reportCsv(report, language)
    : format === 'xlsx' ? await reportXlsx(report, language)
    : format === 'pdf' ? await reportPdf(report, language)
    : Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
  return { filename: reportFilename(report, format, language), mime: mimeOf(format), data };
}
