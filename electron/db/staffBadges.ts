import type { Database } from 'better-sqlite3';

/** Staff badges as the administration screens list them (db/staff.ts has issuing and login lookup). */
export interface StaffBadge {
  id: number;
  staffId: number;
  issuedAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

interface BadgeRow { id: number; staff_id: number; issued_at: number; revoked_at: number | null; revoke_reason: string | null }
const COLUMNS = 'id, staff_id, issued_at, revoked_at, revoke_reason';
const toBadge = (r: BadgeRow): StaffBadge => ({ id: r.id, staffId: r.staff_id, issuedAt: r.issued_at, revokedAt: r.revoked_at, revokeReason: r.revoke_reason });

export function getStaffBadge(db: Database, id: number): StaffBadge | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM staff_badges WHERE id = ?`).get(id) as BadgeRow | undefined;
  return row ? toBadge(row) : undefined;
}

export function listStaffBadgesOf(db: Database, staffId: number): StaffBadge[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM staff_badges WHERE staff_id = ? ORDER BY issued_at DESC, id DESC`).all(staffId) as BadgeRow[]).map(toBadge);
}

/** Returns whether the badge was active (and is now revoked). */
export function revokeStaffBadge(db: Database, id: number, at: number, reason: string): boolean {
  return db.prepare('UPDATE staff_badges SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL').run(at, reason, id).changes > 0;
}
