import type { Database } from 'better-sqlite3';
import type { VenueMode } from '../../shared/api';

export interface Participant {
  id: number;
  code: string;
  displayName: string;
  mode: VenueMode;
  active: boolean;
  createdAt: number;
}

interface ParticipantRow { id: number; code: string; display_name: string; mode: VenueMode; active: number; created_at: number }

const COLUMNS = 'id, code, display_name, mode, active, created_at';
const toParticipant = (r: ParticipantRow): Participant => ({
  id: r.id, code: r.code, displayName: r.display_name, mode: r.mode, active: r.active === 1, createdAt: r.created_at,
});

export function insertParticipant(db: Database, p: Omit<Participant, 'id' | 'active'>): Participant {
  const info = db.prepare('INSERT INTO participants (code, display_name, mode, active, created_at) VALUES (?, ?, ?, 1, ?)')
    .run(p.code, p.displayName, p.mode, p.createdAt);
  return { ...p, id: Number(info.lastInsertRowid), active: true };
}

export function getParticipant(db: Database, id: number): Participant | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM participants WHERE id = ?`).get(id) as ParticipantRow | undefined;
  return row ? toParticipant(row) : undefined;
}

export function getParticipantByCode(db: Database, code: string): Participant | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM participants WHERE code = ?`).get(code) as ParticipantRow | undefined;
  return row ? toParticipant(row) : undefined;
}

export function listParticipants(db: Database, options: { includeInactive?: boolean } = {}): Participant[] {
  const where = options.includeInactive ? '' : 'WHERE active = 1';
  return (db.prepare(`SELECT ${COLUMNS} FROM participants ${where} ORDER BY display_name COLLATE NOCASE, code`).all() as ParticipantRow[]).map(toParticipant);
}

/**
 * Case-insensitive substring match on display name or code. SQLite's LIKE
 * folds ASCII only ("åsa" would miss "Åsa"), and a venue has at most a few
 * thousand participants, so the match is done here with Swedish case rules.
 */
export function searchParticipants(db: Database, query: string, limit = 50): Participant[] {
  const needle = query.trim().toLocaleLowerCase('sv');
  const rows = db.prepare(`SELECT ${COLUMNS} FROM participants ORDER BY active DESC, display_name COLLATE NOCASE, code`).all() as ParticipantRow[];
  const hits: Participant[] = [];
  for (const r of rows) {
    if (r.display_name.toLocaleLowerCase('sv').includes(needle) || r.code.toLocaleLowerCase('sv').includes(needle)) hits.push(toParticipant(r));
    if (hits.length >= limit) break;
  }
  return hits;
}

export function setParticipantActive(db: Database, id: number, active: boolean): void {
  db.prepare('UPDATE participants SET active = ? WHERE id = ?').run(active ? 1 : 0, id);
}

export function updateParticipant(db: Database, id: number, patch: { displayName?: string; mode?: VenueMode }): void {
  const current = getParticipant(db, id);
  if (!current) return;
  db.prepare('UPDATE participants SET display_name = ?, mode = ? WHERE id = ?')
    .run(patch.displayName ?? current.displayName, patch.mode ?? current.mode, id);
}
