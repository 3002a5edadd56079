/**
 * Staff mode end to end: the real `kliv serve` browser mode in Chromium,
 * staff accounts made with the real CLI, badges scanned through a simulated
 * USB keyboard wedge and every screen driven by touch (clicks).
 */
import type { Page } from '@playwright/test';
import { expect, openKiosk, screenshot, test, wedgeScan, type Kliv } from './fixtures';

test.describe.configure({ mode: 'parallel' });

interface Staff { name: string; pin: string; badge: string; staffId: number }

function addStaff(kliv: Kliv, name: string, role: 'staff' | 'coordinator' | 'admin', pin: string): Staff {
  const out = JSON.parse(kliv.cli(['staff', 'add', '--name', name, '--role', role, '--pin', pin, '--json']).stdout) as { staffId: number; badgePayload: string };
  return { name, pin, badge: out.badgePayload, staffId: out.staffId };
}

async function typePin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await page.getByTestId(`pin-key-${digit}`).click();
}

/** From the attract screen (or the login screen): scan the badge, type the PIN, log in. */
async function login(page: Page, who: Staff, pin = who.pin): Promise<void> {
  await wedgeScan(page, who.badge);
  await expect(page.getByTestId('badge-read')).toBeVisible();
  await typePin(page, pin);
  await page.getByTestId('login-submit').click();
}

async function loggedIn(page: Page, who: Staff): Promise<void> {
  await login(page, who);
  await expect(page.getByTestId('staff-today')).toBeVisible();
  await expect(page.getByTestId('staff-user')).toContainText(who.name);
}

/** A participant taps in at the kiosk, as on any morning. */
async function arrive(page: Page, payload: string): Promise<void> {
  await wedgeScan(page, payload);
  await expect(page.getByTestId('result-checked-in')).toBeVisible();
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByTestId('attract')).toBeVisible();
}

/** "09:30" minus 10 minutes = "09:20"; null when that would fall on the day before. */
function minutesEarlier(time: string, minutes: number): string | null {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const total = h * 60 + m - minutes;
  if (total < 0) return null;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

async function lock(page: Page): Promise<void> {
  await page.getByTestId('staff-lock').click();
  await expect(page.getByTestId('attract')).toBeVisible();
}

test('badge + PIN login shows today with the people present', async ({ page, kliv }) => {
  const anna = addStaff(kliv, 'Anna Berg', 'staff', '246810');
  const sara = kliv.enrol('Sara');
  const omar = kliv.enrol('Omar');
  kliv.enrol('Lena');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await arrive(page, sara.payload);
  await arrive(page, omar.payload);

  await wedgeScan(page, anna.badge);
  await expect(page.getByTestId('badge-read')).toBeVisible();
  await typePin(page, anna.pin.slice(0, 4));
  await screenshot(page, 'staff-login');
  await typePin(page, anna.pin.slice(4));
  await page.getByTestId('login-submit').click();

  await expect(page.getByTestId('staff-today')).toBeVisible();
  await expect(page.getByTestId('staff-user')).toContainText('Anna Berg');
  await expect(page.getByTestId('staff-user')).toContainText('Personal');
  await expect(page.getByTestId('count-present')).toHaveText('2');
  await expect(page.getByTestId('list-pending')).toContainText('Sara');
  await expect(page.getByTestId('list-pending')).toContainText('Omar');
  // Plain staff have no accounts screen.
  await expect(page.getByTestId('nav-accounts')).toHaveCount(0);
  await screenshot(page, 'staff-today');

  // The same screens stand up on a portrait kiosk.
  await page.setViewportSize({ width: 1080, height: 1920 });
  await screenshot(page, 'staff-today-portrait');
  await page.getByTestId('list-pending').getByText('Sara').click();
  await expect(page.getByTestId('visit-panel')).toBeVisible();
  await screenshot(page, 'staff-visit-portrait');
});

test('the staff corner opens the login screen', async ({ page, kliv }) => {
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await page.getByTestId('staff-corner').click();
  await expect(page.getByTestId('badge-prompt')).toBeVisible();
  await screenshot(page, 'staff-login-prompt');
  await page.getByTestId('login-by-name').click();
  await expect(page.getByTestId('name-login')).toBeVisible();
  await screenshot(page, 'staff-login-name');
  await page.setViewportSize({ width: 1080, height: 1920 });
  await screenshot(page, 'staff-login-name-portrait');
  await page.getByTestId('login-cancel').click();
  await expect(page.getByTestId('attract')).toBeVisible();
});

test('five wrong PINs lock the account; a coordinator unlocks it in the UI; then login works', async ({ page, kliv }) => {
  const bo = addStaff(kliv, 'Bo Ek', 'staff', '314159');
  const cia = addStaff(kliv, 'Cia Lund', 'coordinator', '271828');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });

  await wedgeScan(page, bo.badge);
  await expect(page.getByTestId('badge-read')).toBeVisible();
  for (let attempt = 1; attempt <= 5; attempt++) {
    await typePin(page, '999999');
    await page.getByTestId('login-submit').click();
    // The fifth wrong PIN itself locks the account.
    if (attempt < 5) await expect(page.getByTestId('login-error')).toHaveText('Fel kort eller PIN-kod.');
    else await expect(page.getByTestId('login-locked')).toBeVisible();
  }
  // Locked: even the right PIN is refused now, and the screen says so.
  await typePin(page, bo.pin);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-locked')).toHaveText('Kontot är låst. En samordnare kan låsa upp det.');
  await expect(page.getByTestId('staff')).toHaveCount(0);
  await screenshot(page, 'staff-login-locked');
  await page.getByTestId('login-cancel').click();
  await expect(page.getByTestId('attract')).toBeVisible();

  await loggedIn(page, cia);
  await page.getByTestId('nav-accounts').click();
  const row = page.getByTestId(`account-${bo.staffId}`);
  await expect(row.getByTestId('account-locked')).toBeVisible();
  await screenshot(page, 'staff-accounts');
  await row.getByTestId('account-unlock').click();
  await expect(row.getByTestId('account-locked')).toHaveCount(0);
  await expect(page.getByTestId('toast')).toContainText('Bo Ek');
  // A coordinator unlocks but does not manage accounts.
  await expect(page.getByTestId('accounts-add')).toHaveCount(0);
  await lock(page);

  await loggedIn(page, bo);
});

