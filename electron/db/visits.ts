import type { Database } from 'better-sqlite3';

export type VisitSource = 'card' | 'manual' | 'paper';

export interface Visit {
  id: number;
  participantId: number;
  day: string;
  checkedInAt: number;
  checkedOutAt: number | null;
  source: VisitSource;
  autoClosed: boolean;
  createdAt: number;
  /** Why staff entered it by hand (manual and paper visits). */
  manualReason: string | null;
  /** Changed after its day was confirmed. */
  flagged: boolean;
}

interface VisitRow { id: number; participant_id: number; day: string; checked_in_at: number; checked_out_at: number | null; source: VisitSource; auto_closed: number; created_at: number; manual_reason: string | null; flagged: number }
const COLUMNS = 'id, participant_id, day, checked_in_at, checked_out_at, source, auto_closed, created_at, manual_reason, flagged';
const toVisit = (r: VisitRow): Visit => ({
  id: r.id, participantId: r.participant_id, day: r.day, checkedInAt: r.checked_in_at, checkedOutAt: r.checked_out_at,
  source: r.source, autoClosed: r.auto_closed === 1, createdAt: r.created_at, manualReason: r.manual_reason, flagged: r.flagged === 1,
});

export type NewVisit = Omit<Visit, 'id' | 'autoClosed' | 'manualReason' | 'flagged'> & { autoClosed?: boolean; manualReason?: string | null };

export function insertVisit(db: Database, v: NewVisit): Visit {
  const info = db.prepare('INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, auto_closed, created_at, manual_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(v.participantId, v.day, v.checkedInAt, v.checkedOutAt, v.source, v.autoClosed ? 1 : 0, v.createdAt, v.manualReason ?? null);
  return { ...v, autoClosed: v.autoClosed ?? false, manualReason: v.manualReason ?? null, flagged: false, id: Number(info.lastInsertRowid) };
}

export function getVisit(db: Database, id: number): Visit | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM visits WHERE id = ?`).get(id) as VisitRow | undefined;
  return row ? toVisit(row) : undefined;
}

export function findOpenVisit(db: Database, participantId: number, day: string): Visit | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM visits WHERE participant_id = ? AND day = ? AND checked_out_at IS NULL`).get(participantId, day) as VisitRow | undefined;
  return row ? toVisit(row) : undefined;
}

export function closeVisit(db: Database, id: number, at: number, options: { autoClosed?: boolean } = {}): boolean {
  return db.prepare('UPDATE visits SET checked_out_at = ?, auto_closed = ? WHERE id = ? AND checked_out_at IS NULL')
    .run(at, options.autoClosed ? 1 : 0, id).changes === 1;
}

export function visitsOnDay(db: Database, day: string): Visit[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM visits WHERE day = ? ORDER BY checked_in_at, id`).all(day) as VisitRow[]).map(toVisit);
}

export function visitsOfParticipant(db: Database, participantId: number, fromDay: string, toDay: string): Visit[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM visits WHERE participant_id = ? AND day BETWEEN ? AND ? ORDER BY checked_in_at, id`)
    .all(participantId, fromDay, toDay) as VisitRow[]).map(toVisit);
}

/** The visit row holds the current times; the history is in visit_corrections. */
export function setVisitTimes(db: Database, id: number, checkedInAt: number, checkedOutAt: number | null, options: { flagged?: boolean } = {}): void {
  db.prepare('UPDATE visits SET checked_in_at = ?, checked_out_at = ?, flagged = max(flagged, ?) WHERE id = ?').run(checkedInAt, checkedOutAt, options.flagged ? 1 : 0, id);
}

export function openVisitsBefore(db: Database, day: string): Visit[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM visits WHERE day < ? AND checked_out_at IS NULL ORDER BY day, checked_in_at`).all(day) as VisitRow[]).map(toVisit);
}

export function setVisitFlagged(db: Database, id: number): void {
  db.prepare('UPDATE visits SET flagged = 1 WHERE id = ?').run(id);
}
