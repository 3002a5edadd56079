/**
 * The export tables (migration 0004): batches, deliveries, attempts and the
 * exporter's lease. Plain functions over the venue database.
 */
import type { Database } from 'better-sqlite3';

export interface ExportBatch {
  batch: number;
  firstSeq: number;
  lastSeq: number;
  rows: number;
  createdAt: number;
  previousManifestSha256: string;
  auditHead: string;
  auditEntries: number;
  auditIntact: boolean;
  /** The exact manifest.json text, once the bundle is built. */
  manifest: string | null;
  manifestSha256: string | null;
  acknowledgedAt: number | null;
}

interface BatchRow {
  batch: number; first_seq: number; last_seq: number; rows: number; created_at: number; previous_manifest_sha256: string;
  audit_head: string; audit_entries: number; audit_intact: number; manifest: string | null; manifest_sha256: string | null; acknowledged_at: number | null;
}

const toBatch = (r: BatchRow): ExportBatch => ({
  batch: r.batch, firstSeq: r.first_seq, lastSeq: r.last_seq, rows: r.rows, createdAt: r.created_at,
  previousManifestSha256: r.previous_manifest_sha256, auditHead: r.audit_head, auditEntries: r.audit_entries, auditIntact: r.audit_intact === 1,
  manifest: r.manifest, manifestSha256: r.manifest_sha256, acknowledgedAt: r.acknowledged_at,
});

