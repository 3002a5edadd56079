/**
 * Shared test scaffolding: every test gets its own temp data folder and a
 * controllable clock, and cleans up after itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../electron/db/connection';
import { openApp, type KlivApp } from '../electron/api/app';
import type { Clock } from '../electron/services/context';
import type { KioskOptions } from '../electron/services/kiosk';
import { initVenue } from '../electron/services/venue';
import type { VenueMode } from '../shared/api';

export function tempDir(prefix = 'kliv-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestClock extends Clock {
  set(instant: number | string): void;
  advance(ms: number): void;
}

/** Wall clock and monotonic clock move together unless a test moves one alone. */
export function testClock(start: number | string = '2026-03-02T08:00:00Z'): TestClock {
  let wall = typeof start === 'string' ? Date.parse(start) : start;
  let mono = 1_000_000;
  return {
    now: () => wall,
    monotonic: () => mono,
    set(instant) {
      const next = typeof instant === 'string' ? Date.parse(instant) : instant;
      mono += Math.max(0, next - wall);
      wall = next;
    },
    advance(ms) {
      wall += ms;
      mono += ms;
    },
  };
}

export interface TestApp {
  app: KlivApp;
  clock: TestClock;
  dataDir: string;
  close(): void;
}

export function testApp(options: { mode?: VenueMode; timeZone?: string; start?: string; kiosk?: Partial<KioskOptions>; init?: boolean } = {}): TestApp {
  const dir = tempDir();
  const clock = testClock(options.start);
  const app = openApp({ dataDir: dir.path, clock, kiosk: options.kiosk });
  if (options.init !== false) initVenue(app.ctx, { name: 'Testgården', mode: options.mode ?? 'dropin', timeZone: options.timeZone ?? 'Europe/Stockholm' });
  return {
    app, clock, dataDir: dir.path,
    close() {
      app.close();
      dir.cleanup();
    },
  };
}

/**
 * Opens a data folder's database directly (it is encrypted at rest), for
 * tests that inspect or tamper with rows behind the app's back.
 */
export function openVenueDatabase(dataDir: string, options: { readonly?: boolean } = {}): Database {
  const key = Buffer.from(readFileSync(join(dataDir, 'keys', 'database.key'), 'utf8').trim(), 'base64');
  return openDatabase(join(dataDir, 'kliv.sqlite'), { key, readonly: options.readonly ?? false });
}
