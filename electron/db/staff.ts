import type { Database } from 'better-sqlite3';
import type { StaffRole } from '../../shared/api';

export interface StaffMember {
  id: number;
  name: string;
  role: StaffRole;
  pinHash: string;
  failedAttempts: number;
  lockedAt: number | null;
  nameLoginAllowed: boolean;
  active: boolean;
  createdAt: number;
}

interface StaffRow { id: number; name: string; role: StaffRole; pin_hash: string; failed_attempts: number; locked_at: number | null; name_login_allowed: number; active: number; created_at: number }
const COLUMNS = 'id, name, role, pin_hash, failed_attempts, locked_at, name_login_allowed, active, created_at';
const toStaff = (r: StaffRow): StaffMember => ({
  id: r.id, name: r.name, role: r.role, pinHash: r.pin_hash, failedAttempts: r.failed_attempts, lockedAt: r.locked_at,
  nameLoginAllowed: r.name_login_allowed === 1, active: r.active === 1, createdAt: r.created_at,
});

export function insertStaff(db: Database, s: { name: string; role: StaffRole; pinHash: string; createdAt: number }): StaffMember {
  const info = db.prepare('INSERT INTO staff (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)').run(s.name, s.role, s.pinHash, s.createdAt);
  return getStaff(db, Number(info.lastInsertRowid)) as StaffMember;
}

export function getStaff(db: Database, id: number): StaffMember | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM staff WHERE id = ?`).get(id) as StaffRow | undefined;
  return row ? toStaff(row) : undefined;
}

export function getStaffByName(db: Database, name: string): StaffMember | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM staff WHERE name = ?`).get(name) as StaffRow | undefined;
  return row ? toStaff(row) : undefined;
}

export function listStaff(db: Database): StaffMember[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM staff ORDER BY name`).all() as StaffRow[]).map(toStaff);
}

export function countStaff(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM staff').get() as { n: number }).n;
}

/** Counts a wrong PIN and locks at the limit, in one statement so a crash cannot lose the count. */
export function recordFailedLogin(db: Database, id: number, at: number, limit: number): StaffMember {
  db.prepare('UPDATE staff SET failed_attempts = failed_attempts + 1, locked_at = CASE WHEN failed_attempts + 1 >= ? AND locked_at IS NULL THEN ? ELSE locked_at END WHERE id = ?').run(limit, at, id);
  return getStaff(db, id) as StaffMember;
}

export function resetFailedLogins(db: Database, id: number): void {
  db.prepare('UPDATE staff SET failed_attempts = 0 WHERE id = ?').run(id);
}

export function unlockStaff(db: Database, id: number): void {
  db.prepare('UPDATE staff SET failed_attempts = 0, locked_at = NULL WHERE id = ?').run(id);
}

export function setNameLoginAllowed(db: Database, id: number, allow: boolean): void {
  db.prepare('UPDATE staff SET name_login_allowed = ? WHERE id = ?').run(allow ? 1 : 0, id);
}

export function setStaffPinHash(db: Database, id: number, pinHash: string): void {
  db.prepare('UPDATE staff SET pin_hash = ? WHERE id = ?').run(pinHash, id);
}

// ---- badges -----------------------------------------------------------------

export function insertStaffBadge(db: Database, b: { tokenHash: Buffer; staffId: number; issuedAt: number }): number {
  return Number(db.prepare('INSERT INTO staff_badges (token_hash, staff_id, issued_at) VALUES (?, ?, ?)').run(b.tokenHash, b.staffId, b.issuedAt).lastInsertRowid);
}

export function findStaffBadge(db: Database, tokenHash: Buffer): { id: number; staffId: number; revokedAt: number | null } | undefined {
  const row = db.prepare('SELECT id, staff_id, revoked_at FROM staff_badges WHERE token_hash = ?').get(tokenHash) as { id: number; staff_id: number; revoked_at: number | null } | undefined;
  return row ? { id: row.id, staffId: row.staff_id, revokedAt: row.revoked_at } : undefined;
}

export function revokeStaffBadges(db: Database, staffId: number, at: number, reason: string): number {
  return db.prepare('UPDATE staff_badges SET revoked_at = ?, revoke_reason = ? WHERE staff_id = ? AND revoked_at IS NULL').run(at, reason, staffId).changes;
}
