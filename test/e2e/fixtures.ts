/**
 * End-to-end scaffolding: each test gets its own data folder and its own
 * `kliv serve` process (the real browser mode), set up through the real CLI.
 */
import { test as base, chromium, expect, type Browser, type Page } from '@playwright/test';
import type { Database } from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import QRCode from 'qrcode';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { databasePath } from '../../electron/api/app';
import { openDatabase } from '../../electron/db/connection';
import { createFileSecretStore } from '../../electron/services/secrets';

export const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kliv.cjs');

export interface Kliv {
  dataDir: string;
  /** Runs the CLI against this data folder; throws with stderr on a non-zero exit. */
  cli(args: string[], options?: { allowFail?: boolean }): { stdout: string; stderr: string; status: number };
  /** Enrols a participant and returns their card payload. */
  enrol(name: string, code?: string): { code: string; payload: string };
  /** Starts browser mode and returns its launch URL. */
  serve(): Promise<string>;
  launchUrl: string | null;
  stop(): Promise<void>;
}

export function createKliv(options: { mode?: 'structured' | 'dropin'; init?: boolean } = {}): Kliv {
  const dataDir = mkdtempSync(join(tmpdir(), 'kliv-e2e-'));
  let server: ChildProcess | null = null;
  const kliv: Kliv = {
    dataDir,
    launchUrl: null,
    cli(args, opts = {}) {
      const res = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8' });
      const out = { stdout: res.stdout, stderr: res.stderr, status: res.status ?? -1 };
      if (out.status !== 0 && !opts.allowFail) throw new Error(`kliv ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
      return out;
    },
    enrol(name, code) {
      const res = kliv.cli(['participant', 'add', '--name', name, '--json', ...(code ? ['--code', code] : [])]);
      return JSON.parse(res.stdout) as { code: string; payload: string };
    },
    async serve() {
      server = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await new Promise<string>((resolveUrl, reject) => {
        let buffer = '';
        const timer = setTimeout(() => reject(new Error(`kliv serve did not start: ${buffer}`)), 15_000);
        server?.stdout?.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const m = /Open: (\S+)/.exec(buffer);
          if (m?.[1]) {
            clearTimeout(timer);
            resolveUrl(m[1]);
          }
        });
        server?.stderr?.on('data', (chunk: Buffer) => { buffer += chunk.toString(); });
        server?.on('exit', (code) => reject(new Error(`kliv serve exited ${code}: ${buffer}`)));
      });
      kliv.launchUrl = url;
      return url;
    },
    async stop() {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server?.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.init !== false) kliv.cli(['init', '--name', 'Testgården', '--mode', options.mode ?? 'dropin']);
  return kliv;
}

/**
 * Types a payload the way a USB keyboard-wedge scanner does: one key every
 * few milliseconds by the scanner's own clock, then Enter.
 *
 * The keys go through the DevTools protocol with their hardware timestamps
 * and are queued without waiting for each to be handled, as the OS queues a
 * real scanner's keys. (Playwright's keyboard.type waits for the page to
 * handle every key, so a renderer busy decoding camera frames would stretch
 * the gaps between keys far beyond what a scanner produces.)
 * `shift: true` sends Shift around each capital letter, as scanners that
 * emulate a US keyboard do.
 */
export async function wedgeScan(page: Page, payload: string, options: { keyIntervalMs?: number; shift?: boolean } = {}): Promise<void> {
  const interval = (options.keyIntervalMs ?? 4) / 1000;
  const cdp = await page.context().newCDPSession(page);
  try {
    let at = Date.now() / 1000;
    const sends: Promise<unknown>[] = [];
    const key = (type: 'keyDown' | 'keyUp', k: string, extra: Record<string, unknown> = {}): void => {
      sends.push(cdp.send('Input.dispatchKeyEvent', { type, key: k, timestamp: at, ...extra }));
    };
    for (const ch of payload) {
      const shifted = options.shift === true && /[A-Z]/.test(ch);
      if (shifted) key('keyDown', 'Shift', { code: 'ShiftLeft', windowsVirtualKeyCode: 16, modifiers: 8 });
      key('keyDown', ch, { text: ch, unmodifiedText: ch, modifiers: shifted ? 8 : 0 });
      key('keyUp', ch, { modifiers: shifted ? 8 : 0 });
      if (shifted) key('keyUp', 'Shift', { code: 'ShiftLeft', windowsVirtualKeyCode: 16 });
      at += interval;
    }
    key('keyDown', 'Enter', { code: 'Enter', windowsVirtualKeyCode: 13, text: '\r', unmodifiedText: '\r' });
    key('keyUp', 'Enter', { code: 'Enter', windowsVirtualKeyCode: 13 });
    await Promise.all(sends);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Types like a person: Playwright's real-time key presses with `delayMs` between keys, then Enter. */
export async function humanType(page: Page, text: string, delayMs: number): Promise<void> {
  await page.keyboard.type(text, { delay: delayMs });
  await page.keyboard.press('Enter');
}

/**
 * A y4m clip for Chromium's fake camera showing the QR of `payload` as a
 * printed card would look: dark modules on white, centred on a desk-grey
 * background. `filters` are extra ffmpeg -vf filters (blur, noise, tilt …).
 */
export async function cardVideo(dir: string, payload: string, filters: string[] = [], name = 'card'): Promise<string> {
  const png = join(dir, `${name}.png`);
  const y4m = join(dir, `${name}.y4m`);
  await QRCode.toFile(png, [{ data: payload.toUpperCase(), mode: 'alphanumeric' }], { errorCorrectionLevel: 'M', margin: 4, width: 360 });
  const vf = ['scale=360:360', 'pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x8a8f96', ...filters, 'format=yuv420p'].join(',');
  const res = spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png, '-t', '2', '-r', '15', '-vf', vf, '-f', 'yuv4mpegpipe', y4m], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
  return y4m;
}

/** A Chromium whose camera is a looping clip. */
export async function launchWithCamera(y4m: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KLIV_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
}

/**
 * A clip of an empty desk (no card) for the fake camera: the attract screen
 * then shows a live preview as at a venue, without anything to decode.
 */
export function emptySceneVideo(dir: string, name = 'empty'): string {
  const y4m = join(dir, `${name}.y4m`);
  const res = spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x8a8f96:s=640x480:r=15', '-t', '1',
    '-vf', 'noise=alls=8:allf=t,format=yuv420p', '-f', 'yuv4mpegpipe', y4m], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
  return y4m;
}

/**
 * Opens the kiosk: the launch URL (which trades the secret for the session
 * cookie and redirects to /), then, without a camera, `/?camera=off`.
 * Resolves once the attract screen shows.
 */
export async function openKiosk(page: Page, launchUrl: string, options: { camera?: boolean } = {}): Promise<void> {
  await page.goto(launchUrl);
  if (options.camera === false) await page.goto(new URL('/?camera=off', launchUrl).toString());
  // Generous: on a loaded CI machine the first load of the bundle can be slow.
  await expect(page.getByTestId('attract')).toBeVisible({ timeout: 30_000 });
  // The scanner listener is installed by an effect after the first paint.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
}

export interface DbCounts {
  visits: number;
  openVisits: number;
  closedVisits: number;
  /** Rows in the event log of any type (enrolment writes some too). */
  events: number;
  /** The attendance events, in order. */
  visitEvents: string[];
  rejected: Record<string, number>;
}

/**
 * Opens a data folder's database read-only, the way Kliv itself does (the
 * file is encrypted at rest; browser mode keeps its key in <data>/keys).
 */
export function openDataReadOnly(dataDir: string): Database {
  const key = createFileSecretStore(join(dataDir, 'keys')).get('database') ?? null;
  return openDatabase(databasePath(dataDir), { readonly: true, key });
}

/** Reads what the kiosk really recorded, straight from the database file (read-only). */
export function dbCounts(dataDir: string): DbCounts {
  const db = openDataReadOnly(dataDir);
  try {
    const n = (sql: string): number => db.prepare(sql).pluck().get() as number;
    const rejected: Record<string, number> = {};
    for (const row of db.prepare('SELECT reason, sum(count) AS n FROM rejected_scans GROUP BY reason').all() as { reason: string; n: number }[]) {
      rejected[row.reason] = row.n;
    }
    return {
      visits: n('SELECT count(*) FROM visits'),
      openVisits: n('SELECT count(*) FROM visits WHERE checked_out_at IS NULL'),
      closedVisits: n('SELECT count(*) FROM visits WHERE checked_out_at IS NOT NULL'),
      events: n('SELECT count(*) FROM events'),
      visitEvents: (db.prepare("SELECT type FROM events WHERE type LIKE 'visit.%' ORDER BY seq").pluck().all() as string[]),
      rejected,
    };
  } finally {
    db.close();
  }
}

export const SCREENS_DIR = join(ROOT, 'test-results', 'screens');

/** Saves a full-page screenshot under test-results/screens/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  const path = join(SCREENS_DIR, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

export function writeText(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** `kliv`: a fresh, initialised data folder per test, stopped and removed afterwards. */
export const test = base.extend<{ kliv: Kliv }>({
  // eslint-disable-next-line no-empty-pattern
  kliv: async ({}, use) => {
    const kliv = createKliv();
    try {
      await use(kliv);
    } finally {
      await kliv.stop();
    }
  },
});
export { expect };

/**
 * A y4m clip for Chromium's fake camera from a picture (e.g. a printed card
 * rendered from its PDF): scaled to `width` pixels and centred on a
 * desk-grey 640×480 frame. `filters` are extra ffmpeg -vf filters.
 */
export function videoFromImage(png: string, dir: string, options: { name?: string; width?: number; filters?: string[] } = {}): string {
  const y4m = join(dir, `${options.name ?? 'picture'}.y4m`);
  const vf = [`scale=${options.width ?? 600}:-2`, 'pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x8a8f96', ...(options.filters ?? []), 'format=yuv420p'].join(',');
  const res = spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png, '-t', '2', '-r', '15', '-vf', vf, '-f', 'yuv4mpegpipe', y4m], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
  return y4m;
}
