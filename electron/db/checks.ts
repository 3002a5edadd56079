import type { Database } from 'better-sqlite3';
import type { CheckOutcome, NotTodayReason } from '../../shared/api';

export interface Check {
  id: number;
  visitId: number;
  outcome: CheckOutcome;
  reason: NotTodayReason | null;
  recordedAt: number;
  staffId: number;
  correctsId: number | null;
  correctionReason: string | null;
  afterConfirmation: boolean;
}

interface CheckRow { id: number; visit_id: number; outcome: CheckOutcome; reason: NotTodayReason | null; recorded_at: number; staff_id: number; corrects_id: number | null; correction_reason: string | null; after_confirmation: number }
const COLUMNS = 'id, visit_id, outcome, reason, recorded_at, staff_id, corrects_id, correction_reason, after_confirmation';
const toCheck = (r: CheckRow): Check => ({
  id: r.id, visitId: r.visit_id, outcome: r.outcome, reason: r.reason, recordedAt: r.recorded_at, staffId: r.staff_id,
  correctsId: r.corrects_id, correctionReason: r.correction_reason, afterConfirmation: r.after_confirmation === 1,
});

export function insertCheck(db: Database, c: Omit<Check, 'id'>): Check {
  const info = db.prepare(`INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id, corrects_id, correction_reason, after_confirmation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(c.visitId, c.outcome, c.reason, c.recordedAt, c.staffId, c.correctsId, c.correctionReason, c.afterConfirmation ? 1 : 0);
  return { ...c, id: Number(info.lastInsertRowid) };
}

export function getCheck(db: Database, id: number): Check | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM checks WHERE id = ?`).get(id) as CheckRow | undefined;
  return row ? toCheck(row) : undefined;
}

/** The current check of a visit is its newest row. */
export function currentCheck(db: Database, visitId: number): Check | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM checks WHERE visit_id = ? ORDER BY id DESC LIMIT 1`).get(visitId) as CheckRow | undefined;
  return row ? toCheck(row) : undefined;
}

export function checksOfVisit(db: Database, visitId: number): Check[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM checks WHERE visit_id = ? ORDER BY id`).all(visitId) as CheckRow[]).map(toCheck);
}

/** Current checks of all visits on a day, keyed by visit id. */
export function currentChecksOnDay(db: Database, day: string): Map<number, Check> {
  const rows = db.prepare(`SELECT ${COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')} FROM checks c JOIN visits v ON v.id = c.visit_id
    WHERE v.day = ? AND c.id = (SELECT max(id) FROM checks WHERE visit_id = c.visit_id)`).all(day) as CheckRow[];
  return new Map(rows.map((r) => [r.visit_id, toCheck(r)]));
}
