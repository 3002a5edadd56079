import type { Database } from 'better-sqlite3';

export interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  detail: string;
  prevMac: string;
  mac: string;
}

interface Row { seq: number; at: number; actor: string; action: string; subject: string | null; detail: string; prev_mac: string; mac: string }
const toAudit = (r: Row): AuditRow => ({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, prevMac: r.prev_mac, mac: r.mac });

export function lastAuditRow(db: Database): AuditRow | undefined {
  const row = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
  return row ? toAudit(row) : undefined;
}

export function nextAuditSeq(db: Database): number {
  // AUTOINCREMENT keeps its high-water mark in sqlite_sequence; use it so a
  // number is never reused.
  const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get() as { seq: number } | undefined;
  return (row?.seq ?? 0) + 1;
}

export function insertAuditRow(db: Database, row: AuditRow): void {
  db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(row.seq, row.at, row.actor, row.action, row.subject, row.detail, row.prevMac, row.mac);
}

export function* iterateAudit(db: Database): Generator<AuditRow> {
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY rowid').iterate() as IterableIterator<Row>) yield toAudit(row);
}

export function countAudit(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
}
