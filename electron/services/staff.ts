/**
 * Staff accounts and login. A login is a staff badge (its own card prefix)
 * plus a PIN; an admin may allow name + PIN for someone whose badge is lost.
 * Five wrong PINs lock the account until a coordinator unlocks it; the count
 * is in the database so a restart does not reset it. Every attempt is audited.
 */
import type { StaffAccount, StaffRole } from '../../shared/api';
import { generateCardPayload, parseCardPayload } from '../../shared/card';
import { KlivError } from '../../shared/errors';
import { hasForbiddenCharacters } from '../../shared/validation';
import {
  countStaff, findStaffBadge, getStaff, getStaffByName, insertStaff, insertStaffBadge, listStaff, recordFailedLogin, resetFailedLogins,
  revokeStaffBadges, setNameLoginAllowed, unlockStaff, type StaffMember,
} from '../db/staff';
import { audit, actorOf } from './audit';
import type { ServiceContext } from './context';
import { cardTokenHash, nodeRandomBytes } from './hash';
import { hashPin, isTrivialPin, verifyPin, type ScryptParams } from './pin';

export const MAX_FAILED_LOGINS = 5;

export interface Actor { staffId: number | null; role: StaffRole | 'kiosk' | 'cli' }
export const CLI_ACTOR: Actor = { staffId: null, role: 'cli' };
export const actorName = (actor: Actor): string => (actor.role === 'cli' ? 'cli' : actorOf(actor.staffId));

export function toAccount(s: StaffMember): StaffAccount {
  return {
    staffId: s.id, name: s.name, role: s.role, locked: s.lockedAt !== null, failedAttempts: s.failedAttempts,
    nameLoginAllowed: s.nameLoginAllowed, active: s.active,
  };
}

function pepper(ctx: ServiceContext): Buffer {
  // A new pepper would silently turn every stored PIN into a wrong one (and
  // lock every account after five tries): once accounts exist, a missing
  // pepper must be restored, never replaced.
  const existing = ctx.secrets.get('pepper');
  if (existing) return existing;
  if (countStaff(ctx.db) > 0) throw new KlivError('KEY_UNAVAILABLE', `The PIN pepper is missing (${ctx.secrets.describe()}); restore it from backup before anyone can log in.`);
  return ctx.secrets.getOrCreate('pepper');
}

export function validatePin(pin: string): void {
  if (!/^\d{6,12}$/.test(pin)) throw new KlivError('BAD_INPUT', 'A PIN is 6–12 digits.');
  if (isTrivialPin(pin)) throw new KlivError('PIN_TOO_SIMPLE', 'That PIN is too easy to guess (same digit or a straight run).');
}

export function addStaff(ctx: ServiceContext, actor: Actor, input: { name: string; role: StaffRole; pin: string }, scrypt?: ScryptParams): { account: StaffAccount; badgePayload: string } {
  validatePin(input.pin);
  const name = input.name.trim();
  if (name.length === 0 || name.length > 60) throw new KlivError('BAD_INPUT', 'A staff name is 1–60 characters.');
  // `kliv staff add` reaches here without the contract's plainText(): the same rule as display names.
  if (hasForbiddenCharacters(name)) throw new KlivError('BAD_INPUT', 'A staff name cannot hold control or invisible characters.');
  if (getStaffByName(ctx.db, name)) throw new KlivError('CONFLICT', 'There is already a staff member with that name.');
  const pinHash = hashPin(input.pin, pepper(ctx), scrypt);
  return ctx.db.transaction(() => {
    const now = ctx.clock.now();
    const member = insertStaff(ctx.db, { name, role: input.role, pinHash, createdAt: now });
    const badgePayload = issueBadge(ctx, member.id);
    audit(ctx, { actor: actorName(actor), action: 'staff.added', subject: `staff:${member.id}`, detail: { role: member.role } });
    return { account: toAccount(member), badgePayload };
  })();
}

/** A new badge for a staff member; earlier badges stop working at once. */
export function issueBadge(ctx: ServiceContext, staffId: number): string {
  const now = ctx.clock.now();
  revokeStaffBadges(ctx.db, staffId, now, 'reissued');
  const payload = generateCardPayload('staff', nodeRandomBytes);
  insertStaffBadge(ctx.db, { tokenHash: cardTokenHash(payload), staffId, issuedAt: now });
  return payload;
}

export type LoginInput = { badge: string; pin: string } | { name: string; pin: string };

/**
 * Returns the staff member on success. Failures are deliberately vague to
 * the caller (LOGIN_FAILED) but precise in the audit log.
 */
