/**
 * When the nightly export runs: croner's arithmetic at export.time in the
 * venue's zone across both DST changes, the catch-up rule for a missed night,
 * and the scheduler's start-up catch-up and retry behaviour.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishAttempt, insertAttempt, type ExportTrigger } from '../../../electron/db/export';
import { exportCronPattern, isCatchUpDue, lastScheduledRun, nextExportRun } from '../../../electron/services/export';
import { startExportScheduler, type ExportScheduler } from '../../../electron/services/exportScheduler';
import { writeSetting } from '../../../electron/services/settings';
import { tempDir, testApp, type TestApp } from '../../helpers';
import { municipality, runExport } from './exportFixture';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const runsFrom = (time: string, zone: string, from: string, n: number): string[] => {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = nextExportRun(time, zone, at);
    if (!next) break;
    out.push(next.toISOString());
    at = next;
  }
  return out;
};

describe('the nightly schedule (croner)', () => {
  it('turns HH:MM into a daily pattern', () => {
    expect(exportCronPattern('02:00')).toBe('0 2 * * *');
    expect(exportCronPattern('23:05')).toBe('5 23 * * *');
  });

  it('runs once at 02:00 Stockholm time every night across the spring change (02:00 does not exist that night)', () => {
    // 2026-03-29: clocks go 02:00 → 03:00. Before: 02:00 CET = 01:00Z; after: 02:00 CEST = 00:00Z.
    expect(runsFrom('02:00', 'Europe/Stockholm', '2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T01:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z', '2026-03-31T00:00:00.000Z',
    ]);
    // 02:30 on the night of the gap runs right after it (03:30 CEST), once.
    expect(runsFrom('02:30', 'Europe/Stockholm', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('runs once across the autumn change (02:00–02:59 happens twice that night)', () => {
    expect(runsFrom('02:00', 'Europe/Stockholm', '2026-10-23T12:00:00Z', 4)).toEqual([
      '2026-10-24T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-26T01:00:00.000Z', '2026-10-27T01:00:00.000Z',
    ]);
    expect(runsFrom('03:00', 'Europe/Stockholm', '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T02:00:00.000Z', '2026-10-26T02:00:00.000Z']);
  });

  it('follows the venue zone, not the machine\'s', () => {
    expect(iso(nextExportRun('02:00', 'America/New_York', new Date('2026-03-07T12:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(nextExportRun('02:00', 'America/New_York', new Date('2026-03-08T12:00:00Z')))).toBe('2026-03-09T06:00:00.000Z');
  });

  it('knows the last scheduled run, and that a missed night must be caught up', () => {
    const now = Date.parse('2026-03-30T09:00:00Z');
    expect(iso(lastScheduledRun('02:00', 'Europe/Stockholm', new Date(now)))).toBe('2026-03-30T00:00:00.000Z');
    expect(iso(lastScheduledRun('02:00', 'Europe/Stockholm', new Date('2026-03-30T00:00:00Z')))).toBe('2026-03-30T00:00:00.000Z');
    expect(isCatchUpDue(null, '02:00', 'Europe/Stockholm', now)).toBe(true);
    expect(isCatchUpDue(Date.parse('2026-03-29T01:00:05Z'), '02:00', 'Europe/Stockholm', now)).toBe(true); // last night's was missed
    expect(isCatchUpDue(Date.parse('2026-03-30T00:00:04Z'), '02:00', 'Europe/Stockholm', now)).toBe(false);
  });
});

describe('the scheduler', () => {
  let t: TestApp;
  let work: ReturnType<typeof tempDir>;
  let scheduler: ExportScheduler | null;
  let calls: ExportTrigger[];
  const run = (trigger: ExportTrigger): Promise<void> => {
    calls.push(trigger);
    return Promise.resolve();
  };

  beforeEach(async () => {
    t = testApp({ start: '2026-03-30T09:00:00Z' });
    work = tempDir('kliv-sched-');
    scheduler = null;
    calls = [];
    const muni = await municipality(work.path);
    writeSetting(t.app.ctx, 'export.recipient', muni.recipient);
    mkdirSync(join(work.path, 'share'));
    writeSetting(t.app.ctx, 'export.folder', join(work.path, 'share'));
  });

  afterEach(() => {
    scheduler?.stop();
    t.close();
    work.cleanup();
  });

  it('does not touch the database until its first check, and stops cleanly', () => {
    scheduler = startExportScheduler({ ctx: undefined as never, dataDir: '/nowhere' }, { run, firstCheckAfterMs: 60_000, log: () => undefined });
    expect(calls).toEqual([]);
    scheduler.stop();
    expect(scheduler.nextRunAt()).toBeNull();
  });

  it('catches up a missed night at start, and schedules the next one at export.time in the venue zone', async () => {
    scheduler = startExportScheduler(t.app, { run, firstCheckAfterMs: 60_000 });
    await scheduler.check();
    expect(calls).toEqual(['catch-up']);
    writeSetting(t.app.ctx, 'export.time', '03:15');
    const next = scheduler.nextRunAt();
    expect(next).not.toBeNull();
    expect(next?.toISOString()).toBe(nextExportRun('03:15', 'Europe/Stockholm', new Date())?.toISOString());
  });

  it('does nothing when last night\'s export succeeded, or when export is not set up', async () => {
    await runExport(t.app); // 'nothing' to export is a success
    scheduler = startExportScheduler(t.app, { run, firstCheckAfterMs: 60_000 });
    await scheduler.check();
    expect(calls).toEqual([]);
    writeSetting(t.app.ctx, 'export.recipient', null);
    t.clock.advance(24 * 3600_000);
    await scheduler.check();
    expect(calls).toEqual([]);
  });

  it('retries a failed run, but not more often than retryAfterMs', async () => {
    const id = insertAttempt(t.app.db, { startedAt: t.clock.now(), trigger: 'schedule', actor: 'scheduler' });
    finishAttempt(t.app.db, id, { finishedAt: t.clock.now(), outcome: 'failed', firstBatch: null, lastBatch: null, events: 0, message: 'share away' });
    scheduler = startExportScheduler(t.app, { run, retryAfterMs: 30 * 60_000, firstCheckAfterMs: 60_000 });
    await scheduler.check();
    expect(calls).toEqual([]);
    t.clock.advance(31 * 60_000);
    await scheduler.check();
    expect(calls).toEqual(['retry']);
  });

  it('runs the real export on its first check when nothing else is injected', async () => {
    const logged: string[] = [];
    scheduler = startExportScheduler(t.app, { firstCheckAfterMs: 60_000, log: (m) => logged.push(m) });
    await scheduler.check();
    expect(logged).toEqual([]);
    const attempts = t.app.db.prepare('SELECT trigger, actor, outcome FROM export_attempts').all();
    expect(attempts).toEqual([{ trigger: 'catch-up', actor: 'scheduler', outcome: 'nothing' }]);
  });
});
