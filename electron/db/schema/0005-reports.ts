import type { Migration } from '../migrations';

/**
 * The `report_visits` view the monthly report reads (shape: ../reportView.ts).
 * The municipality's central database defines a view with the same columns,
 * so one set of report queries serves both.
 *
 * - corrected: the visit was changed after its day was confirmed (flagged),
 *   its times were corrected, or its check was corrected.
 * - check_outcome / check_reason: the visit's current check, its newest row.
 * - check_at: when the person was assessed, i.e. when the first check of the
 *   visit was recorded. A correction fixes the outcome of that assessment,
 *   not the moment the person was seen, so sober hours still run from it.
 *
 * Checks of a visit form one chain (attendance.ts): the first is recorded
 * once, every later row corrects the newest. So the check was corrected
 * exactly when the newest row is a correction, and only then is the first
 * row a different one. The view leans on that to read one check row per
 * visit instead of three: the report reads ~17,000 visits per month.
 *
 * The report selects by `day` (visits_by_day); visits_by_day_out lets it skip
 * the days before the month that do not reach into it without reading rows.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'reports: report_visits view',
  up(db) {
    db.exec(`
      CREATE INDEX visits_by_day_out ON visits(day, checked_out_at);

      CREATE VIEW report_visits AS
      SELECT
        venue.venue_id AS venue_id,
        p.code AS participant_code,
        p.display_name AS display_name,
        p.mode AS participant_mode,
        p.created_at AS enrolled_at,
        v.id AS visit_id,
        v.day AS day,
        v.checked_in_at AS checked_in_at,
        v.checked_out_at AS checked_out_at,
        v.source AS source,
        v.auto_closed AS auto_closed,
        (v.flagged <> 0
          OR c.corrects_id IS NOT NULL
          OR EXISTS (SELECT 1 FROM visit_corrections vc WHERE vc.visit_id = v.id)) AS corrected,
        c.outcome AS check_outcome,
        c.reason AS check_reason,
        CASE WHEN c.corrects_id IS NULL THEN c.recorded_at
          ELSE (SELECT c0.recorded_at FROM checks c0 WHERE c0.visit_id = v.id ORDER BY c0.id LIMIT 1) END AS check_at,
        venue.time_zone AS time_zone
      FROM visits v
      JOIN participants p ON p.id = v.participant_id
      JOIN venue ON venue.id = 1
      LEFT JOIN checks c ON c.id = (SELECT max(c1.id) FROM checks c1 WHERE c1.visit_id = v.id);
    `);
  },
};
