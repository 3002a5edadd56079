/**
 * The one shape the monthly report reads: a view named `report_visits`.
 * The venue database defines it over its own tables (migration 0005); the
 * municipality's central database defines a view with the same columns over
 * the collected bundles of all venues (display_name is NULL there). The report
 * service runs the same queries against either.
 */
export const REPORT_VIEW = 'report_visits';

export interface ReportVisitRow {
  venue_id: string;
  participant_code: string;
  /** NULL in the central database: exports carry codes only. */
  display_name: string | null;
  /** 'structured' | 'dropin' */
  participant_mode: string;
  /** When the participant was enrolled (UTC ms), for "new this month". */
  enrolled_at: number;
  visit_id: number;
  /** Venue-local calendar day of the check-in, YYYY-MM-DD. */
  day: string;
  checked_in_at: number;
  checked_out_at: number | null;
  /** 'card' | 'manual' | 'paper' */
  source: string;
  auto_closed: 0 | 1;
  /** 1 when the visit's times or its check were corrected, or it was changed after day confirmation. */
  corrected: 0 | 1;
  /** Outcome of the visit's current check: 'ready' | 'not_today' | NULL (no check). */
  check_outcome: string | null;
  check_reason: string | null;
  /** When the current check was recorded (UTC ms), or NULL. */
  check_at: number | null;
  /** The venue's IANA time zone, so central reports split days correctly per venue. */
  time_zone: string;
}

export const REPORT_VIEW_COLUMNS: (keyof ReportVisitRow)[] = [
  'venue_id', 'participant_code', 'display_name', 'participant_mode', 'enrolled_at', 'visit_id', 'day', 'checked_in_at',
  'checked_out_at', 'source', 'auto_closed', 'corrected', 'check_outcome', 'check_reason', 'check_at', 'time_zone',
];
