/**
 * The participant-facing kiosk end to end: the real `kliv serve` browser
 * mode in Chromium, cards scanned through a simulated USB keyboard wedge or
 * shown to Chromium's fake camera, and what was recorded read back from the
 * database file itself.
 */
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCardPayload } from '../../shared/card';
import {
  cardVideo, dbCounts, emptySceneVideo, expect as baseExpect, humanType, launchWithCamera, openDataReadOnly, openKiosk, screenshot, test, wedgeScan, type Kliv,
} from './fixtures';

// Patient assertions: these tests also run on busy, shared CI machines.
const expect = baseExpect.configure({ timeout: 20_000 });

// Every test has its own data folder and server, so they may run side by side.
// The waits for the server's 5 s double-scan window add up, hence the timeout.
test.describe.configure({ mode: 'parallel', timeout: 120_000 });

/** The server's double-scan window is 5 s (monotonic); wait just past it. */
const PAST_DOUBLE_SCAN_WINDOW_MS = 5_400;
const TIME_ZONE = 'Europe/Stockholm';

function stockholmTime(at: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/** The kiosk shows the minute of the scan; the scan may straddle a minute boundary. */
function minutesAround(before: number, after: number): string[] {
  return [...new Set([stockholmTime(before), stockholmTime(after)])];
}

/** Waits until the camera preview shows real frames, so screenshots show it live. */
async function cameraLive(page: Page): Promise<void> {
  await expect(page.locator('[data-camera-state="running"]')).toBeVisible({ timeout: 15_000 });
  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return !!v && v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0.3;
  });
}

async function startKiosk(page: Page, kliv: Kliv, name = 'Anna'): Promise<{ payload: string; code: string }> {
  const card = kliv.enrol(name);
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  return card;
}

/** Dismisses a result screen with its OK button and waits for the attract screen. */
async function dismiss(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
  await expect(page.locator('[data-testid^="result-"]')).toHaveCount(0);
}