test('auto-lock returns to the attract screen with no staff data left', async ({ page, kliv }) => {
  kliv.cli(['config', 'set', 'staff.idleLockSeconds', '5']);
  const anna = addStaff(kliv, 'Anna Berg', 'staff', '246810');
  const sara = kliv.enrol('Sara');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await arrive(page, sara.payload);
  await loggedIn(page, anna);
  await page.getByTestId('list-pending').getByText('Sara').click();
  await expect(page.getByTestId('visit-panel')).toBeVisible();

  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 12_000 });
  await expect(page.getByTestId('staff')).toHaveCount(0);
  const text = await page.locator('body').innerText();
  expect(text).not.toContain('Anna Berg');
  expect(text).not.toContain('Sara');
  expect(await page.content()).not.toContain('Sara');

  // The server session ended too: scanning the badge asks for the PIN again.
  await wedgeScan(page, anna.badge);
  await expect(page.getByTestId('staff-login')).toBeVisible();
});

test('a check is recorded and shows in the today view', async ({ page, kliv }) => {
  const anna = addStaff(kliv, 'Anna Berg', 'staff', '246810');
  const sara = kliv.enrol('Sara');
  const omar = kliv.enrol('Omar');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await arrive(page, sara.payload);
  await arrive(page, omar.payload);
  await loggedIn(page, anna);

  await page.getByTestId('list-pending').getByText('Sara').click();
  await expect(page.getByTestId('visit-panel')).toBeVisible();
  await screenshot(page, 'staff-visit-check');
  await page.getByTestId('check-ready').click();
  await expect(page.getByTestId('toast')).toContainText('Sara');
  await expect(page.getByTestId('visit-panel')).toHaveCount(0);
  await expect(page.getByTestId('list-pending')).not.toContainText('Sara');
  await expect(page.getByTestId('list-present').getByRole('button', { name: /Sara/ })).toContainText('Nykter och arbetsför');

  // "Not today": a category is required, and by default the visit ends at once.
  await page.getByTestId('list-pending').getByText('Omar').click();
  await page.getByTestId('check-not-today').click();
  await expect(page.getByTestId('check-save')).toBeDisabled();
  await page.getByTestId('reason-unwell').click();
  await screenshot(page, 'staff-visit-not-today');
  await page.getByTestId('check-save').click();
  await expect(page.getByTestId('visit-panel')).toHaveCount(0);
  await expect(page.getByTestId('list-left').getByRole('button', { name: /Omar/ })).toContainText('Inte idag · Mår dåligt');
  await expect(page.getByTestId('count-pending')).toHaveText('0');

  // Arabic and Persian will follow: the layout mirrors with dir="rtl".
  await page.evaluate(() => { document.documentElement.dir = 'rtl'; });
  await page.getByTestId('list-left').getByRole('button', { name: /Omar/ }).click();
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('visit-history')).toBeVisible();
  await screenshot(page, 'staff-visit-rtl');
});