export function login(ctx: ServiceContext, input: LoginInput): StaffMember {
  let member: StaffMember | undefined;
  let via: 'badge' | 'name';
  if ('badge' in input) {
    via = 'badge';
    const parsed = parseCardPayload(input.badge);
    const badge = parsed.ok && parsed.kind === 'staff' ? findStaffBadge(ctx.db, cardTokenHash(parsed.payload)) : undefined;
    if (badge && badge.revokedAt === null) member = getStaff(ctx.db, badge.staffId);
    if (!member) {
      audit(ctx, { actor: 'kiosk', action: 'login.failed', detail: { via, why: badge ? 'revoked-badge' : 'unknown-badge' } });
      verifyPin(input.pin, pepper(ctx), DUMMY_HASH.value(ctx)); // same time as a real attempt
      throw new KlivError('LOGIN_FAILED', 'Wrong badge or PIN.');
    }
  } else {
    via = 'name';
    member = getStaffByName(ctx.db, input.name.trim());
    if (!member || !member.nameLoginAllowed) {
      audit(ctx, { actor: 'kiosk', action: 'login.failed', subject: member ? `staff:${member.id}` : null, detail: { via, why: member ? 'name-login-not-allowed' : 'unknown-name' } });
      verifyPin(input.pin, pepper(ctx), DUMMY_HASH.value(ctx));
      throw new KlivError('LOGIN_FAILED', 'Wrong badge or PIN.');
    }
  }
  const subject = `staff:${member.id}`;
  if (!member.active) {
    audit(ctx, { actor: 'kiosk', action: 'login.failed', subject, detail: { via, why: 'inactive' } });
    verifyPin(input.pin, pepper(ctx), DUMMY_HASH.value(ctx)); // no faster answer for an inactive account
    throw new KlivError('LOGIN_FAILED', 'Wrong badge or PIN.');
  }
  if (member.lockedAt !== null) {
    audit(ctx, { actor: 'kiosk', action: 'login.refused-locked', subject, detail: { via } });
    verifyPin(input.pin, pepper(ctx), DUMMY_HASH.value(ctx)); // no faster answer for a locked account
    throw new KlivError('ACCOUNT_LOCKED', 'This account is locked after too many wrong PINs; a coordinator can unlock it.');
  }
  if (!verifyPin(input.pin, pepper(ctx), member.pinHash)) {
    const after = recordFailedLogin(ctx.db, member.id, ctx.clock.now(), MAX_FAILED_LOGINS);
    const locked = after.lockedAt !== null;
    audit(ctx, { actor: 'kiosk', action: locked ? 'login.failed-locked' : 'login.failed', subject, detail: { via, why: 'wrong-pin', attempts: after.failedAttempts } });
    if (locked) throw new KlivError('ACCOUNT_LOCKED', 'Too many wrong PINs: the account is now locked; a coordinator can unlock it.');
    throw new KlivError('LOGIN_FAILED', 'Wrong badge or PIN.');
  }
  resetFailedLogins(ctx.db, member.id);
  audit(ctx, { actor: subject, action: 'login.ok', subject, detail: { via } });
  return { ...member, failedAttempts: 0 };
}

/** A fixed hash to verify against when the account is unknown, so timing does not reveal it. */
const DUMMY_HASH = (() => {
  let cached: string | null = null;
  return { value: (ctx: ServiceContext): string => (cached ??= hashPin('000000', pepper(ctx))) };
})();

export function logout(ctx: ServiceContext, staffId: number, why: 'logout' | 'idle'): void {
  audit(ctx, { actor: `staff:${staffId}`, action: why === 'idle' ? 'session.idle-locked' : 'session.logout', subject: `staff:${staffId}` });
}

export function unlockAccount(ctx: ServiceContext, actor: Actor, staffId: number): StaffAccount {
  const member = getStaff(ctx.db, staffId);
  if (!member) throw new KlivError('NOT_FOUND', 'No such staff member.');
  unlockStaff(ctx.db, staffId);
  audit(ctx, { actor: actorName(actor), action: 'staff.unlocked', subject: `staff:${staffId}` });
  return toAccount(getStaff(ctx.db, staffId) as StaffMember);
}

export function allowNameLogin(ctx: ServiceContext, actor: Actor, staffId: number, allow: boolean): StaffAccount {
  const member = getStaff(ctx.db, staffId);
  if (!member) throw new KlivError('NOT_FOUND', 'No such staff member.');
  setNameLoginAllowed(ctx.db, staffId, allow);
  audit(ctx, { actor: actorName(actor), action: allow ? 'staff.name-login-allowed' : 'staff.name-login-withdrawn', subject: `staff:${staffId}` });
  return toAccount(getStaff(ctx.db, staffId) as StaffMember);
}

export function staffAccounts(ctx: ServiceContext, actor: Actor): StaffAccount[] {
  audit(ctx, { actor: actorName(actor), action: 'staff.listed' });
  return listStaff(ctx.db).map(toAccount);
}

export function findStaffByNameOrId(ctx: ServiceContext, ref: string): StaffMember {
  const member = /^\d+$/.test(ref) ? getStaff(ctx.db, Number(ref)) : getStaffByName(ctx.db, ref);
  if (!member) throw new KlivError('NOT_FOUND', `No staff member "${ref}".`);
  return member;
}