/** Every row of every table but the rejected-scan counter, to prove nothing else changed. */
function snapshotWithoutRejections(kliv: Kliv): string {
  const db = openDataReadOnly(kliv.dataDir);
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('rejected_scans') ORDER BY name").pluck().all() as string[];
    const dump: Record<string, unknown[]> = {};
    for (const t of tables) dump[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all();
    return JSON.stringify(dump, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
  } finally {
    db.close();
  }
}

test.describe('scanner (keyboard wedge)', () => {
  test('check-in, then check-out after the double-scan window, is really recorded', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);

    const before = Date.now();
    await wedgeScan(page, payload);
    const checkedIn = page.getByTestId('result-checked-in');
    await expect(checkedIn).toBeVisible();
    const after = Date.now();
    await expect(checkedIn).toContainText('Välkommen, Anna!');
    const inText = (await checkedIn.textContent()) ?? '';
    const inTime = /Du är incheckad (\d{2}:\d{2})/.exec(inText)?.[1];
    expect(minutesAround(before, after)).toContain(inTime);
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, visitEvents: ['visit.checked_in'] });

    await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
    await wedgeScan(page, payload);
    const confirm = page.getByTestId('result-checkout-confirm');
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText('Hej då, Anna?');
    await expect(confirm).toContainText(`Du checkade in ${inTime}`);
    // Asking is not checking out.
    expect(dbCounts(kliv.dataDir)).toMatchObject({ openVisits: 1, closedVisits: 0, visitEvents: ['visit.checked_in'] });

    await confirm.getByRole('button', { name: 'Ja, checka ut' }).click();
    const checkedOut = page.getByTestId('result-checked-out');
    await expect(checkedOut).toBeVisible();
    await expect(checkedOut).toContainText('Tack för idag, Anna!');
    await expect(checkedOut).toContainText(/Du är utcheckad \d{2}:\d{2}/);
    expect(dbCounts(kliv.dataDir)).toMatchObject({
      visits: 1, openVisits: 0, closedVisits: 1, visitEvents: ['visit.checked_in', 'visit.checked_out'], rejected: {},
    });

    // The same card straight after checking out is a double scan, not a new visit.
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-double-scan')).toContainText('Du är redan utcheckad.');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, closedVisits: 1, visitEvents: ['visit.checked_in', 'visit.checked_out'] });

    // Coming back later the same day starts a new visit (the CLI applies the same rules).
    const again = JSON.parse(kliv.cli(['scan', '--payload', payload, '--json']).stdout) as { outcome: string };
    expect(again.outcome).toBe('checked-in');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 2, openVisits: 1, closedVisits: 1, visitEvents: ['visit.checked_in', 'visit.checked_out', 'visit.checked_in'] });
  });

  test('"Nej" on the check-out question keeps the participant checked in', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-checked-in')).toBeVisible();

    await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
    await wedgeScan(page, payload);
    const confirm = page.getByTestId('result-checkout-confirm');
    await confirm.getByRole('button', { name: 'Nej, jag stannar' }).click();
    const cancelled = page.getByTestId('result-checkout-cancelled');
    await expect(cancelled).toContainText('Okej, Anna');
    await expect(cancelled).toContainText('Du är fortfarande incheckad.');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, closedVisits: 0, visitEvents: ['visit.checked_in'] });

    // Still checked in: the next scan asks again rather than checking in anew.
    await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-checkout-confirm')).toBeVisible();
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, visitEvents: ['visit.checked_in'] });
  });

  test('an unanswered check-out question times out as "no"', async ({ page, kliv }) => {
    // Real time on purpose: Playwright's fake clock also fakes KeyboardEvent
    // timestamps, which the scanner detection relies on.
    const { payload } = await startKiosk(page, kliv);
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-checked-in')).toBeVisible();
    await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
    await wedgeScan(page, payload);
    const confirm = page.getByTestId('result-checkout-confirm');
    await expect(confirm).toBeVisible();
    const shownAt = Date.now();
    await page.waitForTimeout(12_000);
    await expect(confirm).toBeVisible();
    await expect(confirm).toHaveCount(0, { timeout: 15_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(15_000);
    await expect(page.getByTestId('attract')).toBeVisible();
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, closedVisits: 0, visitEvents: ['visit.checked_in'] });
  });

  test('a double scan within 5 s shows "redan incheckad" and records nothing', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-checked-in')).toBeVisible();
    const afterFirst = dbCounts(kliv.dataDir);
    expect(afterFirst).toMatchObject({ visits: 1, visitEvents: ['visit.checked_in'] });

    await wedgeScan(page, payload);
    const double = page.getByTestId('result-double-scan');
    await expect(double).toBeVisible();
    await expect(double).toContainText('Klart, Anna');
    await expect(double).toContainText('Du är redan incheckad.');
    await expect(page.getByTestId('result-checkout-confirm')).toHaveCount(0);
    expect(dbCounts(kliv.dataDir)).toEqual(afterFirst);
  });

  test('an unknown card is refused and only the rejected-scan counter changes', async ({ page, kliv }) => {
    await startKiosk(page, kliv);
    const before = snapshotWithoutRejections(kliv);
    const neverIssued = generateCardPayload('participant');

    await wedgeScan(page, neverIssued);
    const rejected = page.getByTestId('result-rejected');
    await expect(rejected).toBeVisible();
    await expect(rejected).toContainText('Kortet känns inte igen');
    await expect(rejected).toContainText('Prata med personalen');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 0, visitEvents: [], rejected: { unknown: 1 } });
    expect(snapshotWithoutRejections(kliv)).toBe(before);
  });

  test('malformed payloads are refused; a lowercase card is accepted', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    const before = snapshotWithoutRejections(kliv);

    // Garbage typed at scanner speed.
    await wedgeScan(page, 'HELLO-WORLD 42 ?!');
    await expect(page.getByTestId('result-rejected')).toContainText('Kortet känns inte igen');
    expect(dbCounts(kliv.dataDir).rejected).toEqual({ malformed: 1 });
    await dismiss(page);

    // A real card with one wrong character: the check character catches it.
    const last = payload.slice(-1);
    const wrongCheck = payload.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    await wedgeScan(page, wrongCheck);
    await expect(page.getByTestId('result-rejected')).toBeVisible();
    expect(dbCounts(kliv.dataDir).rejected).toEqual({ malformed: 2 });
    await dismiss(page);

    // Far too long for a card.
    await wedgeScan(page, payload.repeat(3));
    await expect(page.getByTestId('result-rejected')).toBeVisible();
    expect(dbCounts(kliv.dataDir).rejected).toEqual({ malformed: 3 });
    await dismiss(page);
    expect(snapshotWithoutRejections(kliv)).toBe(before);

    // Case does not matter (a scanner with Caps Lock, a different layout).
    await wedgeScan(page, payload.toLowerCase());
    await expect(page.getByTestId('result-checked-in')).toContainText('Välkommen, Anna!');
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, visitEvents: ['visit.checked_in'], rejected: { malformed: 3 } });
  });

  test('Shift presses from the scanner\'s keyboard layout are ignored', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    await wedgeScan(page, payload, { shift: true });
    await expect(page.getByTestId('result-checked-in')).toContainText('Välkommen, Anna!');
  });

  test('slow human typing followed by Enter is not a scan', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    const before = dbCounts(kliv.dataDir);
    await humanType(page, payload, 150);
    await page.waitForTimeout(1_500);
    await expect(page.getByTestId('attract')).toBeVisible();
    await expect(page.locator('[data-testid^="result-"]')).toHaveCount(0);
    expect(dbCounts(kliv.dataDir)).toEqual(before);
    expect(before).toMatchObject({ visits: 0, visitEvents: [], rejected: {} });

    // The very same card typed by the scanner right afterwards is read.
    await wedgeScan(page, payload);
    await expect(page.getByTestId('result-checked-in')).toBeVisible();
  });

  test('result screens return to the attract screen by themselves', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    await wedgeScan(page, payload);
    const checkedIn = page.getByTestId('result-checked-in');
    await expect(checkedIn).toBeVisible();
    const shownAt = Date.now();
    await expect(page.getByTestId('attract')).toHaveAttribute('aria-hidden', 'true');

    await expect(checkedIn).toHaveCount(0, { timeout: 15_000 });
    // The screen stays about 6 s: long enough to read, gone without a touch.
    const dwell = Date.now() - shownAt;
    expect(dwell).toBeGreaterThan(4_000);
    expect(dwell).toBeLessThan(12_000);
    await expect(page.getByTestId('attract')).toBeVisible();
    await expect(page.getByTestId('attract')).not.toHaveAttribute('aria-hidden', 'true');

    // A refused card's screen goes away too.
    await wedgeScan(page, generateCardPayload('participant'));
    await expect(page.getByTestId('result-rejected')).toBeVisible();
    await expect(page.getByTestId('result-rejected')).toHaveCount(0, { timeout: 12_000 });
    await expect(page.getByTestId('attract')).toBeVisible();
  });

  test('English can be chosen and shows English strings', async ({ page, kliv }) => {
    const { payload } = await startKiosk(page, kliv);
    await expect(page.getByTestId('attract')).toContainText('Välkommen!');
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    const attract = page.getByTestId('attract');
    await expect(attract).toContainText('Welcome!');
    // this kiosk runs without a camera, so it points to the scanner
    await expect(attract).toContainText('Show your card to the scanner');

    await wedgeScan(page, payload);
    const checkedIn = page.getByTestId('result-checked-in');
    await expect(checkedIn).toContainText('Welcome, Anna!');
    await expect(checkedIn).toContainText(/You checked in at \d{2}:\d{2}/);
    await expect(checkedIn).not.toContainText('Välkommen');
    await dismiss(page);

    await wedgeScan(page, generateCardPayload('participant'));
    await expect(page.getByTestId('result-rejected')).toContainText('We do not recognise this card');
    await dismiss(page);

    await page.getByRole('button', { name: 'Svenska' }).click();
    await expect(page.getByTestId('attract')).toContainText('Välkommen!');
  });
});

