/**
 * Scan-to-confirmation in the browser: from the keydown of a wedge scan's
 * Enter to the frame in which the confirmation is painted, measured inside
 * the page (performance.now at the Enter keydown; a MutationObserver sees the
 * result screen and a requestAnimationFrame callback marks the frame that
 * paints it). Runs the real `kliv serve` and Debian's Chromium.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type CDPSession } from 'playwright-core';
import { openApp } from '../../electron/api/app';
import { enrolParticipant } from '../../electron/services/participants';
import { initVenue } from '../../electron/services/venue';
import { summarize, ms, type BenchFigure } from './stats';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

declare global {
  interface Window { __klivBench?: { t0: number; latencies: number[] } }
}

/**
 * Types like a USB scanner: key events with the scanner's own 4 ms spacing in
 * their timestamps, sent without waiting on each key (a loaded machine would
 * otherwise stretch the gaps and the kiosk would rightly take it for typing).
 */
async function wedge(cdp: CDPSession, payload: string): Promise<void> {
  let at = Date.now() / 1000;
  const sends: Promise<unknown>[] = [];
  for (const ch of payload) {
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch, timestamp: at }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch, timestamp: at }));
    at += 0.004;
  }
  sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r', unmodifiedText: '\r', timestamp: at }));
  sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, timestamp: at }));
  await Promise.all(sends);
}

export async function runScanBrowserBench(iterations = 60, root = resolve(__dirname, '..', '..')): Promise<BenchFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'kliv-bench-scan-'));
  const app = openApp({ dataDir: dir });
  initVenue(app.ctx, { name: 'Bench', mode: 'dropin', timeZone: 'Europe/Stockholm' });
  const payloads = Array.from({ length: iterations + 5 }, (_, i) => enrolParticipant(app.ctx, { displayName: `Deltagare ${i}`, code: `S${1000 + i}` }).issued.payload);
  app.close();
  const server = spawn(process.execPath, [join(root, 'bin', 'kliv.cjs'), '--data-dir', dir, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      server.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /Open: (\S+)/.exec(out);
        if (m?.[1]) ok(m[1]);
      });
      server.on('exit', (code) => fail(new Error(`kliv serve exited ${code}`)));
    });
    const browser = await chromium.launch({ executablePath: process.env.KLIV_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(url);
    await page.goto(new URL('/?camera=off', url).href);
    await page.getByTestId('attract').waitFor();
    const cdp = await page.context().newCDPSession(page);
    await page.evaluate(() => {
      const state = { t0: 0, latencies: [] as number[] };
      window.__klivBench = state;
      window.addEventListener('keydown', (e) => { if (e.key === 'Enter') state.t0 = performance.now(); }, true);
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) {
          if (n instanceof HTMLElement && n.dataset.testid?.startsWith('result-') && state.t0 > 0) {
            const start = state.t0;
            state.t0 = 0;
            requestAnimationFrame(() => state.latencies.push(performance.now() - start));
          }
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    for (let i = 0; i < payloads.length; i++) {
      await wedge(cdp, payloads[i] as string);
      await page.getByTestId('result-checked-in').waitFor();
      await page.getByRole('button', { name: 'OK' }).click();
      await page.getByTestId('result-checked-in').waitFor({ state: 'detached' });
    }
    const latencies = await page.evaluate(() => window.__klivBench?.latencies ?? []);
    await browser.close();
    const s = summarize(latencies.slice(5));
    return {
      figure: 'scan-to-confirmation in Chromium (wedge Enter → confirmation frame), p50 / p99',
      value: `${ms(s.p50)} / ${ms(s.p99)}`,
      baseline: 'one animation frame = 16.7 ms',
      ratio: `${(s.p50 / 16.7).toFixed(2)}× / ${(s.p99 / 16.7).toFixed(2)}×`,
      target: 'p99 ≤ 50 ms (issue 9)',
      data: { latencies: s },
    };
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
