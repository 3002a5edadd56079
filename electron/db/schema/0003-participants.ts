import type { Migration } from '../migrations';

export const migration0003: Migration = {
  version: 3,
  name: 'participants: weekly schedules; revoked cards and badges stay revoked',
  up(db) {
    db.exec(`
      -- A weekly pattern per participant: the days (bit 0 = Monday … bit 6 =
      -- Sunday) and one start–end, in force from valid_from to valid_to
      -- (inclusive venue-local dates; NULL = until further notice). Setting a
      -- new schedule ends the previous one, so periods never overlap.
      CREATE TABLE schedules (
        id INTEGER PRIMARY KEY,
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
        start_time TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
        end_time TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]'),
        valid_from TEXT NOT NULL CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        valid_to TEXT CHECK (valid_to IS NULL OR valid_to GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        created_at INTEGER NOT NULL,
        CHECK (start_time < end_time),
        CHECK (valid_to IS NULL OR valid_to >= valid_from)
      ) STRICT;
      CREATE INDEX schedules_by_participant ON schedules(participant_id, valid_from);

      -- A revoked card must never work again, whatever the code above does.
      CREATE TRIGGER cards_stay_revoked BEFORE UPDATE OF revoked_at ON cards
        WHEN OLD.revoked_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a revoked card stays revoked'); END;
      CREATE TRIGGER staff_badges_stay_revoked BEFORE UPDATE OF revoked_at ON staff_badges
        WHEN OLD.revoked_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a revoked badge stays revoked'); END;
    `);
  },
};
