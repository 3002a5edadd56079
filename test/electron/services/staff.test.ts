import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type KlivApp } from '../../../electron/api/app';
import { auditKey, verifyAuditChain } from '../../../electron/services/audit';
import { enrolParticipant } from '../../../electron/services/participants';
import {
  addStaff, allowNameLogin, CLI_ACTOR, findStaffByNameOrId, issueBadge, login, MAX_FAILED_LOGINS, staffAccounts, unlockAccount, type Actor,
} from '../../../electron/services/staff';
import type { ScryptParams } from '../../../electron/services/pin';
import { generateCardPayload, parseCardPayload } from '../../../shared/card';
import { KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

const FAST: ScryptParams = { logN: 10, r: 8, p: 1 };
const PIN = '482913';
const WRONG = '482914';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

interface AuditLine { seq: number; actor: string; action: string; subject: string | null; detail: string }
const auditLines = (app: KlivApp): AuditLine[] => app.db.prepare('SELECT seq, actor, action, subject, detail FROM audit_log ORDER BY seq').all() as AuditLine[];
const auditText = (app: KlivApp): string => JSON.stringify(app.db.prepare('SELECT * FROM audit_log').all());
const staffRow = (app: KlivApp, id: number) => app.db.prepare('SELECT failed_attempts, locked_at FROM staff WHERE id = ?').get(id) as { failed_attempts: number; locked_at: number | null };

let t: TestApp;
let extra: KlivApp[];
let kim: { staffId: number; badge: string };
let coordinator: Actor;
let coordinatorBadge: string;
let admin: Actor;

/** Closes the app and opens the same data folder again, as a restart of the kiosk does. */
function restart(): KlivApp {
  const current = extra.at(-1) ?? t.app;
  current.close();
  const app = openApp({ dataDir: t.dataDir, clock: t.clock });
  extra.push(app);
  return app;
}

beforeEach(() => {
  t = testApp();
  extra = [];
  const added = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: PIN }, FAST);
  kim = { staffId: added.account.staffId, badge: added.badgePayload };
  const cleo = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Cleo', role: 'coordinator', pin: '731904' }, FAST);
  coordinator = { staffId: cleo.account.staffId, role: 'coordinator' };
  coordinatorBadge = cleo.badgePayload;
  admin = { staffId: addStaff(t.app.ctx, CLI_ACTOR, { name: 'Ada', role: 'admin', pin: '615283' }, FAST).account.staffId, role: 'admin' };
});
afterEach(() => {
  for (const app of extra) app.close();
  t.close();
});

describe('addStaff', () => {
  it('returns the account and a staff badge payload; the database holds neither the PIN nor the payload', () => {
    const parsed = parseCardPayload(kim.badge);
    expect(parsed).toEqual({ ok: true, kind: 'staff', payload: kim.badge });
    expect(staffAccounts(t.app.ctx, CLI_ACTOR).find((a) => a.staffId === kim.staffId)).toEqual({
      staffId: kim.staffId, name: 'Kim', role: 'staff', locked: false, failedAttempts: 0, nameLoginAllowed: false, active: true,
    });
    const dump = JSON.stringify([
      t.app.db.prepare('SELECT * FROM staff').all(),
      t.app.db.prepare('SELECT id, hex(token_hash) AS h, staff_id FROM staff_badges').all(),
    ]);
    expect(dump).not.toContain(PIN);
    expect(dump).not.toContain(kim.badge);
    expect(dump).not.toContain(kim.badge.slice(6, 32)); // not even the token part
    const added = auditLines(t.app).filter((a) => a.action === 'staff.added');
    expect(added.map((a) => a.subject)).toEqual([`staff:${kim.staffId}`, `staff:${coordinator.staffId}`, `staff:${admin.staffId}`]);
  });

  it('refuses a duplicate name (any case), a trivial PIN and a short PIN, leaving nothing behind', () => {
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: ' kim ', role: 'admin', pin: PIN }, FAST))).toBe('CONFLICT');
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: 'Bo', role: 'staff', pin: '000000' }, FAST))).toBe('PIN_TOO_SIMPLE');
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: 'Bo', role: 'staff', pin: '123456' }, FAST))).toBe('PIN_TOO_SIMPLE');
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: 'Bo', role: 'staff', pin: '987654' }, FAST))).toBe('PIN_TOO_SIMPLE');
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: 'Bo', role: 'staff', pin: '73190' }, FAST))).toBe('BAD_INPUT');
    expect(codeOf(() => addStaff(t.app.ctx, CLI_ACTOR, { name: '   ', role: 'staff', pin: PIN }, FAST))).toBe('BAD_INPUT');
    expect(t.app.db.prepare('SELECT count(*) FROM staff').pluck().get()).toBe(3);
  });

  it('findStaffByNameOrId finds by name (any case) or id and says NOT_FOUND otherwise', () => {
    expect(findStaffByNameOrId(t.app.ctx, 'KIM').id).toBe(kim.staffId);
    expect(findStaffByNameOrId(t.app.ctx, String(kim.staffId)).name).toBe('Kim');
    expect(codeOf(() => findStaffByNameOrId(t.app.ctx, 'Nobody'))).toBe('NOT_FOUND');
    expect(codeOf(() => findStaffByNameOrId(t.app.ctx, '999'))).toBe('NOT_FOUND');
  });
});

