/**
 * The nightly maintenance of a running Kliv, scheduled with croner like the
 * export (exportScheduler.ts): at backup.time in the venue's time zone a
 * backup into <data>/backups (rotated), then the retention purge.
 *
 * What did not happen is made up for: the kiosk may be switched off at
 * night. Every ten minutes (and a minute after start) a backup is taken when
 * none was made since the last backup.time, and the purge runs when it has
 * not run since then. A failed backup is retried after `retryAfterMs` and shown to
 * staff through the health monitor.
 *
 * Nothing touches the database at construction, and every callback catches
 * its errors: maintenance must never take the kiosk down with it.
 */
import { Cron } from 'croner';
import { getVenue } from '../db/venue';
import { backupDatabase, latestBackup } from './backup';
import type { ServiceContext } from './context';
import { exportCronPattern, isCatchUpDue } from './export';
import type { HealthMonitor } from './health';
import { lastRetentionRunAt, runRetention } from './retention';
import { readSetting } from './settings';

/** What the scheduler needs of a running Kliv (KlivApp has it). */
export interface MaintenanceHost {
  ctx: ServiceContext;
  dataDir: string;
  health?: HealthMonitor;
}

export type MaintenanceTask = 'backup' | 'retention';

export interface MaintenanceSchedulerOptions {
  /** The work itself (tests inject it). */
  run?: (task: MaintenanceTask) => unknown;
  retryAfterMs?: number;
  /** How often to look for a missed run (cron pattern, default every 10 minutes). */
  checkPattern?: string;
  /** Delay of the first check after start (default 60 s: the kiosk and the export come first). */
  firstCheckAfterMs?: number;
  log?: (message: string) => void;
}

export interface MaintenanceScheduler {
  nextRunAt(): Date | null;
  /** Runs whatever is due now. */
  check(): Promise<void>;
  stop(): void;
}

export function startMaintenanceScheduler(host: MaintenanceHost, options: MaintenanceSchedulerOptions = {}): MaintenanceScheduler {
  const log = options.log ?? ((message: string) => console.error(`[kliv] ${message}`));
  const retryAfterMs = options.retryAfterMs ?? 30 * 60_000;
  const ctx = host.ctx;
  const run = options.run ?? ((task: MaintenanceTask): unknown => task === 'backup'
    ? backupDatabase(ctx, { dataDir: host.dataDir, actor: 'scheduler' })
    : runRetention(ctx, { actor: 'scheduler' }));
  let stopped = false;
  let nightly: Cron | null = null;
  let nightlyKey = '';
  let lastBackupFailureAt: number | null = null;
  let busy = false;

  const attempt = (task: MaintenanceTask): boolean => {
    try {
      run(task);
      if (task === 'backup') {
        lastBackupFailureAt = null;
        host.health?.recordBackup({ ok: true });
      }
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`${task} failed: ${message}`);
      host.health?.recordStorageError(err);
      if (task === 'backup') {
        lastBackupFailureAt = ctx.clock.now();
        host.health?.recordBackup({ ok: false, message });
      }
      return false;
    }
  };

  /** Once a night, after backup.time (or at the first check after a night the kiosk was off). */
  const retentionDue = (timeZone: string): boolean => readSetting(ctx, 'retention.months') !== 0
    && isCatchUpDue(lastRetentionRunAt(ctx.db), readSetting(ctx, 'backup.time'), timeZone, ctx.clock.now());

  const reconcile = (): void => {
    const venue = getVenue(ctx.db);
    if (!venue) return;
    const time = readSetting(ctx, 'backup.time');
    const key = `${time} ${venue.timeZone}`;
    if (key === nightlyKey && nightly) return;
    nightly?.stop();
    // At backup.time the last scheduled run is newer than the newest backup, so check() runs it;
    // the same test keeps the ten-minute check, firing in the same minute, from running it twice.
    nightly = new Cron(exportCronPattern(time), { timezone: venue.timeZone, unref: true, protect: true }, () => {
      void check();
    });
    nightlyKey = key;
  };

  async function check(): Promise<void> {
    if (stopped || busy) return;
    try {
      reconcile();
      const venue = getVenue(ctx.db);
      if (!venue) return;
      const now = ctx.clock.now();
      const newest = latestBackup(host.dataDir)?.at ?? null;
      const backupDue = isCatchUpDue(newest, readSetting(ctx, 'backup.time'), venue.timeZone, now)
        && (lastBackupFailureAt === null || now - lastBackupFailureAt >= retryAfterMs);
      if (!backupDue && !retentionDue(venue.timeZone)) return;
      busy = true;
      try {
        // Backup first, so the night's backup still holds what the purge removes.
        if (backupDue) attempt('backup');
        if (retentionDue(venue.timeZone)) attempt('retention');
      } finally {
        busy = false;
      }
    } catch (err) {
      log(`maintenance scheduler: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const checker = new Cron(options.checkPattern ?? '*/10 * * * *', { unref: true, protect: true }, () => {
    void check();
  });
  const first = setTimeout(() => void check(), options.firstCheckAfterMs ?? 60_000);
  first.unref?.();

  return {
    nextRunAt() {
      if (stopped) return null;
      try {
        reconcile();
      } catch {
        return null;
      }
      return nightly?.nextRun() ?? null;
    },
    check,
    stop() {
      stopped = true;
      clearTimeout(first);
      checker.stop();
      nightly?.stop();
      nightly = null;
    },
  };
}
