import type { Migration } from '../migrations';

/**
 * The nightly export (docs/export-format.md).
 *
 * - export_batches: one row per bundle, numbered 1, 2, 3 … with the event
 *   range it covers. A batch is made once and never changes its number or
 *   range; `manifest` holds the exact manifest.json bytes once the bundle is
 *   built, so every destination and every retry gets the same bundle, and the
 *   next batch can chain to its hash. `acknowledged_at` is set when every
 *   destination has the whole bundle: the watermark is the last_seq of the
 *   newest acknowledged batch. At most one batch is unacknowledged at a time.
 * - export_deliveries: which destination already holds which batch, so a
 *   retry after a partial failure sends only what is missing.
 * - export_attempts: every run, for the history on the status screen.
 * - export_lease: one exporter at a time, also across processes (the kiosk
 *   and `kliv export`); a lease that was not released expires.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'export: batches, deliveries, attempts',
  up(db) {
    db.exec(`
      CREATE TABLE export_batches (
        batch INTEGER PRIMARY KEY CHECK (batch >= 1),
        first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
        last_seq INTEGER NOT NULL,
        rows INTEGER NOT NULL CHECK (rows >= 0),
        created_at INTEGER NOT NULL,
        previous_manifest_sha256 TEXT NOT NULL CHECK (length(previous_manifest_sha256) = 64),
        audit_head TEXT NOT NULL,
        audit_entries INTEGER NOT NULL,
        audit_intact INTEGER NOT NULL CHECK (audit_intact IN (0, 1)),
        manifest TEXT,
        manifest_sha256 TEXT CHECK (manifest_sha256 IS NULL OR length(manifest_sha256) = 64),
        acknowledged_at INTEGER,
        CHECK (last_seq >= first_seq),
        CHECK ((manifest IS NULL) = (manifest_sha256 IS NULL)),
        CHECK (acknowledged_at IS NULL OR manifest IS NOT NULL)
      ) STRICT;
      CREATE UNIQUE INDEX export_batches_one_pending ON export_batches(acknowledged_at IS NULL) WHERE acknowledged_at IS NULL;
      CREATE TRIGGER export_batches_range_fixed BEFORE UPDATE OF batch, first_seq, last_seq, previous_manifest_sha256 ON export_batches
        BEGIN SELECT RAISE(ABORT, 'a batch keeps its number and range'); END;
      CREATE TRIGGER export_batches_acknowledged_fixed BEFORE UPDATE ON export_batches
        WHEN OLD.acknowledged_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'an acknowledged batch does not change'); END;

      CREATE TABLE export_deliveries (
        batch INTEGER NOT NULL REFERENCES export_batches(batch),
        destination TEXT NOT NULL CHECK (destination IN ('folder', 'url')),
        target TEXT NOT NULL,
        delivered_at INTEGER NOT NULL,
        PRIMARY KEY (batch, destination, target)
      ) STRICT;

      CREATE TABLE export_attempts (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'retry', 'manual', 'cli')),
        actor TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'nothing', 'failed', 'interrupted')),
        first_batch INTEGER,
        last_batch INTEGER,
        events INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX export_attempts_by_outcome ON export_attempts(outcome, finished_at);

      CREATE TABLE export_lease (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        owner TEXT NOT NULL,
        until INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