describe('login with badge + PIN', () => {
  it('the badge from addStaff and the right PIN log in; lower case and a scanner\'s trailing Enter are accepted', () => {
    expect(login(t.app.ctx, { badge: kim.badge, pin: PIN })).toMatchObject({ id: kim.staffId, name: 'Kim', role: 'staff', failedAttempts: 0 });
    expect(login(t.app.ctx, { badge: kim.badge.toLowerCase(), pin: PIN }).id).toBe(kim.staffId);
    expect(login(t.app.ctx, { badge: `${kim.badge}\r\n`, pin: PIN }).id).toBe(kim.staffId);
    const ok = auditLines(t.app).filter((a) => a.action === 'login.ok');
    expect(ok).toHaveLength(3);
    for (const a of ok) {
      expect(a.subject).toBe(`staff:${kim.staffId}`);
      expect(JSON.parse(a.detail)).toEqual({ via: 'badge' });
    }
  });

  it('a participant card, an unknown staff badge, a malformed badge and a replaced badge are LOGIN_FAILED and audited', () => {
    const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna', code: 'P-100' });
    expect(codeOf(() => login(t.app.ctx, { badge: issued.payload, pin: PIN }))).toBe('LOGIN_FAILED');
    expect(codeOf(() => login(t.app.ctx, { badge: generateCardPayload('staff'), pin: PIN }))).toBe('LOGIN_FAILED');
    expect(codeOf(() => login(t.app.ctx, { badge: `${kim.badge.slice(0, -1)}#`, pin: PIN }))).toBe('LOGIN_FAILED');
    const newBadge = issueBadge(t.app.ctx, kim.staffId);
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: PIN }))).toBe('LOGIN_FAILED');
    expect(login(t.app.ctx, { badge: newBadge, pin: PIN }).id).toBe(kim.staffId);
    const failed = auditLines(t.app).filter((a) => a.action === 'login.failed').map((a) => JSON.parse(a.detail) as { why: string });
    expect(failed.map((d) => d.why)).toEqual(['unknown-badge', 'unknown-badge', 'unknown-badge', 'revoked-badge']);
    // a failure that cannot be tied to an account counts against nobody
    expect(staffRow(t.app, kim.staffId).failed_attempts).toBe(0);
    const text = auditText(t.app);
    expect(text).not.toContain(issued.payload);
    expect(text).not.toContain(kim.badge);
    expect(text).not.toContain(newBadge);
    expect(text).not.toContain(PIN);
  });

  it('a wrong PIN is LOGIN_FAILED and the count is stored; the right PIN resets it', () => {
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('LOGIN_FAILED');
    expect(staffRow(t.app, kim.staffId)).toEqual({ failed_attempts: 1, locked_at: null });
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: '000000' }))).toBe('LOGIN_FAILED');
    expect(staffRow(t.app, kim.staffId).failed_attempts).toBe(2);
    login(t.app.ctx, { badge: kim.badge, pin: PIN });
    expect(staffRow(t.app, kim.staffId)).toEqual({ failed_attempts: 0, locked_at: null });
  });

  it(`${MAX_FAILED_LOGINS} wrong PINs lock the account: the ${MAX_FAILED_LOGINS}th answer is ACCOUNT_LOCKED and then even the right PIN is refused`, () => {
    expect(MAX_FAILED_LOGINS).toBe(5);
    for (let i = 1; i < 5; i++) expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG })), `attempt ${i}`).toBe('LOGIN_FAILED');
    t.clock.advance(1000);
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('ACCOUNT_LOCKED');
    expect(staffRow(t.app, kim.staffId)).toEqual({ failed_attempts: 5, locked_at: t.clock.now() });
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: PIN }))).toBe('ACCOUNT_LOCKED');
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('ACCOUNT_LOCKED');
    expect(staffRow(t.app, kim.staffId).failed_attempts).toBe(5);
    // other accounts are not affected
    expect(login(t.app.ctx, { badge: coordinatorBadge, pin: '731904' }).id).toBe(coordinator.staffId);
    const actions = auditLines(t.app).filter((a) => a.subject === `staff:${kim.staffId}` && a.action.startsWith('login.')).map((a) => a.action);
    expect(actions).toEqual(['login.failed', 'login.failed', 'login.failed', 'login.failed', 'login.failed-locked', 'login.refused-locked', 'login.refused-locked']);
    expect(staffAccounts(t.app.ctx, CLI_ACTOR).find((a) => a.staffId === kim.staffId)).toMatchObject({ locked: true, failedAttempts: 5 });
  });

  it('the failed count and the lock survive closing and reopening the app on the same data folder', () => {
    for (let i = 0; i < 3; i++) expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('LOGIN_FAILED');
    let app = restart();
    expect(staffRow(app, kim.staffId).failed_attempts).toBe(3);
    expect(codeOf(() => login(app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('LOGIN_FAILED');
    app = restart();
    expect(codeOf(() => login(app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('ACCOUNT_LOCKED');
    app = restart();
    expect(codeOf(() => login(app.ctx, { badge: kim.badge, pin: PIN }))).toBe('ACCOUNT_LOCKED');
    expect(verifyAuditChain(app.db, auditKey(app.db, app.ctx.secrets)).ok).toBe(true);
  });

  it('a coordinator unlock clears the lock and the count; the next wrong PIN starts again at 1', () => {
    for (let i = 0; i < 5; i++) codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }));
    expect(staffRow(t.app, kim.staffId).locked_at).not.toBeNull();
    const account = unlockAccount(t.app.ctx, coordinator, kim.staffId);
    expect(account).toMatchObject({ staffId: kim.staffId, locked: false, failedAttempts: 0 });
    expect(staffRow(t.app, kim.staffId)).toEqual({ failed_attempts: 0, locked_at: null });
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('LOGIN_FAILED');
    expect(staffRow(t.app, kim.staffId)).toEqual({ failed_attempts: 1, locked_at: null });
    expect(login(t.app.ctx, { badge: kim.badge, pin: PIN }).id).toBe(kim.staffId);
    const unlocked = auditLines(t.app).filter((a) => a.action === 'staff.unlocked');
    expect(unlocked).toEqual([expect.objectContaining({ actor: `staff:${coordinator.staffId}`, subject: `staff:${kim.staffId}` })]);
    expect(codeOf(() => unlockAccount(t.app.ctx, coordinator, 9999))).toBe('NOT_FOUND');
  });

  it('an inactive account cannot log in', () => {
    t.app.db.prepare('UPDATE staff SET active = 0 WHERE id = ?').run(kim.staffId);
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: PIN }))).toBe('LOGIN_FAILED');
    expect(JSON.parse(auditLines(t.app).at(-1)!.detail)).toMatchObject({ why: 'inactive' });
  });
});

