/**
 * Retention: attendance older than `retention.months` full calendar months is
 * deleted, every day, and the purge is audited (counts only).
 *
 * The cutoff is the first day of a month in the venue's time zone: with 24
 * months on 2026-03-15 everything before 2024-03-01 goes, so the reports of
 * every month that is kept stay whole.
 *
 * Nothing leaves the venue unexported: an event is deleted only when it is at
 * or below the export watermark (the last event of the newest batch every
 * destination acknowledged), and a visit only when no event about it is still
 * waiting for the export. Deleted: visits with their checks and time
 * corrections, rejected-scan counts (never exported: counts only), the
 * confirmations of days left without visits, and exported events. The audit log is never purged (it is append-only and
 * holds codes and counts, no names).
 *
 * checks and visit_corrections refuse DELETE unless a settings row
 * 'retention.purging' exists (migration 0002); the purge writes that row
 * inside its transaction and removes it before the commit, so no other code
 * path can ever delete them.
 */
import type { Database } from 'better-sqlite3';
import { localParts, startOfLocalDay, type LocalDate } from '../../shared/time';
import { exportedThroughSeq } from '../db/export';
import { audit } from './audit';
import type { ServiceContext } from './context';
import { readSetting } from './settings';
import { requireVenue } from './venue';

export const PURGING_MARKER = 'retention.purging';

export interface RetentionCounts {
  visits: number;
  checks: number;
  corrections: number;
  rejectedScanDays: number;
  dayConfirmations: number;
  events: number;
}

export interface RetentionResult {
  /** retention.months; 0 = keep forever (then nothing is done). */
  months: number;
  /** Everything on days before this venue date is old. */
  cutoffDay: LocalDate | null;
  cutoffAt: number | null;
  exportedThroughSeq: number;
  dryRun: boolean;
  /** Deleted (or, in a dry run, what would be). */
  deleted: RetentionCounts;
  /** Old but still waiting for the export, so kept. */
  keptUnexported: { visits: number; events: number };
  vacuumed: boolean;
}

const ZERO: RetentionCounts = { visits: 0, checks: 0, corrections: 0, rejectedScanDays: 0, dayConfirmations: 0, events: 0 };

/** The first day of the month `months` before the venue's current month. */
export function retentionCutoff(now: number, months: number, timeZone: string): { day: LocalDate; at: number } {
  const p = localParts(now, timeZone);
  const index = p.year * 12 + (p.month - 1) - months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
  return { day, at: startOfLocalDay(day, timeZone) };
}

// Visits some event not yet exported still talks about (a late correction).
const PENDING_VISITS = "SELECT json_extract(data, '$.visitId') FROM events WHERE seq > @through AND json_extract(data, '$.visitId') IS NOT NULL";
const OLD_VISITS = `SELECT id FROM visits WHERE day < @day AND id NOT IN (${PENDING_VISITS})`;

function planCounts(db: Database, day: LocalDate, at: number, through: number): { deleted: RetentionCounts; kept: { visits: number; events: number } } {
  const p = { day, at, through };
  const n = (sql: string): number => (db.prepare(sql).get(p) as { n: number }).n;
  return {
    deleted: {
      visits: n(`SELECT count(*) AS n FROM (${OLD_VISITS})`),
      checks: n(`SELECT count(*) AS n FROM checks WHERE visit_id IN (${OLD_VISITS})`),
      corrections: n(`SELECT count(*) AS n FROM visit_corrections WHERE visit_id IN (${OLD_VISITS})`),
      rejectedScanDays: n('SELECT count(*) AS n FROM rejected_scans WHERE day < @day'),
      dayConfirmations: n(`SELECT count(*) AS n FROM day_confirmations WHERE day < @day AND day NOT IN (SELECT day FROM visits WHERE day < @day AND id NOT IN (${OLD_VISITS}))`),
      events: n('SELECT count(*) AS n FROM events WHERE at < @at AND seq <= @through'),
    },
    kept: {
      visits: n(`SELECT count(*) AS n FROM visits WHERE day < @day AND id IN (${PENDING_VISITS})`),
      events: n('SELECT count(*) AS n FROM events WHERE at < @at AND seq > @through'),
    },
  };
}

export interface RetentionOptions {
  /** Who is recorded in the audit log: 'scheduler', 'cli'. */
  actor: string;
  dryRun?: boolean;
  /** Give the space back to the disk afterwards (default true). */
  vacuum?: boolean;
}

export function runRetention(ctx: ServiceContext, options: RetentionOptions): RetentionResult {
  const venue = requireVenue(ctx);
  const months = readSetting(ctx, 'retention.months');
  const through = exportedThroughSeq(ctx.db);
  const dryRun = options.dryRun ?? false;
  if (months === 0) {
    return { months, cutoffDay: null, cutoffAt: null, exportedThroughSeq: through, dryRun, deleted: { ...ZERO }, keptUnexported: { visits: 0, events: 0 }, vacuumed: false };
  }
  const { day, at } = retentionCutoff(ctx.clock.now(), months, venue.timeZone);
  const db = ctx.db;
  const plan = planCounts(db, day, at, through);
  const base = { months, cutoffDay: day, cutoffAt: at, exportedThroughSeq: through, dryRun, keptUnexported: plan.kept };
  if (dryRun) return { ...base, deleted: plan.deleted, vacuumed: false };

  const p = { day, at, through };
  const deleted = db.transaction((): RetentionCounts => {
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(PURGING_MARKER, String(ctx.clock.now()));
    // Children first (foreign keys); all checks of a visit go in one statement, correction chains included.
    // OLD_VISITS reads visits and unexported events only, which do not change until the visits go.
    const checks = db.prepare(`DELETE FROM checks WHERE visit_id IN (${OLD_VISITS})`).run(p).changes;
    const corrections = db.prepare(`DELETE FROM visit_corrections WHERE visit_id IN (${OLD_VISITS})`).run(p).changes;
    const visits = db.prepare(`DELETE FROM visits WHERE id IN (${OLD_VISITS})`).run(p).changes;
    const rejectedScanDays = db.prepare('DELETE FROM rejected_scans WHERE day < @day').run(p).changes;
    // A confirmation goes with the last visit of its day (a day kept for the export stays confirmed).
    const dayConfirmations = db.prepare('DELETE FROM day_confirmations WHERE day < @day AND day NOT IN (SELECT day FROM visits)').run(p).changes;
    const events = db.prepare('DELETE FROM events WHERE at < @at AND seq <= @through').run(p).changes;
    db.prepare('DELETE FROM settings WHERE key = ?').run(PURGING_MARKER);
    return { visits, checks, corrections, rejectedScanDays, dayConfirmations, events };
  })();

  const total = Object.values(deleted).reduce((a, b) => a + b, 0);
  let vacuumed = false;
  if (total > 0 && (options.vacuum ?? true)) {
    try {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
      vacuumed = true;
    } catch {
      // The rows are gone either way; the space comes back at the next purge
      // (a VACUUM needs free space the size of the database, and no reader).
    }
  }
  audit(ctx, {
    actor: options.actor,
    action: 'retention.purged',
    detail: { months, cutoffDay: day, exportedThroughSeq: through, deleted, keptUnexported: plan.kept, vacuumed },
  });
  return { ...base, deleted, vacuumed };
}

/** When the purge last ran (from the audit log), or null. */
export function lastRetentionRunAt(db: Database): number | null {
  const row = db.prepare("SELECT at FROM audit_log WHERE action = 'retention.purged' ORDER BY seq DESC LIMIT 1").get() as { at: number } | undefined;
  return row?.at ?? null;
}
