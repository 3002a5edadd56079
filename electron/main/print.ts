/**
 * Desktop printing of card PDFs through the operating system's print dialog.
 *
 * The PDF (which holds clear card tokens) is written to a private temp
 * folder, shown in a hidden window by Chromium's PDF viewer and printed with
 * webContents.print(); the file, the window and the buffer are wiped as soon
 * as the dialog closes, printed or cancelled. Browser mode never gets here:
 * it downloads the PDF instead.
 */
import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KlivApp } from '../api/app';
import { setPdfPrinter, type PdfPrinter } from '../api/handlers/participants';

export interface PrintDeps {
  /** The kiosk window, the dialog's parent. */
  parent(): BrowserWindow | null;
  log(message: string): void;
}

/** Chromium's PDF viewer paints after 'did-finish-load'; printing before that gives a blank page. */
const VIEWER_SETTLE_MS = 700;

export async function printPdfWithDialog(pdf: Buffer, jobName: string, deps: PrintDeps): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'kliv-print-'));
  const file = join(dir, jobName.replace(/[^A-Za-z0-9._-]/g, '_') || 'kliv-kort.pdf');
  let win: BrowserWindow | null = null;
  try {
    await writeFile(file, pdf, { mode: 0o600 });
    pdf.fill(0);
    const parent = deps.parent();
    win = new BrowserWindow({
      show: false,
      ...(parent && !parent.isDestroyed() ? { parent } : {}),
      title: jobName,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, plugins: true, devTools: false, spellcheck: false },
    });
    await win.loadURL(pathToFileURL(file).href);
    await new Promise((resolve) => setTimeout(resolve, VIEWER_SETTLE_MS));
    const target = win;
    return await new Promise<boolean>((resolve) => {
      target.webContents.print({ silent: false, printBackground: true }, (success, failureReason) => {
        if (!success && failureReason !== 'Print job canceled' && failureReason !== 'cancelled') deps.log(`printing failed: ${failureReason}`);
        resolve(success);
      });
    });
  } finally {
    if (win && !win.isDestroyed()) win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

export function createPdfPrinter(deps: PrintDeps): PdfPrinter {
  return (pdf, jobName) => {
    printPdfWithDialog(pdf, jobName, deps).catch((err: unknown) => {
      pdf.fill(0);
      deps.log(`printing failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
}

/** Lets the contract's print methods (cards.print, staffBadges.print with deliver "printer") reach the OS dialog. */
export function registerDesktopPrinting(app: KlivApp, deps: PrintDeps): void {
  setPdfPrinter(app, createPdfPrinter(deps));
}
