/**
 * The storage health monitor (electron/services/health.ts) and the staff
 * alert it feeds (kiosk.status → health): a failed write is remembered until
 * a write succeeds again, low disk space and an old or failed backup are
 * reported, the most urgent problem first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp } from '../../../electron/api/app';
import { createDispatcher } from '../../../electron/api/dispatch';
import { backupDatabase } from '../../../electron/services/backup';
import { createHealthMonitor, DISK_LOW_BYTES, freeBytesAt, storageProblemOf, type HealthOptions } from '../../../electron/services/health';
import { enrolParticipant } from '../../../electron/services/participants';
import { testApp, testClock, tempDir, type TestApp, type TestClock } from '../../helpers';

const err = (code: string): Error => Object.assign(new Error(code), { code });
const HOUR = 3600_000;

describe('storageProblemOf', () => {
  it.each([
    ['SQLITE_FULL', 'storage_full'],
    ['SQLITE_READONLY', 'storage_read_only'],
    ['SQLITE_READONLY_DBMOVED', 'storage_read_only'],
    ['SQLITE_IOERR_WRITE', 'storage_failed'],
    ['SQLITE_IOERR_FSYNC', 'storage_failed'],
    ['SQLITE_CORRUPT', 'storage_failed'],
    ['STORAGE_FULL', 'storage_full'],
    ['ENOSPC', 'storage_full'],
  ])('%s is %s', (code, problem) => {
    expect(storageProblemOf(err(code))).toBe(problem);
  });

  it('ignores every other error', () => {
    expect(storageProblemOf(err('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
    expect(storageProblemOf(new Error('no code'))).toBeNull();
    expect(storageProblemOf(null)).toBeNull();
  });
});

describe('the monitor', () => {
  let clock: TestClock;
  let free: number | null;
  let lastBackup: number | null;
  let probeFails: string | null;
  let probes: number;
  let statfsCalls: number;

  const monitor = (extra: Partial<HealthOptions> = {}) => createHealthMonitor({
    dataDir: '/nowhere',
    clock,
    freeBytes: () => {
      statfsCalls++;
      return free;
    },
    lastBackupAt: () => lastBackup,
    probe: () => {
      probes++;
      if (probeFails) throw err(probeFails);
    },
    probeEveryMs: 15_000,
    ...extra,
  });

  beforeEach(() => {
    clock = testClock('2026-03-02T08:00:00Z');
    free = 50 * 1024 ** 3;
    lastBackup = clock.now() - HOUR;
    probeFails = null;
    probes = 0;
    statfsCalls = 0;
  });

  it('is ok when nothing is wrong', () => {
    expect(monitor().status()).toEqual({ ok: true, problem: null });
  });

  it('remembers a failed write until a write succeeds', () => {
    const m = monitor();
    expect(m.recordStorageError(err('SQLITE_FULL'))).toBe(true);
    expect(m.status()).toEqual({ ok: false, problem: 'storage_full' });
    m.recordWriteOk();
    expect(m.status()).toEqual({ ok: true, problem: null });
    expect(m.recordStorageError(err('SQLITE_CONSTRAINT'))).toBe(false);
    expect(m.status().ok).toBe(true);
  });

  it('probes (at most every probeEveryMs) and clears the alert once a probe write goes through', () => {
    const m = monitor();
    probeFails = 'SQLITE_READONLY';
    m.recordStorageError(err('SQLITE_READONLY'));
    expect(m.status().problem).toBe('storage_read_only');
    expect(probes).toBe(0); // just failed: not probed again at once
    clock.advance(15_000);
    expect(m.status().problem).toBe('storage_read_only');
    expect(probes).toBe(1);
    clock.advance(5_000);
    m.status();
    expect(probes).toBe(1);
    probeFails = null;
    clock.advance(10_000);
    expect(m.status()).toEqual({ ok: true, problem: null });
    expect(probes).toBe(2);
    expect(m.report().lastStorageError).toBeNull();
  });

  it('a probe that fails differently updates the problem', () => {
    const m = monitor();
    m.recordStorageError(err('SQLITE_FULL'));
    probeFails = 'SQLITE_IOERR_WRITE';
    clock.advance(15_000);
    expect(m.status().problem).toBe('storage_failed');
  });

  it('warns when the data disk runs low, and reads free space only every cacheMs', () => {
    free = DISK_LOW_BYTES - 1;
    const m = monitor({ cacheMs: 30_000 });
    expect(m.status()).toEqual({ ok: false, problem: 'disk_low' });
    expect(m.report().freeBytes).toBe(DISK_LOW_BYTES - 1);
    free = 50 * 1024 ** 3;
    expect(m.status().problem).toBe('disk_low'); // cached
    expect(statfsCalls).toBe(1);
    clock.advance(30_000);
    expect(m.status()).toEqual({ ok: true, problem: null });
    expect(statfsCalls).toBe(2);
  });

  it('an unknown free space is not an alarm', () => {
    free = null;
    expect(monitor().status().ok).toBe(true);
  });

  it('reports an overdue backup after two missed nights, counting from start when there is none', () => {
    lastBackup = clock.now() - 47 * HOUR;
    const m = monitor({ cacheMs: 0 });
    expect(m.status().ok).toBe(true);
    clock.advance(2 * HOUR);
    expect(m.status()).toEqual({ ok: false, problem: 'backup_overdue' });

    lastBackup = null;
    const fresh = monitor({ cacheMs: 0 });
    expect(fresh.status().ok).toBe(true);
    clock.advance(49 * HOUR);
    expect(fresh.status().problem).toBe('backup_overdue');
  });

  it('reports a failed backup until one succeeds', () => {
    const m = monitor();
    m.recordBackup({ ok: false, message: 'disk full' });
    expect(m.status()).toEqual({ ok: false, problem: 'backup_failed' });
    expect(m.report().lastBackupFailure).toEqual({ at: clock.now(), message: 'disk full' });
    m.recordBackup({ ok: true });
    expect(m.status().ok).toBe(true);
  });

  it('names the most urgent problem first and lists them all', () => {
    free = 1024;
    lastBackup = null;
    const m = monitor();
    m.recordBackup({ ok: false, message: 'x' });
    m.recordStorageError(err('SQLITE_FULL'));
    expect(m.report()).toMatchObject({ ok: false, problem: 'storage_full', problems: ['storage_full', 'disk_low', 'backup_failed'] });
  });
});

describe('free space', () => {
  it('is read from the real disk of a folder', () => {
    const dir = tempDir();
    try {
      expect(freeBytesAt(dir.path)).toBeGreaterThan(0);
      expect(freeBytesAt('/this/does/not/exist')).toBeNull();
    } finally {
      dir.cleanup();
    }
  });
});

describe('the staff alert in kiosk.status', () => {
  let t: TestApp;
  let payload: string;
  let free: number;
  beforeEach(() => {
    free = 10 * 1024 ** 3;
    t = testApp({ start: '2026-03-02T08:00:00Z' });
    t.app.close();
    // The same data folder, opened with a monitor whose disk reading the test controls.
    const reopened = testAppOn(t, () => free);
    payload = enrolParticipant(reopened.ctx, { displayName: 'Zelmira', code: 'HLT-1' }).issued.payload;
  });
  afterEach(() => t.close());

  const status = async (): Promise<{ ok: boolean; problem: string | null }> => {
    const res = await createDispatcher(t.app)({ session: null }, 'kiosk.status', {});
    if (!res.ok) throw new Error(res.error.message);
    return (res.value as { health: { ok: boolean; problem: string | null } }).health;
  };
  const scan = async () => createDispatcher(t.app)({ session: null }, 'kiosk.scan', { payload });

  it('is ok on a healthy kiosk', async () => {
    expect(await status()).toEqual({ ok: true, problem: null });
  });

  it('goes up when a scan cannot be written (read-only database), and down when writing works again', async () => {
    t.app.db.pragma('query_only = ON'); // every write now fails with SQLITE_READONLY
    const res = await scan();
    expect(res).toMatchObject({ ok: false, error: { code: 'STORAGE_READ_ONLY' } });
    expect(await status()).toEqual({ ok: false, problem: 'storage_read_only' });
    expect(t.app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(0);
    t.app.db.pragma('query_only = OFF');
    t.clock.advance(15_000);
    expect(await status()).toEqual({ ok: true, problem: null });
    expect(await scan()).toMatchObject({ ok: true, value: { outcome: 'checked-in' } });
  });

  it('a successful scan clears it at once', async () => {
    t.app.db.pragma('query_only = ON');
    await scan();
    t.app.db.pragma('query_only = OFF');
    expect(await scan()).toMatchObject({ ok: true, value: { outcome: 'checked-in' } });
    expect(await status()).toEqual({ ok: true, problem: null });
  });

  it('warns about a disk running low before it is full', async () => {
    free = 50 * 1024 * 1024;
    t.clock.advance(60_000);
    expect(await status()).toEqual({ ok: false, problem: 'disk_low' });
  });

  it('warns about an overdue backup and clears after a backup', async () => {
    t.clock.advance(49 * HOUR);
    expect(await status()).toEqual({ ok: false, problem: 'backup_overdue' });
    backupDatabase(t.app.ctx, { dataDir: t.dataDir, actor: 'cli' });
    t.app.health.recordBackup({ ok: true });
    expect(await status()).toEqual({ ok: true, problem: null });
  });
});

/** Reopens a test app's folder with a controllable disk reading; the TestApp closes it. */
function testAppOn(t: TestApp, freeBytes: () => number): TestApp['app'] {
  t.app = openApp({ dataDir: t.dataDir, clock: t.clock, health: { freeBytes } });
  return t.app;
}
