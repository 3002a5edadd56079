import type { Database } from 'better-sqlite3';

export interface DayConfirmation { day: string; confirmedAt: number; staffId: number; visits: number }

export function getDayConfirmation(db: Database, day: string): DayConfirmation | undefined {
  const row = db.prepare('SELECT day, confirmed_at, staff_id, visits FROM day_confirmations WHERE day = ?').get(day) as { day: string; confirmed_at: number; staff_id: number; visits: number } | undefined;
  return row ? { day: row.day, confirmedAt: row.confirmed_at, staffId: row.staff_id, visits: row.visits } : undefined;
}

export function insertDayConfirmation(db: Database, c: DayConfirmation): void {
  db.prepare('INSERT INTO day_confirmations (day, confirmed_at, staff_id, visits) VALUES (?, ?, ?, ?)').run(c.day, c.confirmedAt, c.staffId, c.visits);
}