export function insertBatch(db: Database, b: Omit<ExportBatch, 'manifest' | 'manifestSha256' | 'acknowledgedAt'>): ExportBatch {
  db.prepare(`INSERT INTO export_batches (batch, first_seq, last_seq, rows, created_at, previous_manifest_sha256, audit_head, audit_entries, audit_intact)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(b.batch, b.firstSeq, b.lastSeq, b.rows, b.createdAt, b.previousManifestSha256, b.auditHead, b.auditEntries, b.auditIntact ? 1 : 0);
  return { ...b, manifest: null, manifestSha256: null, acknowledgedAt: null };
}

export function getBatch(db: Database, batch: number): ExportBatch | undefined {
  const row = db.prepare('SELECT * FROM export_batches WHERE batch = ?').get(batch) as BatchRow | undefined;
  return row ? toBatch(row) : undefined;
}

/** The newest batch, acknowledged or not. */
export function lastBatch(db: Database): ExportBatch | undefined {
  const row = db.prepare('SELECT * FROM export_batches ORDER BY batch DESC LIMIT 1').get() as BatchRow | undefined;
  return row ? toBatch(row) : undefined;
}

/** The one batch made but not yet at every destination, if any. */
export function pendingBatch(db: Database): ExportBatch | undefined {
  const row = db.prepare('SELECT * FROM export_batches WHERE acknowledged_at IS NULL ORDER BY batch LIMIT 1').get() as BatchRow | undefined;
  return row ? toBatch(row) : undefined;
}

export function countBatches(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM export_batches').get() as { n: number }).n;
}

/** The last event sequence number every destination has: nothing at or below it is exported again. */
export function exportedThroughSeq(db: Database): number {
  return (db.prepare('SELECT coalesce(max(last_seq), 0) AS s FROM export_batches WHERE acknowledged_at IS NOT NULL').get() as { s: number }).s;
}

export function recordManifest(db: Database, batch: number, manifest: string, sha256: string, rows: number): void {
  db.prepare('UPDATE export_batches SET manifest = ?, manifest_sha256 = ?, rows = ? WHERE batch = ? AND acknowledged_at IS NULL').run(manifest, sha256, rows, batch);
}

export function acknowledgeBatch(db: Database, batch: number, at: number): void {
  db.prepare('UPDATE export_batches SET acknowledged_at = ? WHERE batch = ? AND acknowledged_at IS NULL AND manifest IS NOT NULL').run(at, batch);
}

/** Events of a batch range, a page at a time (the exporter never holds a whole batch in memory). */
export interface RawEventRow { seq: number; at: number; type: string; participant_code: string | null; data: string }

export function eventPage(db: Database, afterSeq: number, lastSeq: number, limit: number): RawEventRow[] {
  return db.prepare('SELECT seq, at, type, participant_code, data FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?').all(afterSeq, lastSeq, limit) as RawEventRow[];
}

export function countEventsInRange(db: Database, afterSeq: number, lastSeq: number): number {
  return (db.prepare('SELECT count(*) AS n FROM events WHERE seq > ? AND seq <= ?').get(afterSeq, lastSeq) as { n: number }).n;
}

/** The seq of the `n`th event after `afterSeq` (1-based), or of the last one when there are fewer. */
export function seqOfNthEventAfter(db: Database, afterSeq: number, n: number): number | undefined {
  const nth = db.prepare('SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?').get(afterSeq, n - 1) as { seq: number } | undefined;
  if (nth) return nth.seq;
  const last = db.prepare('SELECT max(seq) AS s FROM events WHERE seq > ?').get(afterSeq) as { s: number | null };
  return last.s ?? undefined;
}

// ---- deliveries -------------------------------------------------------------

export type DestinationKind = 'folder' | 'url';

export interface Delivery { batch: number; destination: DestinationKind; target: string; deliveredAt: number }

export function insertDelivery(db: Database, d: Delivery): void {
  db.prepare('INSERT OR IGNORE INTO export_deliveries (batch, destination, target, delivered_at) VALUES (?, ?, ?, ?)').run(d.batch, d.destination, d.target, d.deliveredAt);
}

export function isDelivered(db: Database, batch: number, destination: DestinationKind, target: string): boolean {
  return db.prepare('SELECT 1 FROM export_deliveries WHERE batch = ? AND destination = ? AND target = ?').get(batch, destination, target) !== undefined;
}

export function deliveriesOf(db: Database, batch: number): Delivery[] {
  return (db.prepare('SELECT batch, destination, target, delivered_at FROM export_deliveries WHERE batch = ? ORDER BY delivered_at').all(batch) as { batch: number; destination: DestinationKind; target: string; delivered_at: number }[])
    .map((r) => ({ batch: r.batch, destination: r.destination, target: r.target, deliveredAt: r.delivered_at }));
}

// ---- attempts ---------------------------------------------------------------

export type ExportTrigger = 'schedule' | 'catch-up' | 'retry' | 'manual' | 'cli';
export type AttemptOutcome = 'running' | 'ok' | 'nothing' | 'failed' | 'interrupted';

export interface ExportAttempt {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  trigger: ExportTrigger;
  actor: string;
  outcome: AttemptOutcome;
  firstBatch: number | null;
  lastBatch: number | null;
  events: number;
  message: string;
}

interface AttemptRow {
  id: number; started_at: number; finished_at: number | null; trigger: ExportTrigger; actor: string; outcome: AttemptOutcome;
  first_batch: number | null; last_batch: number | null; events: number; message: string;
}

const toAttempt = (r: AttemptRow): ExportAttempt => ({
  id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, trigger: r.trigger, actor: r.actor, outcome: r.outcome,
  firstBatch: r.first_batch, lastBatch: r.last_batch, events: r.events, message: r.message,
});

export function insertAttempt(db: Database, a: { startedAt: number; trigger: ExportTrigger; actor: string }): number {
  const info = db.prepare("INSERT INTO export_attempts (started_at, trigger, actor, outcome) VALUES (?, ?, ?, 'running')").run(a.startedAt, a.trigger, a.actor);
  return Number(info.lastInsertRowid);
}

export function finishAttempt(db: Database, id: number, f: { finishedAt: number; outcome: Exclude<AttemptOutcome, 'running'>; firstBatch: number | null; lastBatch: number | null; events: number; message: string }): void {
  db.prepare('UPDATE export_attempts SET finished_at = ?, outcome = ?, first_batch = ?, last_batch = ?, events = ?, message = ? WHERE id = ?')
    .run(f.finishedAt, f.outcome, f.firstBatch, f.lastBatch, f.events, f.message.slice(0, 500), id);
}

/** Runs left 'running' by a process that died: called by the holder of the lease, so none of them is still going. */
export function markInterruptedAttempts(db: Database, exceptId: number, at: number): void {
  db.prepare("UPDATE export_attempts SET outcome = 'interrupted', finished_at = ?, message = 'the run stopped before it finished (the program was closed or crashed)' WHERE outcome = 'running' AND id <> ?").run(at, exceptId);
}

export function recentAttempts(db: Database, limit: number): ExportAttempt[] {
  return (db.prepare('SELECT * FROM export_attempts ORDER BY id DESC LIMIT ?').all(limit) as AttemptRow[]).map(toAttempt);
}

export function lastSuccessfulAttempt(db: Database): ExportAttempt | undefined {
  const row = db.prepare("SELECT * FROM export_attempts WHERE outcome IN ('ok', 'nothing') ORDER BY finished_at DESC, id DESC LIMIT 1").get() as AttemptRow | undefined;
  return row ? toAttempt(row) : undefined;
}

// ---- lease ------------------------------------------------------------------

/** Takes the exporter lease unless another owner holds one that has not expired. */
export function acquireLease(db: Database, owner: string, now: number, ttlMs: number): boolean {
  return db.transaction(() => {
    const held = db.prepare('SELECT owner, until FROM export_lease WHERE id = 1').get() as { owner: string; until: number } | undefined;
    if (held && held.owner !== owner && held.until > now) return false;
    db.prepare('INSERT INTO export_lease (id, owner, until) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, until = excluded.until').run(owner, now + ttlMs);
    return true;
  }).immediate();
}

export function releaseLease(db: Database, owner: string): void {
  db.prepare('DELETE FROM export_lease WHERE id = 1 AND owner = ?').run(owner);
}