test('a correction keeps its history', async ({ page, kliv }) => {
  const anna = addStaff(kliv, 'Anna Berg', 'staff', '246810');
  const sara = kliv.enrol('Sara');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await arrive(page, sara.payload);
  await loggedIn(page, anna);

  await page.getByTestId('list-present').getByText('Sara').click();
  await page.getByTestId('check-ready').click();
  await expect(page.getByTestId('visit-panel')).toHaveCount(0);
  await page.getByTestId('list-present').getByText('Sara').click();
  await page.getByTestId('tab-correct').click();
  const original = await page.getByTestId('correct-in').inputValue();
  const corrected = minutesEarlier(original, 10);
  test.skip(corrected === null, 'just after midnight there is no earlier time on the same day');
  const earlier = corrected ?? '';
  await page.getByTestId('correct-in').fill(earlier);
  await page.getByTestId('correction-reason-wrong_time').click();
  await screenshot(page, 'staff-visit-correct');
  await page.getByTestId('correct-save').click();
  await expect(page.getByTestId('panel-times')).toContainText(`In ${earlier}`);

  // The check's outcome is corrected too, with its own reason.
  await page.getByTestId('tab-check').click();
  await page.getByTestId('check-change').click();
  await page.getByTestId('correct-outcome-not_today').click();
  await page.getByTestId('reason-other').click();
  await page.getByTestId('correction-reason-wrong_check').click();
  await page.getByTestId('check-correct-save').click();
  await expect(page.getByTestId('panel-error')).toHaveCount(0);

  await page.getByTestId('tab-history').click();
  const history = page.getByTestId('visit-history');
  await expect(history.getByTestId('history-original')).toContainText(original);
  const correction = history.getByTestId('history-correction');
  await expect(correction).toContainText(original);
  await expect(correction).toContainText(earlier);
  await expect(correction).toContainText('Fel tid');
  await expect(correction).toContainText('Anna Berg');
  await expect(history.getByTestId('history-check')).toHaveCount(2);
  await expect(history.getByTestId('history-check').nth(1)).toContainText('Fel kontroll');
  await screenshot(page, 'staff-visit-history');
  await page.getByTestId('panel-close').click();
  await expect(page.getByTestId('list-left').getByRole('button', { name: /Sara/ }).or(page.getByTestId('list-present').getByRole('button', { name: /Sara/ })))
    .toContainText('Rättad');
});

