import type { Database } from 'better-sqlite3';

export interface Card {
  id: number;
  participantId: number;
  issuedAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

interface CardRow { id: number; participant_id: number; issued_at: number; revoked_at: number | null; revoke_reason: string | null }
const COLUMNS = 'id, participant_id, issued_at, revoked_at, revoke_reason';
const toCard = (r: CardRow): Card => ({ id: r.id, participantId: r.participant_id, issuedAt: r.issued_at, revokedAt: r.revoked_at, revokeReason: r.revoke_reason });

export function insertCard(db: Database, card: { tokenHash: Buffer; participantId: number; issuedAt: number }): Card {
  const info = db.prepare('INSERT INTO cards (token_hash, participant_id, issued_at) VALUES (?, ?, ?)').run(card.tokenHash, card.participantId, card.issuedAt);
  return { id: Number(info.lastInsertRowid), participantId: card.participantId, issuedAt: card.issuedAt, revokedAt: null, revokeReason: null };
}

export function findCardByHash(db: Database, tokenHash: Buffer): Card | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM cards WHERE token_hash = ?`).get(tokenHash) as CardRow | undefined;
  return row ? toCard(row) : undefined;
}

export function listCardsOf(db: Database, participantId: number): Card[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM cards WHERE participant_id = ? ORDER BY issued_at DESC, id DESC`).all(participantId) as CardRow[]).map(toCard);
}

export function revokeCard(db: Database, id: number, at: number, reason: string): void {
  db.prepare('UPDATE cards SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL').run(at, reason, id);
}

export function revokeActiveCardsOf(db: Database, participantId: number, at: number, reason: string): number {
  return db.prepare('UPDATE cards SET revoked_at = ?, revoke_reason = ? WHERE participant_id = ? AND revoked_at IS NULL').run(at, reason, participantId).changes;
}