describe('login with name + PIN (lost badge)', () => {
  it('is refused until an admin allows it, works (any case) once allowed, and is refused again when withdrawn', () => {
    expect(codeOf(() => login(t.app.ctx, { name: 'Kim', pin: PIN }))).toBe('LOGIN_FAILED');
    expect(staffRow(t.app, kim.staffId).failed_attempts).toBe(0);
    expect(allowNameLogin(t.app.ctx, admin, kim.staffId, true)).toMatchObject({ nameLoginAllowed: true });
    expect(login(t.app.ctx, { name: 'Kim', pin: PIN }).id).toBe(kim.staffId);
    expect(login(t.app.ctx, { name: ' kim ', pin: PIN }).id).toBe(kim.staffId);
    // the badge keeps working too
    expect(login(t.app.ctx, { badge: kim.badge, pin: PIN }).id).toBe(kim.staffId);
    expect(allowNameLogin(t.app.ctx, admin, kim.staffId, false)).toMatchObject({ nameLoginAllowed: false });
    expect(codeOf(() => login(t.app.ctx, { name: 'Kim', pin: PIN }))).toBe('LOGIN_FAILED');
    expect(codeOf(() => login(t.app.ctx, { name: 'Nobody', pin: PIN }))).toBe('LOGIN_FAILED');
    const lines = auditLines(t.app).filter((a) => a.action.startsWith('login.') || a.action.startsWith('staff.name-login'));
    expect(lines.map((a) => [a.action, (JSON.parse(a.detail) as { why?: string }).why ?? null])).toEqual([
      ['login.failed', 'name-login-not-allowed'],
      ['staff.name-login-allowed', null],
      ['login.ok', null],
      ['login.ok', null],
      ['login.ok', null],
      ['staff.name-login-withdrawn', null],
      ['login.failed', 'name-login-not-allowed'],
      ['login.failed', 'unknown-name'],
    ]);
    expect(codeOf(() => allowNameLogin(t.app.ctx, admin, 9999, true))).toBe('NOT_FOUND');
  });

  it('wrong PINs by name count toward the same lockout as by badge', () => {
    allowNameLogin(t.app.ctx, admin, kim.staffId, true);
    for (let i = 0; i < 3; i++) expect(codeOf(() => login(t.app.ctx, { name: 'Kim', pin: WRONG }))).toBe('LOGIN_FAILED');
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: WRONG }))).toBe('LOGIN_FAILED');
    expect(codeOf(() => login(t.app.ctx, { name: 'Kim', pin: WRONG }))).toBe('ACCOUNT_LOCKED');
    expect(codeOf(() => login(t.app.ctx, { name: 'Kim', pin: PIN }))).toBe('ACCOUNT_LOCKED');
    expect(codeOf(() => login(t.app.ctx, { badge: kim.badge, pin: PIN }))).toBe('ACCOUNT_LOCKED');
  });
});

