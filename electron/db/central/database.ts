/**
 * Opening the central database and the plain functions over its tables.
 * The monthly report reads its `report_visits` view through
 * openCentralDatabase(file) (`kliv report --central central.sqlite`).
 */
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { CENTRAL_APPLICATION_ID, migrateCentral } from './migrations';

export interface OpenCentralOptions {
  /** Open an existing file without changing it (reports). */
  readonly?: boolean;
}

/**
 * Opens (and on first use creates) a central database. Refuses a file that
 * is something else, e.g. a venue's kliv.sqlite given by mistake.
 */
export function openCentralDatabase(file: string, options: OpenCentralOptions = {}): Database {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(file)) throw new Error(`${file} does not exist: collect bundles into it with \`kliv collect\` first`);
  const db = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
  try {
    db.pragma('busy_timeout = 5000');
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== CENTRAL_APPLICATION_ID && (appId !== 0 || version !== 0 || hasTables(db))) {
      throw new Error(`${file} is not a Kliv central database (is it a venue's kliv.sqlite?)`);
    }
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrateCentral(db);
    }
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw new Error(`${file} is not a Kliv central database (it may be a venue's encrypted kliv.sqlite)`);
    throw err;
  }
}

function hasTables(db: Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' LIMIT 1").get() !== undefined;
}

// ---- venues and bundles -------------------------------------------------------

export interface CentralVenue {
  venueId: string;
  timeZone: string;
  mode: string;
  publicKeyFingerprint: string;
  lastBatch: number;
  lastSeq: number;
  lastManifestSha256: string;
}

export function getCentralVenue(db: Database, venueId: string): CentralVenue | undefined {
  const r = db.prepare('SELECT venue_id, time_zone, mode, public_key_fingerprint, last_batch, last_seq, last_manifest_sha256 FROM venues WHERE venue_id = ?').get(venueId) as
    { venue_id: string; time_zone: string; mode: string; public_key_fingerprint: string; last_batch: number; last_seq: number; last_manifest_sha256: string } | undefined;
  return r ? {
    venueId: r.venue_id, timeZone: r.time_zone, mode: r.mode, publicKeyFingerprint: r.public_key_fingerprint,
    lastBatch: r.last_batch, lastSeq: r.last_seq, lastManifestSha256: r.last_manifest_sha256,
  } : undefined;
}

export function listCentralVenues(db: Database): CentralVenue[] {
  return (db.prepare('SELECT venue_id FROM venues ORDER BY venue_id').all() as { venue_id: string }[]).map((r) => getCentralVenue(db, r.venue_id) as CentralVenue);
}

export function upsertCentralVenue(db: Database, v: CentralVenue, now: number): void {
  db.prepare(`INSERT INTO venues (venue_id, time_zone, mode, public_key_fingerprint, last_batch, last_seq, last_manifest_sha256, first_collected_at, last_collected_at)
    VALUES (@venueId, @timeZone, @mode, @publicKeyFingerprint, @lastBatch, @lastSeq, @lastManifestSha256, @now, @now)
    ON CONFLICT(venue_id) DO UPDATE SET time_zone = excluded.time_zone, mode = excluded.mode, public_key_fingerprint = excluded.public_key_fingerprint,
      last_batch = excluded.last_batch, last_seq = excluded.last_seq, last_manifest_sha256 = excluded.last_manifest_sha256, last_collected_at = excluded.last_collected_at`)
    .run({ ...v, now });
}

export interface CollectedBundle {
  venueId: string;
  batch: number;
  name: string;
  firstSeq: number;
  lastSeq: number;
  events: number;
  manifestSha256: string;
  previousManifestSha256: string;
  auditHead: string;
  auditEntries: number;
  auditIntact: boolean;
  createdAt: string;
  collectedAt: number;
  manifest: string;
  signature: string;
}

export function insertCollectedBundle(db: Database, b: CollectedBundle): void {
  db.prepare(`INSERT INTO bundles (venue_id, batch, name, first_seq, last_seq, events, manifest_sha256, previous_manifest_sha256, audit_head, audit_entries, audit_intact, created_at, collected_at, manifest, signature)
    VALUES (@venueId, @batch, @name, @firstSeq, @lastSeq, @events, @manifestSha256, @previousManifestSha256, @auditHead, @auditEntries, @auditIntact, @createdAt, @collectedAt, @manifest, @signature)`)
    .run({ ...b, auditIntact: b.auditIntact ? 1 : 0 });
}

export function collectedManifestSha256(db: Database, venueId: string, batch: number): string | undefined {
  return (db.prepare('SELECT manifest_sha256 AS s FROM bundles WHERE venue_id = ? AND batch = ?').get(venueId, batch) as { s: string } | undefined)?.s;
}

