/**
 * The municipality's central database: its own numbered migrations, tracked
 * by user_version like the venue database, and marked with its own
 * application_id so neither kind of file is ever mistaken for the other.
 *
 * What it holds (filled by `kliv collect`, services/central.ts):
 * - venues: each venue seen, with the position of its chain (last batch, last
 *   seq, last manifest hash): the next bundle must follow exactly.
 * - bundles: every collected bundle's manifest and signature, as received.
 * - events: every event of every venue, as exported (codes only).
 * - participants, visits, checks: materialized from the events, so the
 *   report reads `report_visits` with exactly the columns of
 *   ../reportView.ts (display_name is always NULL here).
 */
import type { Database } from 'better-sqlite3';
import type { Migration } from '../migrations';

/** 'KLVC' */
export const CENTRAL_APPLICATION_ID = 0x4b4c5643;

export class CentralDatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`The central database was written by a newer version of Kliv (schema ${found}; this version understands up to ${supported}). Use the newer Kliv.`);
    this.name = 'DatabaseTooNewError';
  }
}

const central0001: Migration = {
  version: 1,
  name: 'central: venues, bundles, events, participants, visits, checks, report_visits',
  up(db) {
    db.exec(`
      CREATE TABLE venues (
        venue_id TEXT PRIMARY KEY,
        time_zone TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('structured', 'dropin')),
        public_key_fingerprint TEXT NOT NULL,
        last_batch INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        last_manifest_sha256 TEXT NOT NULL,
        first_collected_at INTEGER NOT NULL,
        last_collected_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE bundles (
        venue_id TEXT NOT NULL REFERENCES venues(venue_id),
        batch INTEGER NOT NULL,
        name TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        events INTEGER NOT NULL,
        manifest_sha256 TEXT NOT NULL UNIQUE,
        previous_manifest_sha256 TEXT NOT NULL,
        audit_head TEXT NOT NULL,
        audit_entries INTEGER NOT NULL,
        audit_intact INTEGER NOT NULL CHECK (audit_intact IN (0, 1)),
        created_at TEXT NOT NULL,
        collected_at INTEGER NOT NULL,
        manifest TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (venue_id, batch)
      ) STRICT;
      CREATE TRIGGER bundles_no_update BEFORE UPDATE ON bundles
        BEGIN SELECT RAISE(ABORT, 'collected bundles do not change'); END;

      CREATE TABLE events (
        venue_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        participant_code TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (venue_id, seq)
      ) STRICT;
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE participants (
        venue_id TEXT NOT NULL,
        code TEXT NOT NULL,
        mode TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        PRIMARY KEY (venue_id, code)
      ) STRICT;

      CREATE TABLE visits (
        venue_id TEXT NOT NULL,
        visit_id INTEGER NOT NULL,
        participant_code TEXT NOT NULL,
        day TEXT NOT NULL,
        checked_in_at INTEGER NOT NULL,
        checked_out_at INTEGER,
        source TEXT NOT NULL,
        auto_closed INTEGER NOT NULL DEFAULT 0 CHECK (auto_closed IN (0, 1)),
        corrected INTEGER NOT NULL DEFAULT 0 CHECK (corrected IN (0, 1)),
        PRIMARY KEY (venue_id, visit_id)
      ) STRICT;
      CREATE INDEX visits_by_day ON visits(day);
      CREATE INDEX visits_by_day_out ON visits(day, checked_out_at);

      -- Checks are appended like at the venue: a correction is a new row; the
      -- newest row of a visit is its current check, the first one says when
      -- the person was assessed.
      CREATE TABLE checks (
        venue_id TEXT NOT NULL,
        check_id INTEGER NOT NULL,
        visit_id INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        recorded_at INTEGER NOT NULL,
        corrects_id INTEGER,
        PRIMARY KEY (venue_id, check_id)
      ) STRICT;
      CREATE INDEX checks_by_visit ON checks(venue_id, visit_id, check_id);

      CREATE VIEW report_visits AS
      SELECT
        v.venue_id AS venue_id,
        v.participant_code AS participant_code,
        NULL AS display_name,
        coalesce(p.mode, ven.mode) AS participant_mode,
        coalesce(p.enrolled_at, v.checked_in_at) AS enrolled_at,
        v.visit_id AS visit_id,
        v.day AS day,
        v.checked_in_at AS checked_in_at,
        v.checked_out_at AS checked_out_at,
        v.source AS source,
        v.auto_closed AS auto_closed,
        (v.corrected <> 0
          OR EXISTS (SELECT 1 FROM checks cc WHERE cc.venue_id = v.venue_id AND cc.visit_id = v.visit_id AND cc.corrects_id IS NOT NULL)) AS corrected,
        c.outcome AS check_outcome,
        c.reason AS check_reason,
        (SELECT c0.recorded_at FROM checks c0 WHERE c0.venue_id = v.venue_id AND c0.visit_id = v.visit_id ORDER BY c0.check_id LIMIT 1) AS check_at,
        ven.time_zone AS time_zone
      FROM visits v
      JOIN venues ven ON ven.venue_id = v.venue_id
      LEFT JOIN participants p ON p.venue_id = v.venue_id AND p.code = v.participant_code
      LEFT JOIN checks c ON c.venue_id = v.venue_id
        AND c.check_id = (SELECT max(c1.check_id) FROM checks c1 WHERE c1.venue_id = v.venue_id AND c1.visit_id = v.visit_id);
    `);
  },
};

/** In version order; never edit one that has shipped. */
export const centralMigrations: Migration[] = [central0001];

export const CENTRAL_LATEST_VERSION = centralMigrations[centralMigrations.length - 1]?.version ?? 0;

export function migrateCentral(db: Database, upTo: number = CENTRAL_LATEST_VERSION): number {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > CENTRAL_LATEST_VERSION) throw new CentralDatabaseTooNewError(found, CENTRAL_LATEST_VERSION);
  for (const m of centralMigrations) {
    if (m.version <= found || m.version > upTo) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      db.pragma(`application_id = ${CENTRAL_APPLICATION_ID}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