test.describe('camera', () => {
  test('a card shown to the camera checks in without any keyboard input', async ({ kliv }) => {
    const { payload } = kliv.enrol('Anna');
    const url = await kliv.serve();
    const clips = mkdtempSync(join(tmpdir(), 'kliv-clip-'));
    const browser = await launchWithCamera(await cardVideo(clips, payload));
    try {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.goto(url);
      const checkedIn = page.getByTestId('result-checked-in');
      await expect(checkedIn).toBeVisible({ timeout: 20_000 });
      await expect(checkedIn).toContainText('Välkommen, Anna!');
      expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, visitEvents: ['visit.checked_in'] });

      // The card stays in front of the camera: that is one scan, not a check-out.
      await expect(checkedIn).toHaveCount(0, { timeout: 10_000 });
      await page.waitForTimeout(2_000);
      await expect(page.getByTestId('result-checkout-confirm')).toHaveCount(0);
      await expect(page.getByTestId('result-double-scan')).toHaveCount(0);
      expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 1, openVisits: 1, visitEvents: ['visit.checked_in'] });
    } finally {
      await browser.close();
      rmSync(clips, { recursive: true, force: true });
    }
  });
});

/**
 * Saves a screenshot and checks what a picture cannot prove by itself: the
 * screen does not scroll or overflow, and no text sticks out of its box.
 */