// ---- events and what they say about visits --------------------------------------

export interface CentralEvent {
  venueId: string;
  seq: number;
  batch: number;
  at: number;
  type: string;
  participantCode: string | null;
  data: Record<string, unknown>;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Prepared statements for ingesting one venue's events: the event row, and
 * its effect on participants, visits and checks, following the venue's own
 * rules (services/attendance.ts, kiosk.ts, participants.ts).
 */
export function eventWriter(db: Database): (e: CentralEvent) => void {
  const insertEvent = db.prepare('INSERT INTO events (venue_id, seq, batch, at, type, participant_code, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const enrol = db.prepare(`INSERT INTO participants (venue_id, code, mode, enrolled_at) VALUES (?, ?, ?, ?)
    ON CONFLICT(venue_id, code) DO UPDATE SET mode = excluded.mode`);
  const setActive = db.prepare('UPDATE participants SET active = ? WHERE venue_id = ? AND code = ?');
  const openVisit = db.prepare(`INSERT INTO visits (venue_id, visit_id, participant_code, day, checked_in_at, checked_out_at, source, corrected)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(venue_id, visit_id) DO NOTHING`);
  const closeVisit = db.prepare('UPDATE visits SET checked_out_at = ?, corrected = max(corrected, ?) WHERE venue_id = ? AND visit_id = ?');
  const autoClose = db.prepare('UPDATE visits SET checked_out_at = ?, auto_closed = 1 WHERE venue_id = ? AND visit_id = ?');
  const correctVisit = db.prepare('UPDATE visits SET checked_in_at = ?, checked_out_at = ?, corrected = 1 WHERE venue_id = ? AND visit_id = ?');
  const markCorrected = db.prepare('UPDATE visits SET corrected = 1 WHERE venue_id = ? AND visit_id = ?');
  const insertCheck = db.prepare(`INSERT INTO checks (venue_id, check_id, visit_id, outcome, reason, recorded_at, corrects_id)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(venue_id, check_id) DO NOTHING`);

  return (e) => {
    insertEvent.run(e.venueId, e.seq, e.batch, e.at, e.type, e.participantCode, JSON.stringify(e.data));
    const d = e.data;
    const code = e.participantCode;
    const visitId = num(d.visitId);
    const after = d.afterConfirmation === true ? 1 : 0;
    switch (e.type) {
      case 'participant.enrolled':
        if (code) enrol.run(e.venueId, code, str(d.mode) ?? 'dropin', e.at);
        break;
      case 'participant.deactivated':
      case 'participant.reactivated':
        if (code) setActive.run(e.type === 'participant.reactivated' ? 1 : 0, e.venueId, code);
        break;
      case 'visit.checked_in':
      case 'visit.manual_in':
        if (code && visitId !== null && str(d.day)) {
          openVisit.run(e.venueId, visitId, code, str(d.day), e.at, null, e.type === 'visit.manual_in' ? 'manual' : (str(d.source) ?? 'card'), after);
        }
        break;
      case 'visit.paper':
        if (code && visitId !== null && str(d.day) && num(d.in) !== null) openVisit.run(e.venueId, visitId, code, str(d.day), num(d.in), num(d.out), 'paper', after);
        break;
      case 'visit.checked_out':
      case 'visit.manual_out':
        if (visitId !== null) closeVisit.run(num(d.out) ?? e.at, after, e.venueId, visitId);
        break;
      case 'visit.auto_closed':
        if (visitId !== null) autoClose.run(num(d.out) ?? e.at, e.venueId, visitId);
        break;
      case 'visit.corrected':
        if (visitId !== null && num(d.in) !== null) correctVisit.run(num(d.in), num(d.out), e.venueId, visitId);
        break;
      case 'check.recorded':
      case 'check.corrected': {
        const checkId = num(d.checkId);
        const outcome = str(d.outcome);
        if (visitId === null || checkId === null || !outcome) break;
        insertCheck.run(e.venueId, checkId, visitId, outcome, str(d.reason), e.at, num(d.corrects));
        if (e.type === 'check.corrected' || after) markCorrected.run(e.venueId, visitId);
        break;
      }
      default:
        // Kept in `events` only (cards, day confirmations, schedules, and types newer than this code).
        break;
    }
  };
}

export function countCentralEvents(db: Database, venueId?: string): number {
  const row = venueId === undefined
    ? db.prepare('SELECT count(*) AS n FROM events').get()
    : db.prepare('SELECT count(*) AS n FROM events WHERE venue_id = ?').get(venueId);
  return (row as { n: number }).n;
}
