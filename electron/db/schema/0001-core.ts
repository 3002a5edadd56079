import type { Migration } from '../migrations';

export const migration0001: Migration = {
  version: 1,
  name: 'core: venue, participants, cards, visits, events',
  up(db) {
    db.exec(`
      CREATE TABLE venue (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        venue_id TEXT NOT NULL,
        name TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('structured', 'dropin')),
        time_zone TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('structured', 'dropin')),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE cards (
        id INTEGER PRIMARY KEY,
        token_hash BLOB NOT NULL UNIQUE,
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        issued_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoke_reason TEXT
      ) STRICT;
      CREATE INDEX cards_by_participant ON cards(participant_id);

      CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        day TEXT NOT NULL,
        checked_in_at INTEGER NOT NULL,
        checked_out_at INTEGER,
        source TEXT NOT NULL CHECK (source IN ('card', 'manual', 'paper')),
        auto_closed INTEGER NOT NULL DEFAULT 0 CHECK (auto_closed IN (0, 1)),
        created_at INTEGER NOT NULL,
        CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at)
      ) STRICT;
      CREATE INDEX visits_by_day ON visits(day);
      CREATE INDEX visits_by_participant ON visits(participant_id, checked_in_at);
      -- at most one open visit per person per venue day
      CREATE UNIQUE INDEX visits_one_open ON visits(participant_id, day) WHERE checked_out_at IS NULL;

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        participant_code TEXT,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE rejected_scans (
        day TEXT NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, reason)
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
  },
};
