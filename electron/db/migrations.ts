/**
 * Numbered migrations, tracked by PRAGMA user_version (the Signal Desktop
 * way). Each runs in its own transaction; a database whose version is higher
 * than the last one here was written by a newer Kliv and is refused rather
 * than risk writing a shape this code does not understand.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(`The database was written by a newer version of Kliv (schema ${found}; this version understands up to ${supported}). Install the newer Kliv or restore a backup.`);
    this.name = 'DatabaseTooNewError';
  }
}

export const migrations: Migration[] = [
  {
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
  },
  {
    version: 2,
    name: 'staff mode: accounts, badges, checks, corrections, day confirmations, audit log',
    up(db) {
      db.exec(`
        CREATE TABLE staff (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE COLLATE NOCASE,
          role TEXT NOT NULL CHECK (role IN ('staff', 'coordinator', 'admin')),
          pin_hash TEXT NOT NULL,
          failed_attempts INTEGER NOT NULL DEFAULT 0,
          locked_at INTEGER,
          name_login_allowed INTEGER NOT NULL DEFAULT 0 CHECK (name_login_allowed IN (0, 1)),
          active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE staff_badges (
          id INTEGER PRIMARY KEY,
          token_hash BLOB NOT NULL UNIQUE,
          staff_id INTEGER NOT NULL REFERENCES staff(id),
          issued_at INTEGER NOT NULL,
          revoked_at INTEGER,
          revoke_reason TEXT
        ) STRICT;
        CREATE INDEX staff_badges_by_staff ON staff_badges(staff_id);

        -- Checks are appended: a correction is a new row pointing at the one it
        -- corrects; the newest row of a visit is its current check.
        CREATE TABLE checks (
          id INTEGER PRIMARY KEY,
          visit_id INTEGER NOT NULL REFERENCES visits(id),
          outcome TEXT NOT NULL CHECK (outcome IN ('ready', 'not_today')),
          reason TEXT CHECK (reason IN ('not_sober', 'unwell', 'other')),
          recorded_at INTEGER NOT NULL,
          staff_id INTEGER NOT NULL REFERENCES staff(id),
          corrects_id INTEGER REFERENCES checks(id),
          correction_reason TEXT,
          after_confirmation INTEGER NOT NULL DEFAULT 0,
          CHECK ((outcome = 'not_today') = (reason IS NOT NULL))
        ) STRICT;
        CREATE INDEX checks_by_visit ON checks(visit_id, id);
        CREATE TRIGGER checks_no_update BEFORE UPDATE ON checks
          BEGIN SELECT RAISE(ABORT, 'checks are append-only'); END;

        -- Every change of a visit's times keeps the before and after.
        CREATE TABLE visit_corrections (
          id INTEGER PRIMARY KEY,
          visit_id INTEGER NOT NULL REFERENCES visits(id),
          at INTEGER NOT NULL,
          staff_id INTEGER NOT NULL REFERENCES staff(id),
          reason TEXT NOT NULL,
          before_in INTEGER NOT NULL,
          before_out INTEGER,
          after_in INTEGER NOT NULL,
          after_out INTEGER,
          after_confirmation INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX visit_corrections_by_visit ON visit_corrections(visit_id, id);
        CREATE TRIGGER visit_corrections_no_update BEFORE UPDATE ON visit_corrections
          BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

        ALTER TABLE visits ADD COLUMN manual_reason TEXT;
        ALTER TABLE visits ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;

        CREATE TABLE day_confirmations (
          day TEXT PRIMARY KEY,
          confirmed_at INTEGER NOT NULL,
          staff_id INTEGER NOT NULL REFERENCES staff(id),
          visits INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE audit_log (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          subject TEXT,
          detail TEXT NOT NULL,
          prev_mac TEXT NOT NULL,
          mac TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      `);
    },
  },
];

export const LATEST_VERSION = migrations[migrations.length - 1]?.version ?? 0;

export function currentVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database, upTo: number = LATEST_VERSION): number {
  const found = currentVersion(db);
  if (found > LATEST_VERSION) throw new DatabaseTooNewError(found, LATEST_VERSION);
  for (const m of migrations) {
    if (m.version <= found || m.version > upTo) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return currentVersion(db);
}
