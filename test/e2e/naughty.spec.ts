/**
 * Naughty names end to end: participants enrolled through the real CLI with
 * display names that are markup, SQL, templates, emoji, right-to-left text
 * or as long as allowed; their cards are scanned through the simulated USB
 * wedge in Chromium on browser mode. The kiosk's greeting and the staff's
 * today view must show each name as exactly that text: no element made from
 * it, no dialog, no console error.
 */
import type { Page } from '@playwright/test';
import { expect, openKiosk, test, wedgeScan, type Kliv } from './fixtures';

const NAMES = [
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE participants; --",
  '<script>alert(document.cookie)</script>',
  'Anna 😀🎉',
  'محمد',
  'Maximiliana Wilhelmina Ödegaard-Björkqvi', // 40 characters, the most a display name may have
  '{name} {time} $& $1',
  '=HYPERLINK("http://x","y")',
  '</h1><b>Bo</b>',
];
const STAFF_NAME = '<i>Kim</i> "Berg" & Co';
const PIN = '246810';

interface Watch { dialogs: string[]; errors: string[] }

/** Records every dialog (and dismisses it) and every console error or uncaught exception. */
function watch(page: Page): Watch {
  const w: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    w.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (msg) => {
    // Chromium's own request for /favicon.ico (browser mode serves none) is not the page's doing.
    if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico')) w.errors.push(`${msg.text()} ${msg.location().url}`);
  });
  page.on('pageerror', (err) => w.errors.push(err.message));
  page.on('response', (res) => {
    if (res.status() >= 400) w.errors.push(`HTTP ${res.status()} ${new URL(res.url()).pathname}`);
  });
  return w;
}

/** Elements the names would create if they were ever parsed as HTML. */
async function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => [
    ...Array.from(document.querySelectorAll('img[src="x"], [onerror], [onload], i, b')).map((e) => e.outerHTML),
    ...Array.from(document.querySelectorAll('script')).filter((s) => !s.src).map((s) => s.outerHTML),
  ]);
}

function enrolAll(kliv: Kliv): { name: string; payload: string }[] {
  return NAMES.map((name) => ({ name, payload: kliv.enrol(name).payload }));
}

test('names that are markup, SQL, templates, emoji, RTL or 40 characters long are greeted as exactly that text', async ({ page, kliv }) => {
  const people = enrolAll(kliv);
  const w = watch(page);
  await openKiosk(page, await kliv.serve(), { camera: false });
  for (const { name, payload } of people) {
    await wedgeScan(page, payload);
    const panel = page.getByTestId('result-checked-in');
    await expect(panel).toBeVisible();
    const title = panel.locator('.result__title');
    // Exactly the text, character for character, and only text: no child elements.
    expect(await title.evaluate((el) => el.textContent)).toBe(`Välkommen, ${name}!`);
    expect(await title.evaluate((el) => el.childElementCount)).toBe(0);
    expect(await injectedElements(page)).toEqual([]);
    await panel.getByRole('button', { name: 'OK' }).click();
    await expect(page.getByTestId('attract')).toBeVisible();
  }
  expect(w.dialogs).toEqual([]);
  expect(w.errors).toEqual([]);
});

test("the staff's today view lists the same names as text", async ({ page, kliv }) => {
  const people = enrolAll(kliv);
  for (const { payload } of people) kliv.cli(['scan', '--payload', payload]);
  const staff = JSON.parse(kliv.cli(['staff', 'add', '--name', STAFF_NAME, '--role', 'staff', '--pin', PIN, '--json']).stdout) as { badgePayload: string };
  const w = watch(page);
  await openKiosk(page, await kliv.serve(), { camera: false });

  await wedgeScan(page, staff.badgePayload);
  await expect(page.getByTestId('badge-read')).toBeVisible();
  for (const digit of PIN) await page.getByTestId(`pin-key-${digit}`).click();
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('staff-today')).toBeVisible();
  expect(await page.getByTestId('staff-user').evaluate((el) => el.textContent)).toContain(STAFF_NAME);

  const pending = page.getByTestId('list-pending');
  await expect(page.getByTestId('count-pending')).toHaveText(String(NAMES.length));
  const shown = await pending.locator('.person__name').evaluateAll((els) => els.map((el) => ({ text: el.textContent, children: el.childElementCount })));
  expect(shown.map((s) => s.text).sort()).toEqual([...NAMES].sort());
  expect(shown.every((s) => s.children === 0)).toBe(true);
  expect(await injectedElements(page)).toEqual([]);
  expect(w.dialogs).toEqual([]);
  expect(w.errors).toEqual([]);
});
