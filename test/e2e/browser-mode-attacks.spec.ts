/**
 * Browser mode's defences seen from a real Chromium, the way an attack would
 * come: a hostile web page open in the same browser as the kiosk (on another
 * local port, so same site but another origin, and the kiosk's cookie is
 * sent along), and DNS rebinding (a name the attacker controls that
 * resolves to 127.0.0.1, simulated with Chromium's --host-resolver-rules).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { dbCounts, expect as baseExpect, openKiosk, test } from './fixtures';

const expect = baseExpect.configure({ timeout: 20_000 });

/** A web page on another port of 127.0.0.1, as any local program or browser tab could serve. */
async function hostilePage(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('a hostile page in the kiosk\'s browser cannot call the API with the kiosk\'s cookie', async ({ context, page, kliv }) => {
  const { payload } = kliv.enrol('Anna');
  const launchUrl = await kliv.serve();
  const kioskOrigin = new URL(launchUrl).origin;
  await openKiosk(page, launchUrl, { camera: false });
  expect((await context.cookies(kioskOrigin)).map((c) => c.name)).toContain('kliv_client');

  const hostile = await hostilePage('<!doctype html><title>hostile</title>');
  try {
    const attacker = await context.newPage();
    await attacker.goto(hostile.url);
    const outcomes = await attacker.evaluate(async ({ api, payload: card }) => {
      const body = JSON.stringify({ method: 'kiosk.scan', input: { payload: card } });
      const attempt = async (init: RequestInit): Promise<string> => {
        try {
          const res = await fetch(api, { method: 'POST', credentials: 'include', body, ...init });
          return res.type === 'opaque' ? 'opaque' : `status ${res.status}: ${await res.text()}`;
        } catch (err) {
          return `blocked: ${(err as Error).name}`;
        }
      };
      return {
        json: await attempt({ headers: { 'Content-Type': 'application/json' } }),
        simple: await attempt({ mode: 'no-cors', headers: { 'Content-Type': 'text/plain' } }),
        form: await attempt({ mode: 'no-cors', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
        read: await fetch(api.replace('/api/call', '/'), { credentials: 'include' }).then((r) => r.text()).then((t) => `read ${t.length} chars`, (err: Error) => `blocked: ${err.name}`),
      };
    }, { api: `${kioskOrigin}/api/call`, payload });
    // The JSON call dies in the CORS preflight. The "simple" ones are sent (with the
    // cookie: same site) and refused by the server (Origin, content type); the
    // browser then hides even the refusal (Cross-Origin-Resource-Policy).
    expect(outcomes.json).toBe('blocked: TypeError');
    expect(['opaque', 'blocked: TypeError']).toContain(outcomes.simple);
    expect(['opaque', 'blocked: TypeError']).toContain(outcomes.form);
    expect(outcomes.read).toBe('blocked: TypeError');
    // Nobody was checked in, and no scan even reached the scan rules.
    expect(dbCounts(kliv.dataDir)).toMatchObject({ visits: 0, rejected: {} });

    // Nor can the page frame the kiosk to trick a touch (X-Frame-Options, frame-ancestors).
    await attacker.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      document.body.appendChild(frame);
    }, `${kioskOrigin}/`);
    await expect.poll(() => attacker.frames().length).toBe(2);
    const child = attacker.frames().find((f) => f !== attacker.mainFrame());
    await attacker.waitForTimeout(1500);
    // Playwright can look into any frame; a kiosk that loaded would show its attract screen here.
    expect(await child?.locator('[data-testid="attract"]').count()).toBe(0);
    expect(child?.url()).not.toBe(`${kioskOrigin}/`);

    // The kiosk itself still works.
    const status = await page.evaluate(() => window.kliv?.call('kiosk.status', {}));
    expect(status).toMatchObject({ ok: true });
  } finally {
    hostile.server.close();
  }
});

test('DNS rebinding: a page at an attacker\'s name that resolves to 127.0.0.1 gets nothing, even holding the launch secret', async ({ kliv }) => {
  const { payload } = kliv.enrol('Anna');
  const launchUrl = new URL(await kliv.serve());
  const port = launchUrl.port;
  const browser = await chromium.launch({
    executablePath: process.env.KLIV_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.attacker.test 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    const rebound = `http://rebind.attacker.test:${port}`;
    // Even the real launch link, opened under the rebound name, is refused and sets no cookie.
    const launch = await page.goto(`${rebound}/?launch=${launchUrl.searchParams.get('launch')}`);
    expect(launch?.status()).toBe(421);
    expect(await page.context().cookies()).toEqual([]);
    const index = await page.goto(`${rebound}/`);
    expect(index?.status()).toBe(421);
    expect(await page.content()).not.toContain('<script');
    // Script on the attacker's page (same origin as far as the browser knows) tries the API.
    const api = await page.evaluate(async ({ url, card }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'kiosk.scan', input: { payload: card } }) });
      return { status: res.status, body: await res.text() };
    }, { url: `${rebound}/api/call`, card: payload });
    expect(api.status).toBe(421);
    expect(api.body).not.toContain('Anna');
    expect(dbCounts(kliv.dataDir).visits).toBe(0);
  } finally {
    await browser.close();
  }
});
