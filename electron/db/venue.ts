import type { Database } from 'better-sqlite3';
import type { VenueMode } from '../../shared/api';

export interface Venue {
  venueId: string;
  name: string;
  mode: VenueMode;
  timeZone: string;
  createdAt: number;
}

interface VenueRow { venue_id: string; name: string; mode: VenueMode; time_zone: string; created_at: number }

const toVenue = (r: VenueRow): Venue => ({ venueId: r.venue_id, name: r.name, mode: r.mode, timeZone: r.time_zone, createdAt: r.created_at });

export function getVenue(db: Database): Venue | undefined {
  const row = db.prepare('SELECT venue_id, name, mode, time_zone, created_at FROM venue WHERE id = 1').get() as VenueRow | undefined;
  return row ? toVenue(row) : undefined;
}

export function createVenue(db: Database, venue: Venue): void {
  db.prepare('INSERT INTO venue (id, venue_id, name, mode, time_zone, created_at) VALUES (1, ?, ?, ?, ?, ?)')
    .run(venue.venueId, venue.name, venue.mode, venue.timeZone, venue.createdAt);
}

export function updateVenue(db: Database, patch: Partial<Pick<Venue, 'name' | 'mode' | 'timeZone'>>): void {
  const current = getVenue(db);
  if (!current) throw new Error('venue not initialised');
  const next = { ...current, ...patch };
  db.prepare('UPDATE venue SET name = ?, mode = ?, time_zone = ? WHERE id = 1').run(next.name, next.mode, next.timeZone);
}
