import type { Database } from 'better-sqlite3';
import { WEEKDAYS, type Weekday } from '../../shared/contract/participants';
import { addDays, isoWeekday } from '../../shared/time';

/** A weekly pattern in force from validFrom to validTo (inclusive venue-local dates; null = open-ended). */
export interface Schedule {
  id: number;
  participantId: number;
  days: Weekday[];
  start: string;
  end: string;
  validFrom: string;
  validTo: string | null;
  createdAt: number;
}

interface ScheduleRow { id: number; participant_id: number; days: number; start_time: string; end_time: string; valid_from: string; valid_to: string | null; created_at: number }
const COLUMNS = 'id, participant_id, days, start_time, end_time, valid_from, valid_to, created_at';

/** Monday = bit 0 … Sunday = bit 6. */
export function daysToMask(days: readonly Weekday[]): number {
  let mask = 0;
  for (const d of days) mask |= 1 << WEEKDAYS.indexOf(d);
  return mask;
}

export function maskToDays(mask: number): Weekday[] {
  return WEEKDAYS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** The bit of a venue-local date's weekday. */
export function weekdayBit(day: string): number {
  return 1 << (isoWeekday(day) - 1);
}

const toSchedule = (r: ScheduleRow): Schedule => ({
  id: r.id, participantId: r.participant_id, days: maskToDays(r.days), start: r.start_time, end: r.end_time,
  validFrom: r.valid_from, validTo: r.valid_to, createdAt: r.created_at,
});

export function insertSchedule(db: Database, s: Omit<Schedule, 'id'>): Schedule {
  const info = db.prepare('INSERT INTO schedules (participant_id, days, start_time, end_time, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.participantId, daysToMask(s.days), s.start, s.end, s.validFrom, s.validTo, s.createdAt);
  return { ...s, id: Number(info.lastInsertRowid) };
}

export function getSchedule(db: Database, id: number): Schedule | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE id = ?`).get(id) as ScheduleRow | undefined;
  return row ? toSchedule(row) : undefined;
}

/** All of a participant's schedules, oldest first. */
export function schedulesOf(db: Database, participantId: number): Schedule[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE participant_id = ? ORDER BY valid_from, id`).all(participantId) as ScheduleRow[]).map(toSchedule);
}

/** The schedule in force on a day, whether or not the day is one of its weekdays. */
export function scheduleInForce(db: Database, participantId: number, day: string): Schedule | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE participant_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from DESC, id DESC LIMIT 1`)
    .get(participantId, day, day) as ScheduleRow | undefined;
  return row ? toSchedule(row) : undefined;
}

/** Schedules of a participant that touch the period [from, to]. */
export function schedulesBetween(db: Database, participantId: number, from: string, to: string): Schedule[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM schedules WHERE participant_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from, id`)
    .all(participantId, to, from) as ScheduleRow[]).map(toSchedule);
}

/**
 * Ends everything in force on or after `day`: a schedule that began earlier
 * now ends the day before; one that would only have begun on or after `day`
 * never took effect and is removed. Returns how many rows changed.
 */
export function endSchedulesFrom(db: Database, participantId: number, day: string): { ended: number; removed: number } {
  const ended = db.prepare('UPDATE schedules SET valid_to = ? WHERE participant_id = ? AND valid_from < ? AND (valid_to IS NULL OR valid_to >= ?)')
    .run(addDays(day, -1), participantId, day, day).changes;
  const removed = db.prepare('DELETE FROM schedules WHERE participant_id = ? AND valid_from >= ?').run(participantId, day).changes;
  return { ended, removed };
}

export interface ScheduledOnDay { participantId: number; start: string; end: string }

/** Active participants whose schedule has this day's weekday, ordered by start time. */
export function scheduledOn(db: Database, day: string): ScheduledOnDay[] {
  return (db.prepare(`
    SELECT s.participant_id AS participantId, s.start_time AS start, s.end_time AS end
    FROM schedules s JOIN participants p ON p.id = s.participant_id
    WHERE p.active = 1 AND s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to >= ?) AND (s.days & ?) != 0
    ORDER BY s.start_time, p.display_name COLLATE NOCASE, p.id`).all(day, day, weekdayBit(day)) as ScheduledOnDay[]);
}
