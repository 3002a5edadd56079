import type { Migration } from '../migrations';

export const migration0002: Migration = {
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
      -- Only the retention purge (which marks itself in settings) may delete.
      CREATE TRIGGER checks_no_delete BEFORE DELETE ON checks
        WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'retention.purging')
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
      CREATE TRIGGER visit_corrections_no_delete BEFORE DELETE ON visit_corrections
        WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'retention.purging')
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
      -- Finds the last read of a list by one person (repeated polling is logged once a minute).
      CREATE INDEX audit_by_action ON audit_log(action, actor, subject, seq);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      -- INSERT OR REPLACE deletes without firing DELETE triggers: refuse it here.
      CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit_log
        WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `);
  },
};
