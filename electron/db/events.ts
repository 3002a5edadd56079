import type { Database } from 'better-sqlite3';

/**
 * The event log is what the nightly export reads. Rows are only ever
 * appended (a trigger refuses UPDATE); `seq` is AUTOINCREMENT so a number is
 * never reused even after retention deletes old rows.
 */
export type EventType =
  | 'visit.checked_in' | 'visit.checked_out' | 'visit.manual_in' | 'visit.manual_out' | 'visit.paper'
  | 'visit.corrected' | 'visit.auto_closed'
  | 'check.recorded' | 'check.corrected'
  | 'day.confirmed' | 'day.reopened'
  | 'participant.enrolled' | 'participant.deactivated' | 'participant.reactivated' | 'participant.schedule_set'
  | 'card.issued' | 'card.revoked';

export interface KlivEvent {
  seq: number;
  at: number;
  type: EventType;
  participantCode: string | null;
  data: Record<string, unknown>;
}

interface EventRow { seq: number; at: number; type: EventType; participant_code: string | null; data: string }
const toEvent = (r: EventRow): KlivEvent => ({ seq: r.seq, at: r.at, type: r.type, participantCode: r.participant_code, data: JSON.parse(r.data) as Record<string, unknown> });

export function appendEvent(db: Database, e: Omit<KlivEvent, 'seq'>): number {
  const info = db.prepare('INSERT INTO events (at, type, participant_code, data) VALUES (?, ?, ?, ?)').run(e.at, e.type, e.participantCode, JSON.stringify(e.data));
  return Number(info.lastInsertRowid);
}

export function eventsAfter(db: Database, afterSeq: number, limit = 10_000): KlivEvent[] {
  return (db.prepare('SELECT seq, at, type, participant_code, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as EventRow[]).map(toEvent);
}

export function lastEventSeq(db: Database): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
}
