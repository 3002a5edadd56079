import type { Database } from 'better-sqlite3';

/** Rejected scans are only counted per day and reason: nothing about the card is kept. */
export function countRejectedScan(db: Database, day: string, reason: string): void {
  db.prepare('INSERT INTO rejected_scans (day, reason, count) VALUES (?, ?, 1) ON CONFLICT (day, reason) DO UPDATE SET count = count + 1').run(day, reason);
}

export function rejectedScansOn(db: Database, day: string): Record<string, number> {
  const rows = db.prepare('SELECT reason, count FROM rejected_scans WHERE day = ?').all(day) as { reason: string; count: number }[];
  return Object.fromEntries(rows.map((r) => [r.reason, r.count]));
}