test('a day is confirmed and then locked; a coordinator\'s later change is flagged', async ({ page, kliv }) => {
  const anna = addStaff(kliv, 'Anna Berg', 'staff', '246810');
  const cia = addStaff(kliv, 'Cia Lund', 'coordinator', '271828');
  const sara = kliv.enrol('Sara');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await arrive(page, sara.payload);
  await loggedIn(page, anna);

  await page.getByTestId('nav-day').click();
  await expect(page.getByTestId('stat-visits')).toContainText('1');
  await expect(page.getByTestId('check-pending')).toContainText('Väntar på kontroll: 1');
  await expect(page.getByTestId('day-confirm')).toBeDisabled();
  await screenshot(page, 'staff-day');

  // Resolve the pending check, then confirm with open visits auto-closed.
  await page.getByTestId('nav-today').click();
  await page.getByTestId('list-pending').getByText('Sara').click();
  await page.getByTestId('check-ready').click();
  await expect(page.getByTestId('count-pending')).toHaveText('0');
  await page.getByTestId('nav-day').click();
  await expect(page.getByTestId('check-open')).toContainText('Fortfarande incheckade: 1');
  await page.getByTestId('autoclose').click();
  await expect(page.getByTestId('day-confirm')).toBeEnabled();
  await page.getByTestId('day-confirm').click();
  await screenshot(page, 'staff-day-confirm');
  await page.getByTestId('day-confirm-yes').click();
  await expect(page.getByTestId('day-locked')).toBeVisible();
  await expect(page.getByTestId('day-confirmed-by')).toContainText('Anna Berg');
  await screenshot(page, 'staff-day-locked');

  // Locked for plain staff.
  await page.getByTestId('nav-today').click();
  await expect(page.getByTestId('today-confirmed')).toContainText('Anna Berg');
  const saraRow = page.getByTestId('list-left').getByRole('button', { name: /Sara/ });
  await expect(saraRow).toContainText('Stängd automatiskt');
  await saraRow.click();
  await expect(page.getByTestId('panel-confirmed-note')).toContainText('samordnare');
  await expect(page.getByTestId('check-change')).toHaveCount(0);
  await page.getByTestId('panel-close').click();
  await lock(page);

  // A coordinator may still correct; the change is flagged.
  await loggedIn(page, cia);
  await page.getByTestId('list-left').getByRole('button', { name: /Sara/ }).click();
  await page.getByTestId('tab-correct').click();
  const inTime = await page.getByTestId('correct-in').inputValue();
  const earlier = minutesEarlier(inTime, 10);
  test.skip(earlier === null, 'just after midnight there is no earlier time on the same day');
  await page.getByTestId('correct-in').fill(earlier ?? '');
  await page.getByTestId('correction-reason-wrong_time').click();
  await page.getByTestId('correct-save').click();
  await expect(page.getByTestId('panel-error')).toHaveCount(0);
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('history-correction')).toContainText('Efter bekräftelse');
  await screenshot(page, 'staff-visit-history-flagged');
});

test('manual check-in by search, and an admin adds staff and sees the badge once', async ({ page, kliv }) => {
  const ada = addStaff(kliv, 'Ada Admin', 'admin', '135790');
  kliv.enrol('Sara', 'K-1001');
  kliv.enrol('Samir', 'K-1002');
  kliv.enrol('Omar', 'K-1003');
  const url = await kliv.serve();
  await openKiosk(page, url, { camera: false });
  await loggedIn(page, ada);

  await page.getByTestId('nav-checkin').click();
  await page.getByTestId('checkin-search').fill('sa');
  await expect(page.getByTestId('checkin-results')).toContainText('Samir');
  await expect(page.getByTestId('checkin-results')).not.toContainText('Omar');
  await screenshot(page, 'staff-checkin');
  await page.getByTestId('checkin-results').getByRole('button', { name: /Sara/ }).click();
  await expect(page.getByTestId('checkin-save')).toBeDisabled();
  await page.getByTestId('checkin-reason-card_lost').click();
  await screenshot(page, 'staff-checkin-confirm');
  await page.getByTestId('checkin-save').click();
  // Straight on to the check for the person just checked in.
  await expect(page.getByTestId('visit-panel')).toContainText('Sara');
  await expect(page.getByTestId('visit-panel')).toContainText('Manuellt');
  await page.getByTestId('panel-close').click();
  await expect(page.getByTestId('list-present')).toContainText('Sara');

  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('accounts-add').click();
  await page.getByTestId('add-name').fill('Dana Ny');
  await page.getByTestId('add-role-staff').click();
  await page.getByTestId('add-next').click();
  await typePin(page, '864200');
  await page.getByTestId('add-pin-next').click();
  await typePin(page, '864200');
  await page.getByTestId('add-save').click();
  const payload = (await page.getByTestId('badge-payload').innerText()).trim();
  expect(payload).toMatch(/^KLIV/);
  await screenshot(page, 'staff-add-badge');
  await page.getByTestId('add-done').click();
  await expect(page.getByTestId('staff-accounts')).toContainText('Dana Ny');
  expect(await page.content()).not.toContain(payload);
  await screenshot(page, 'staff-accounts-admin');
  await lock(page);

  // The new badge works at once.
  await loggedIn(page, { name: 'Dana Ny', pin: '864200', badge: payload, staffId: 0 });
});