async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const layout = await page.evaluate(() => {
    const root = document.documentElement;
    const clipped = [...document.querySelectorAll<HTMLElement>('h1, p, button')]
      .filter((el) => el.offsetParent !== null && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
      .map((el) => el.textContent ?? '');
    const offscreen = [...document.querySelectorAll<HTMLElement>('h1, p, button')]
      .filter((el) => {
        if (el.offsetParent === null) return false;
        const r = el.getBoundingClientRect();
        return r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight;
      })
      .map((el) => el.textContent ?? '');
    return { sw: root.scrollWidth, sh: root.scrollHeight, w: window.innerWidth, h: window.innerHeight, clipped, offscreen };
  });
  expect(layout.sw, `${name}: horizontal overflow`).toBeLessThanOrEqual(layout.w);
  expect(layout.sh, `${name}: vertical overflow`).toBeLessThanOrEqual(layout.h);
  expect(layout.clipped, `${name}: clipped text`).toEqual([]);
  expect(layout.offscreen, `${name}: text outside the screen`).toEqual([]);
}

test.describe('screenshots', () => {
  test('every kiosk screen, landscape 1920×1080 and portrait 1080×1920', async ({ kliv }) => {
    const { payload } = kliv.enrol('Anna');
    // The longest display name allowed (40 characters), to see titles wrap rather than overflow.
    const longName = kliv.enrol('Maximiliana-Konstantinopoulou Anderssons');
    const url = await kliv.serve();
    const clips = mkdtempSync(join(tmpdir(), 'kliv-clip-'));
    const browser = await launchWithCamera(emptySceneVideo(clips));
    try {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await openKiosk(page, url);
      await cameraLive(page);
      await shot(page, 'landscape-attract');

      await wedgeScan(page, payload);
      await expect(page.getByTestId('result-checked-in')).toBeVisible();
      await shot(page, 'landscape-checked-in');

      await wedgeScan(page, payload);
      await expect(page.getByTestId('result-double-scan')).toBeVisible();
      await shot(page, 'landscape-double-scan');

      await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
      await wedgeScan(page, payload);
      await expect(page.getByTestId('result-checkout-confirm')).toBeVisible();
      await shot(page, 'landscape-checkout-confirm');

      await page.getByRole('button', { name: 'Ja, checka ut' }).click();
      await expect(page.getByTestId('result-checked-out')).toBeVisible();
      await shot(page, 'landscape-checked-out');

      await wedgeScan(page, generateCardPayload('participant'));
      await expect(page.getByTestId('result-rejected')).toBeVisible();
      await shot(page, 'landscape-rejected');
      await dismiss(page);

      await wedgeScan(page, longName.payload);
      await expect(page.getByTestId('result-checked-in')).toBeVisible();
      await shot(page, 'landscape-checked-in-long-name');
      await dismiss(page);

      const noCamera = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await openKiosk(noCamera, url, { camera: false });
      await shot(noCamera, 'landscape-attract-camera-off');
      await noCamera.close();

      const portrait = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
      await openKiosk(portrait, url);
      await cameraLive(portrait);
      await shot(portrait, 'portrait-attract');
      const third = kliv.enrol('Kim');
      await wedgeScan(portrait, third.payload);
      await expect(portrait.getByTestId('result-checked-in')).toBeVisible();
      await shot(portrait, 'portrait-checked-in');
      await page.waitForTimeout(PAST_DOUBLE_SCAN_WINDOW_MS);
      await wedgeScan(portrait, third.payload);
      await expect(portrait.getByTestId('result-checkout-confirm')).toBeVisible();
      await shot(portrait, 'portrait-checkout-confirm');
      await portrait.getByRole('button', { name: 'Nej, jag stannar' }).click();
      await expect(portrait.getByTestId('result-checkout-cancelled')).toBeVisible();
      await shot(portrait, 'portrait-checkout-cancelled');
      await dismiss(portrait);
      // Checked in on the landscape kiosk more than 5 s ago, so this asks to check out.
      await wedgeScan(portrait, longName.payload);
      await expect(portrait.getByTestId('result-checkout-confirm')).toBeVisible();
      await shot(portrait, 'portrait-checkout-confirm-long-name');

      // The server goes away: the kiosk says so calmly instead of hanging.
      await kliv.stop();
      await wedgeScan(page, payload);
      await expect(page.getByTestId('result-error')).toBeVisible();
      await shot(page, 'landscape-error');
    } finally {
      await browser.close();
      rmSync(clips, { recursive: true, force: true });
    }
  });
});
