/**
 * Every printed card must scan. A structured participant is enrolled with a
 * schedule and their card is printed through the real browser-mode API; the
 * PDF is rendered at 300 dpi, read by zbarimg (an independent decoder) and
 * shown to the kiosk's own camera path (Chromium's fake camera playing the
 * rendered card). The check-in shows today's schedule. After a reissue the
 * old printout is refused.
 *
 * The participants screen is not in the staff navigation yet, so the staff
 * steps go through window.kliv (the same contract and HTTP transport the
 * screen uses); the screen itself is covered by test/renderer/participants.
 */
import type { Browser, Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARD_HEIGHT_MM, CARD_WIDTH_MM, MM, sheetSlot } from '../../electron/services/cards-pdf';
import type { CardPrintResult, KlivBridge, ParticipantDetails } from '../../shared/api';
import { createKliv, dbCounts, expect, launchWithCamera, openKiosk, ROOT, screenshot, test, videoFromImage, wedgeScan } from './fixtures';

const LOOK = join(ROOT, 'test-results', 'cards');
const PIN = '482913';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** What zbarimg reads in a picture (sorted), the independent decoder. */
function zbar(png: string): string[] {
  const r = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** Calls the contract from the page, as the renderer does. */
async function api<T>(page: Page, method: string, input: unknown): Promise<T> {
  const res = await page.evaluate(([m, i]) => (window as unknown as { kliv: KlivBridge }).kliv.call(m as never, i as never), [method, input] as const);
  if (!res.ok) throw new Error(`${method} failed: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}

function savePdf(dir: string, name: string, printed: CardPrintResult): string {
  expect(printed.pdfBase64).not.toBeNull();
  expect(printed.filename).toMatch(/^kliv-kort[-\w]*\.pdf$/);
  const file = join(dir, name);
  writeFileSync(file, Buffer.from(printed.pdfBase64 as string, 'base64'));
  return file;
}

/**
 * Browser mode's download, as renderer/src/participants/download.ts does it
 * (blob URL + <a download>), under the real CSP; resolves with the saved file.
 */
async function downloadInPage(page: Page, dir: string, printed: CardPrintResult): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.evaluate(({ b64, name }) => {
      const binary = atob(b64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
    }, { b64: printed.pdfBase64 as string, name: printed.filename }),
  ]);
  expect(download.suggestedFilename()).toBe(printed.filename);
  const file = join(dir, printed.filename);
  await download.saveAs(file);
  return file;
}

/** Today's weekday in the venue's zone, as the schedule names it. */
function venueWeekday(): 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun' {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', weekday: 'short' }).format(Date.now()).toLowerCase().slice(0, 3);
  return name as ReturnType<typeof venueWeekday>;
}

test.describe.configure({ mode: 'parallel' });

test('a printed card scans with the kiosk camera and zbarimg, shows the schedule, and is refused after a reissue', async ({ page }) => {
  test.setTimeout(150_000);
  const kliv = createKliv({ mode: 'structured' });
  const work = mkdtempSync(join(tmpdir(), 'kliv-cards-e2e-'));
  mkdirSync(LOOK, { recursive: true });
  const browsers: Browser[] = [];
  try {
    const staff = JSON.parse(kliv.cli(['staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', PIN, '--json']).stdout) as { badgePayload: string };
    const url = await kliv.serve();
    await openKiosk(page, url, { camera: false });
    await api(page, 'staff.login', { badge: staff.badgePayload, pin: PIN });

    // Enrol a structured participant whose schedule includes today, 09–12.
    const days = [...new Set(['mon', 'wed', 'fri', venueWeekday()])];
    const anna = await api<ParticipantDetails>(page, 'participants.enrol', {
      displayName: 'Anna', code: 'K-1001', mode: 'structured', schedule: { days, start: '09:00', end: '12:00' },
    });
    expect(anna).toMatchObject({ code: 'K-1001', hasActiveCard: false, todaySlot: { start: '09:00', end: '12:00' } });

    // Print her card: one ID-1 page, rendered at 300 dpi.
    const printed = await api<CardPrintResult>(page, 'cards.print', { participantIds: [anna.participantId], layout: 'single', deliver: 'download' });
    expect(printed.filename).toMatch(/^kliv-kort-\d{4}-\d{2}-\d{2}-\d{4}\.pdf$/);
    const single = await downloadInPage(page, work, printed);
    const info = run('pdfinfo', [single]);
    expect(info).toMatch(/Pages:\s+1\b/);
    expect(info).toMatch(/Page size:\s+242\.6\d* x 153\.0\d* pts/);
    run('pdftoppm', ['-r', '300', '-png', '-singlefile', single, join(work, 'anna')]);
    const cardPng = join(work, 'anna.png');
    const [payload, ...more] = zbar(cardPng);
    expect(more).toEqual([]);
    expect(payload).toMatch(/^KLIV1P[0-9A-Z]{27}$/);
    // The payload is on the card only as the QR: never as text.
    expect(run('pdftotext', [single, '-'])).not.toContain(payload as string);
    copyFileSync(cardPng, join(LOOK, 'card-single.png'));

    // An A4 sheet for nine more people; a card cropped from it scans too.
    const names = ['Maria-Fernanda', 'Åsa', 'Mohammed', 'Jean-Baptiste Olofsson', 'Li', 'Eva-Lotta', 'Zlatan', 'Nour', 'Per'];
    const ids: number[] = [];
    for (const [i, name] of names.entries()) ids.push((await api<ParticipantDetails>(page, 'participants.enrol', { displayName: name, code: `K-20${i}`, mode: 'dropin' })).participantId);
    const sheet = savePdf(work, 'sheet.pdf', await api<CardPrintResult>(page, 'cards.print', { participantIds: ids, layout: 'sheet', deliver: 'download' }));
    expect(run('pdfinfo', [sheet])).toMatch(/Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/);
    run('pdftoppm', ['-r', '300', '-png', '-singlefile', sheet, join(work, 'sheet')]);
    const sheetPayloads = zbar(join(work, 'sheet.png'));
    expect(sheetPayloads).toHaveLength(9);
    const px = (pt: number): string => String(Math.round((pt / 72) * 300));
    const slot = sheetSlot(0);
    run('pdftoppm', ['-r', '300', '-png', '-singlefile', '-x', px(slot.x), '-y', px(slot.y), '-W', px(CARD_WIDTH_MM * MM), '-H', px(CARD_HEIGHT_MM * MM), sheet, join(work, 'sheet-card')]);
    const cropped = zbar(join(work, 'sheet-card.png'));
    expect(cropped).toHaveLength(1);
    expect(sheetPayloads).toContain(cropped[0]);
    copyFileSync(join(work, 'sheet.png'), join(LOOK, 'cards-sheet.png'));
    copyFileSync(join(work, 'sheet-card.png'), join(LOOK, 'card-from-sheet.png'));

    // The rendered card in front of the kiosk's camera.
    const clip = videoFromImage(cardPng, work, { name: 'anna-card', width: 560 });
    const camera = await launchWithCamera(clip);
    browsers.push(camera);
    const kiosk = await camera.newPage({ viewport: { width: 1920, height: 1080 } });
    await kiosk.goto(url);
    const checkedIn = kiosk.getByTestId('result-checked-in');
    await expect(checkedIn).toBeVisible({ timeout: 25_000 });
    await expect(checkedIn).toContainText('Välkommen, Anna!');
    await expect(kiosk.getByTestId('schedule')).toHaveText(/^Ditt schema idag: 09(:00)?–12(:00)?$/);
    await screenshot(kiosk, 'cards-camera-checked-in');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1 });
    await camera.close();

    // A lost card: reissued; the new one is a different token.
    const reissued = savePdf(work, 'anna-new.pdf', await api<CardPrintResult>(page, 'cards.print', { participantIds: [anna.participantId], layout: 'single', deliver: 'download', reason: 'lost' }));
    run('pdftoppm', ['-r', '300', '-png', '-singlefile', reissued, join(work, 'anna-new')]);
    const [newPayload] = zbar(join(work, 'anna-new.png'));
    expect(newPayload).toMatch(/^KLIV1P/);
    expect(newPayload).not.toBe(payload);
    const after = await api<ParticipantDetails>(page, 'participants.get', { participantId: anna.participantId });
    expect(after.cards.map((c) => [c.status, c.revokeReason])).toEqual([['active', null], ['revoked', 'lost']]);

    // The old printout shown to the camera again is refused.
    const camera2 = await launchWithCamera(clip);
    browsers.push(camera2);
    const kiosk2 = await camera2.newPage({ viewport: { width: 1920, height: 1080 } });
    await kiosk2.goto(url);
    const rejected = kiosk2.getByTestId('result-rejected');
    await expect(rejected).toBeVisible({ timeout: 25_000 });
    await expect(rejected).toContainText('Kortet känns inte igen');
    await screenshot(kiosk2, 'cards-camera-old-card-refused');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, rejected: { revoked: expect.any(Number) } });
    await camera2.close();

    // The new card is Anna's: at the scanner it asks to check her out.
    await api(page, 'staff.logout', {});
    await wedgeScan(page, newPayload as string);
    await expect(page.getByTestId('result-checkout-confirm')).toContainText('Hej då, Anna?');
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    await kliv.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
