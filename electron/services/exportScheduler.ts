/**
 * Runs the export every night at export.time in the venue's time zone, with
 * croner (a maintained scheduler that handles DST and time zones), and makes
 * up for what did not happen:
 *
 * - at start, a night missed while the kiosk was off is caught up;
 * - every ten minutes it checks again, so a failed run (the share was away)
 *   is retried every `retryAfterMs` until it succeeds, and a changed
 *   export.time or time zone takes effect without a restart.
 *
 * Nothing here touches the database at construction, and every callback
 * catches its errors: the export must never take the kiosk down with it.
 */
import { Cron } from 'croner';
import { getVenue } from '../db/venue';
import { lastSuccessfulAttempt, recentAttempts, type ExportTrigger } from '../db/export';
import type { ServiceContext } from './context';
import { exportConfig, exportCronPattern, exportNow, exportOutboxDir, isCatchUpDue, isExportRunning } from './export';
import { readSetting } from './settings';

/** What the scheduler needs of a running Kliv (KlivApp has it). */
export interface ExportHost {
  ctx: ServiceContext;
  dataDir: string;
}

export interface ExportSchedulerOptions {
  /** The export itself (tests inject one). */
  run?: (trigger: ExportTrigger) => Promise<unknown>;
  /** Least time between a failed run and the next try (default 30 min). */
  retryAfterMs?: number;
  /** How often to look for a missed or failed run (cron pattern, default every 10 minutes). */
  checkPattern?: string;
  /** Delay of the first check after start (default 10 s, so the kiosk screen comes up first). */
  firstCheckAfterMs?: number;
  log?: (message: string) => void;
}

export interface ExportScheduler {
  /** When the nightly export runs next, or null (no venue yet, or stopped). */
  nextRunAt(): Date | null;
  /** Looks for a missed or failed run now and starts it if due. */
  check(): Promise<void>;
  stop(): void;
}

export function startExportScheduler(host: ExportHost, options: ExportSchedulerOptions = {}): ExportScheduler {
  const log = options.log ?? ((message: string) => console.error(`[kliv] ${message}`));
  const retryAfterMs = options.retryAfterMs ?? 30 * 60_000;
  const run = options.run ?? ((trigger: ExportTrigger) => exportNow(host.ctx, { outboxDir: exportOutboxDir(host.dataDir), trigger, actor: 'scheduler' }));
  let nightly: Cron | null = null;
  let nightlyKey = '';
  let stopped = false;
  let inFlight: Promise<void> | null = null;

  const configured = (): boolean => {
    try {
      exportConfig(host.ctx);
      return true;
    } catch {
      return false; // the status screen says what to set
    }
  };

  const fire = (trigger: ExportTrigger): Promise<void> => {
    if (stopped || inFlight || isExportRunning(host.ctx.db) || !configured()) return inFlight ?? Promise.resolve();
    inFlight = run(trigger)
      .then(() => undefined, (err: unknown) => log(`export (${trigger}) failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  /** (Re)creates the nightly job when export.time or the venue's time zone changed. */
  const reconcile = (): void => {
    const venue = getVenue(host.ctx.db);
    if (!venue) return;
    const time = readSetting(host.ctx, 'export.time');
    const key = `${time} ${venue.timeZone}`;
    if (key === nightlyKey && nightly) return;
    nightly?.stop();
    nightly = new Cron(exportCronPattern(time), { timezone: venue.timeZone, unref: true, protect: true }, () => {
      void fire('schedule');
    });
    nightlyKey = key;
  };

  const check = async (): Promise<void> => {
    if (stopped) return;
    try {
      reconcile();
      const venue = getVenue(host.ctx.db);
      if (!venue || !configured()) return;
      const now = host.ctx.clock.now();
      const lastSuccess = lastSuccessfulAttempt(host.ctx.db)?.finishedAt ?? null;
      if (!isCatchUpDue(lastSuccess, readSetting(host.ctx, 'export.time'), venue.timeZone, now)) return;
      const lastAttempt = recentAttempts(host.ctx.db, 1)[0];
      const failedBefore = lastAttempt !== undefined && lastAttempt.outcome !== 'ok' && lastAttempt.outcome !== 'nothing';
      if (failedBefore && now - lastAttempt.startedAt < retryAfterMs) return;
      await fire(failedBefore ? 'retry' : 'catch-up');
    } catch (err) {
      log(`export scheduler: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const checker = new Cron(options.checkPattern ?? '*/10 * * * *', { unref: true, protect: true }, () => {
    void check();
  });
  const first = setTimeout(() => void check(), options.firstCheckAfterMs ?? 10_000);
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
