import type { Database } from 'better-sqlite3';

export interface VisitCorrection {
  id: number;
  visitId: number;
  at: number;
  staffId: number;
  reason: string;
  beforeIn: number;
  beforeOut: number | null;
  afterIn: number;
  afterOut: number | null;
  afterConfirmation: boolean;
}

interface Row { id: number; visit_id: number; at: number; staff_id: number; reason: string; before_in: number; before_out: number | null; after_in: number; after_out: number | null; after_confirmation: number }
const toCorrection = (r: Row): VisitCorrection => ({
  id: r.id, visitId: r.visit_id, at: r.at, staffId: r.staff_id, reason: r.reason, beforeIn: r.before_in, beforeOut: r.before_out,
  afterIn: r.after_in, afterOut: r.after_out, afterConfirmation: r.after_confirmation === 1,
});

export function insertVisitCorrection(db: Database, c: Omit<VisitCorrection, 'id'>): VisitCorrection {
  const info = db.prepare('INSERT INTO visit_corrections (visit_id, at, staff_id, reason, before_in, before_out, after_in, after_out, after_confirmation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(c.visitId, c.at, c.staffId, c.reason, c.beforeIn, c.beforeOut, c.afterIn, c.afterOut, c.afterConfirmation ? 1 : 0);
  return { ...c, id: Number(info.lastInsertRowid) };
}

export function correctionsOfVisit(db: Database, visitId: number): VisitCorrection[] {
  return (db.prepare('SELECT * FROM visit_corrections WHERE visit_id = ? ORDER BY id').all(visitId) as Row[]).map(toCorrection);
}

export function correctedVisitIds(db: Database, day: string): Set<number> {
  const rows = db.prepare(`SELECT DISTINCT vc.visit_id AS id FROM visit_corrections vc JOIN visits v ON v.id = vc.visit_id WHERE v.day = ?
    UNION SELECT DISTINCT c.visit_id FROM checks c JOIN visits v ON v.id = c.visit_id WHERE v.day = ? AND c.corrects_id IS NOT NULL`).all(day, day) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}