describe('auditing of login attempts', () => {
  it('every attempt (ok, failed, locked) is in the audit log, which never holds a PIN or a badge payload, and the chain verifies', () => {
    const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna', code: 'P-100' });
    const attempts: [string, () => unknown][] = [
      ['ok', () => login(t.app.ctx, { badge: kim.badge, pin: PIN })],
      ['participant card', () => login(t.app.ctx, { badge: issued.payload, pin: '204817' })],
      ['name not allowed', () => login(t.app.ctx, { name: 'Kim', pin: '550132' })],
      ...Array.from({ length: 5 }, (_, i): [string, () => unknown] => [`wrong ${i}`, () => login(t.app.ctx, { badge: kim.badge, pin: `90817${i}` })]),
      ['locked', () => login(t.app.ctx, { badge: kim.badge.toLowerCase(), pin: PIN })],
    ];
    const before = auditLines(t.app).length;
    for (const [, attempt] of attempts) codeOf(attempt);
    const lines = auditLines(t.app).slice(before);
    expect(lines.map((a) => a.action)).toEqual([
      'login.ok', 'login.failed', 'login.failed', 'login.failed', 'login.failed', 'login.failed', 'login.failed', 'login.failed-locked', 'login.refused-locked',
    ]);
    const text = auditText(t.app);
    for (const secret of [PIN, '204817', '550132', '908170', '908171', '908172', '908173', '908174', kim.badge, kim.badge.toLowerCase(), issued.payload, kim.badge.slice(6, 32), issued.payload.slice(6, 32)]) {
      expect(text, `audit log holds ${secret}`).not.toContain(secret);
    }
    for (const l of lines) expect(Object.keys(JSON.parse(l.detail) as object).sort()).not.toContain('pin');
    expect(verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets))).toMatchObject({ ok: true });
  });
});
