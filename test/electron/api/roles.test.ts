import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Caller, StaffSession } from '../../../electron/api/caller';
import { createDispatcher, type Dispatch } from '../../../electron/api/dispatch';
import { enrolParticipant } from '../../../electron/services/participants';
import { writeSetting } from '../../../electron/services/settings';
import { addStaff, CLI_ACTOR } from '../../../electron/services/staff';
import { recordCheck } from '../../../electron/services/attendance';
import { contract, kioskMethods, METHOD_NAMES, staffMethods, type Role, type StaffRole } from '../../../shared/api';
import { testApp, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };
const KIM_PIN = '482913';

/** The kiosk and staff-mode methods, which this file calls with real inputs. */
type StaffModeMethod = keyof typeof kioskMethods | keyof typeof staffMethods;
const STAFF_MODE_METHODS = [...Object.keys(kioskMethods), ...Object.keys(staffMethods)] as StaffModeMethod[];

/**
 * The least role each staff-mode method needs, written out here on purpose
 * rather than read from the contract: a change of a method's role must be a
 * visible change of this table too.
 */
const LEAST_ROLE: Record<StaffModeMethod, Role> = {
  'kiosk.status': 'kiosk',
  'kiosk.scan': 'kiosk',
  'kiosk.confirmCheckout': 'kiosk',
  'staff.login': 'kiosk',
  'staff.logout': 'kiosk',
  'staff.touch': 'staff',
  'today.view': 'staff',
  'participants.search': 'staff',
  'visits.manualCheckIn': 'staff',
  'visits.manualCheckOut': 'staff',
  'visits.correct': 'staff',
  'visits.history': 'staff',
  'checks.record': 'staff',
  'checks.correct': 'staff',
  'day.review': 'staff',
  'day.confirm': 'staff',
  'staff.list': 'coordinator',
  'staff.unlock': 'coordinator',
  'staff.add': 'admin',
  'staff.allowNameLogin': 'admin',
};

const ROLES_IN_ORDER: Role[] = ['kiosk', 'staff', 'coordinator', 'admin'];

interface World {
  t: TestApp;
  dispatch: Dispatch;
  staff: Record<StaffRole, { staffId: number; name: string }>;
  kimBadge: string;
  lockedId: number;
  annaCard: string;
  annaVisit: number;
  boVisit: number;
  boCheck: number;
  caiId: number;
}

/** A venue at 09:30 on a Monday: Anna and Bo in (Bo already checked), Cai enrolled, one locked account. */
function makeWorld(): World {
  const t = testApp({ start: '2026-03-02T08:00:00Z' });
  const ctx = t.app.ctx;
  const kim = addStaff(ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: KIM_PIN }, FAST);
  const cleo = addStaff(ctx, CLI_ACTOR, { name: 'Cleo', role: 'coordinator', pin: '731904' }, FAST);
  const ada = addStaff(ctx, CLI_ACTOR, { name: 'Ada', role: 'admin', pin: '615283' }, FAST);
  const lo = addStaff(ctx, CLI_ACTOR, { name: 'Lo', role: 'staff', pin: '550132' }, FAST);
  t.app.db.prepare('UPDATE staff SET failed_attempts = 5, locked_at = 1 WHERE id = ?').run(lo.account.staffId);
  const anna = enrolParticipant(ctx, { displayName: 'Anna', code: 'P-101' });
  const bo = enrolParticipant(ctx, { displayName: 'Bo', code: 'P-102' });
  const cai = enrolParticipant(ctx, { displayName: 'Cai', code: 'P-103' });
  t.app.kiosk.scan(anna.issued.payload);
  t.app.kiosk.scan(bo.issued.payload);
  const visitOf = (pid: number): number => t.app.db.prepare('SELECT id FROM visits WHERE participant_id = ?').pluck().get(pid) as number;
  const boVisit = visitOf(bo.participant.id);
  const boCheck = recordCheck(ctx, { staffId: kim.account.staffId, role: 'staff' }, boVisit, 'ready', undefined).check!.checkId;
  t.clock.advance(30 * 60_000);
  return {
    t,
    dispatch: createDispatcher(t.app),
    staff: {
      staff: { staffId: kim.account.staffId, name: 'Kim' },
      coordinator: { staffId: cleo.account.staffId, name: 'Cleo' },
      admin: { staffId: ada.account.staffId, name: 'Ada' },
    },
    kimBadge: kim.badgePayload,
    lockedId: lo.account.staffId,
    annaCard: anna.issued.payload,
    annaVisit: visitOf(anna.participant.id),
    boVisit,
    boCheck,
    caiId: cai.participant.id,
  };
}

/** A valid input for each method in the world above (some need a step first, such as a pending check-out). */
const INPUT: Record<StaffModeMethod, (w: World) => unknown> = {
  'kiosk.status': () => ({}),
  'kiosk.scan': (w) => ({ payload: w.annaCard }),
  'kiosk.confirmCheckout': (w) => {
    const r = w.t.app.kiosk.scan(w.annaCard);
    if (r.outcome !== 'checkout-pending') throw new Error(`setup: ${r.outcome}`);
    return { ticket: r.ticket, confirm: true };
  },
  'staff.login': (w) => ({ badge: w.kimBadge, pin: KIM_PIN }),
  'staff.logout': () => ({}),
  'staff.touch': () => ({}),
  'today.view': () => ({}),
  'participants.search': () => ({ query: 'P-10' }),
  'visits.manualCheckIn': (w) => ({ participantId: w.caiId, reason: 'no_card' }),
  'visits.manualCheckOut': (w) => ({ visitId: w.annaVisit, reason: 'forgot_checkout' }),
  'visits.correct': (w) => ({ visitId: w.annaVisit, checkedIn: '08:55', checkedOut: null, reason: 'wrong_time' }),
  'visits.history': (w) => ({ visitId: w.annaVisit }),
  'checks.record': (w) => ({ visitId: w.annaVisit, outcome: 'ready' }),
  'checks.correct': (w) => ({ checkId: w.boCheck, outcome: 'not_today', reason: 'unwell', correctionReason: 'wrong_check' }),
  'day.review': () => ({}),
  'day.confirm': () => ({ day: '2026-03-01', autoCloseOpenVisits: false }),
  'staff.list': () => ({}),
  'staff.unlock': (w) => ({ staffId: w.lockedId }),
  'staff.add': () => ({ name: 'Nina', role: 'staff', pin: '550132' }),
  'staff.allowNameLogin': (w) => ({ staffId: w.staff.staff.staffId, allow: true }),
};

function callerAs(w: World, role: Role): Caller {
  if (role === 'kiosk') return { session: null };
  const s = w.staff[role];
  const session: StaffSession = { staffId: s.staffId, staffName: s.name, role, lastActive: w.t.clock.now() };
  return { session };
}

/** Everything a denied call must not have touched. */
function footprint(w: World): unknown {
  const count = (table: string): unknown => w.t.app.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  return {
    audit: count('audit_log'), events: count('events'), visits: count('visits'), checks: count('checks'), staff: count('staff'),
    open: w.t.app.db.prepare('SELECT count(*) FROM visits WHERE checked_out_at IS NULL').pluck().get(),
    corrections: count('visit_corrections'), confirmations: count('day_confirmations'),
    staffState: w.t.app.db.prepare('SELECT id, failed_attempts, locked_at, name_login_allowed FROM staff ORDER BY id').all(),
  };
}

describe('the role table', () => {
  it('covers every staff-mode method, and the contract says the same least role', () => {
    expect(Object.keys(LEAST_ROLE).sort()).toEqual([...STAFF_MODE_METHODS].sort());
    expect(Object.keys(INPUT).sort()).toEqual([...STAFF_MODE_METHODS].sort());
    for (const m of STAFF_MODE_METHODS) expect(contract[m].role, m).toBe(LEAST_ROLE[m]);
  });

  it('in the whole contract, a kiosk (no session) may only scan, see the status, and log in or out', () => {
    const open = METHOD_NAMES.filter((m) => contract[m].role === 'kiosk').sort();
    expect(open).toEqual(['kiosk.confirmCheckout', 'kiosk.scan', 'kiosk.status', 'staff.login', 'staff.logout']);
    for (const m of METHOD_NAMES) expect(ROLES_IN_ORDER, m).toContain(contract[m].role);
  });
});

const rank = (role: Role): number => ROLES_IN_ORDER.indexOf(role);

describe.each(ROLES_IN_ORDER)('calling every staff-mode method as %s (real inputs)', (role) => {
  let w: World;
  beforeEach(() => {
    w = makeWorld();
  });
  afterEach(() => w.t.close());

  it.each(STAFF_MODE_METHODS)('%s', async (method) => {
    const input = INPUT[method](w);
    const caller = callerAs(w, role);
    const before = footprint(w);
    const res = await w.dispatch(caller, method, input);
    if (rank(role) >= rank(LEAST_ROLE[method])) {
      expect(res, JSON.stringify(res)).toMatchObject({ ok: true });
    } else {
      expect(res).toEqual({ ok: false, error: { code: role === 'kiosk' ? 'NOT_LOGGED_IN' : 'FORBIDDEN', message: expect.any(String) } });
      expect(footprint(w), 'a refused call changed nothing').toEqual(before);
      // the session survives a refused call
      if (role !== 'kiosk') expect(caller.session?.role).toBe(role);
    }
  });
});

describe('the role gate on every method of the contract (including features added later)', () => {
  let w: World;
  beforeAll(() => {
    w = makeWorld();
  });
  afterAll(() => w.t.close());

  it.each(METHOD_NAMES)('%s', async (method) => {
    const need = contract[method].role;
    for (const role of ROLES_IN_ORDER) {
      const before = footprint(w);
      // An empty input is enough: the role is checked before the input, and a
      // refused caller must learn nothing about what the input should be.
      const res = await w.dispatch(callerAs(w, role), method, { '': 'not a valid input' });
      const code = res.ok ? 'ok' : res.error.code;
      if (rank(role) < rank(need)) {
        expect(code, `${role} → ${method}`).toBe(role === 'kiosk' ? 'NOT_LOGGED_IN' : 'FORBIDDEN');
        expect(footprint(w), `${role} → ${method} changed something`).toEqual(before);
      } else {
        expect(['NOT_LOGGED_IN', 'FORBIDDEN'], `${role} → ${method}`).not.toContain(code);
      }
    }
  });
});

describe('what each role may do, spelled out', () => {
  let w: World;
  beforeEach(() => {
    w = makeWorld();
  });
  afterEach(() => w.t.close());

  const codeFor = async (role: Role, method: StaffModeMethod): Promise<string> => {
    const res = await w.dispatch(callerAs(w, role), method, INPUT[method](w));
    return res.ok ? 'ok' : res.error.code;
  };

  it('kiosk: everything outside kiosk.* and staff.login/logout is NOT_LOGGED_IN, even with bad input', async () => {
    for (const m of STAFF_MODE_METHODS) {
      if (m.startsWith('kiosk.') || m === 'staff.login' || m === 'staff.logout') continue;
      expect(await codeFor('kiosk', m), m).toBe('NOT_LOGGED_IN');
    }
    for (const m of METHOD_NAMES) {
      if (m.startsWith('kiosk.') || m === 'staff.login' || m === 'staff.logout') continue;
      const garbage = await w.dispatch({ session: null }, m, { nonsense: true });
      expect(garbage.ok ? 'ok' : garbage.error.code, `${m} with bad input`).toBe('NOT_LOGGED_IN');
    }
  });

  it('staff: no staff.list, staff.unlock, staff.add or staff.allowNameLogin', async () => {
    for (const m of ['staff.list', 'staff.unlock', 'staff.add', 'staff.allowNameLogin'] as const) expect(await codeFor('staff', m), m).toBe('FORBIDDEN');
    expect(await codeFor('staff', 'today.view')).toBe('ok');
  });

  it('coordinator: may list and unlock, may not add staff or allow name login', async () => {
    expect(await codeFor('coordinator', 'staff.unlock')).toBe('ok');
    expect(w.t.app.db.prepare('SELECT failed_attempts, locked_at FROM staff WHERE id = ?').get(w.lockedId)).toEqual({ failed_attempts: 0, locked_at: null });
    expect(await codeFor('coordinator', 'staff.list')).toBe('ok');
    expect(await codeFor('coordinator', 'staff.add')).toBe('FORBIDDEN');
    expect(await codeFor('coordinator', 'staff.allowNameLogin')).toBe('FORBIDDEN');
    expect(w.t.app.db.prepare("SELECT count(*) FROM staff WHERE name = 'Nina'").pluck().get()).toBe(0);
  });

  it('admin: adds staff (with a badge that then logs in) and allows name login', async () => {
    const added = await w.dispatch(callerAs(w, 'admin'), 'staff.add', { name: 'Nina', role: 'coordinator', pin: '550132' });
    if (!added.ok) throw new Error(added.error.code);
    const { account, badgePayload } = added.value as { account: { staffId: number; role: string }; badgePayload: string };
    expect(account.role).toBe('coordinator');
    const nina: Caller = { session: null };
    expect(await w.dispatch(nina, 'staff.login', { badge: badgePayload, pin: '550132' })).toMatchObject({ ok: true, value: { staffName: 'Nina', role: 'coordinator' } });
    expect(nina.session).toMatchObject({ staffId: account.staffId, role: 'coordinator' });
    expect(await w.dispatch(callerAs(w, 'admin'), 'staff.allowNameLogin', { staffId: w.staff.staff.staffId, allow: true })).toMatchObject({ ok: true, value: { nameLoginAllowed: true } });
    expect(await w.dispatch({ session: null }, 'staff.login', { name: 'Kim', pin: KIM_PIN })).toMatchObject({ ok: true });
    // a trivial PIN is refused through the API too
    expect(await w.dispatch(callerAs(w, 'admin'), 'staff.add', { name: 'Ola', role: 'staff', pin: '123456' })).toMatchObject({ ok: false, error: { code: 'PIN_TOO_SIMPLE' } });
  });

  it('an unknown method is UNKNOWN_METHOD for everyone', async () => {
    for (const role of ROLES_IN_ORDER) {
      expect(await w.dispatch(callerAs(w, role), 'staff.delete', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      expect(await w.dispatch(callerAs(w, role), '__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });
});

describe('sessions through the dispatcher', () => {
  let w: World;
  beforeEach(() => {
    w = makeWorld();
  });
  afterEach(() => w.t.close());

  it('login sets the caller\'s session; logout clears it', async () => {
    const caller: Caller = { session: null };
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    const res = await w.dispatch(caller, 'staff.login', { badge: w.kimBadge.toLowerCase(), pin: KIM_PIN });
    expect(res).toEqual({ ok: true, value: { staffName: 'Kim', role: 'staff', idleLockSeconds: 120 } });
    expect(caller.session).toEqual({ staffId: w.staff.staff.staffId, staffName: 'Kim', role: 'staff', lastActive: w.t.clock.now() });
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: true });
    expect(await w.dispatch(caller, 'kiosk.status', {})).toMatchObject({ ok: true, value: { session: { staffName: 'Kim', role: 'staff', idleLockSeconds: 120 } } });
    expect(await w.dispatch(caller, 'staff.logout', {})).toEqual({ ok: true, value: { ok: true } });
    expect(caller.session).toBeNull();
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    const actions = (w.t.app.db.prepare('SELECT action FROM audit_log ORDER BY seq').pluck().all() as string[]).filter((a) => a.startsWith('login.') || a.startsWith('session.'));
    expect(actions).toEqual(['login.ok', 'session.logout']);
  });

  it('a failed login leaves no session, and a failed login over an open session ends that session', async () => {
    const caller: Caller = { session: null };
    expect(await w.dispatch(caller, 'staff.login', { badge: w.kimBadge, pin: '000001' })).toMatchObject({ ok: false, error: { code: 'LOGIN_FAILED' } });
    expect(caller.session).toBeNull();
    const admin = callerAs(w, 'admin');
    expect(await w.dispatch(admin, 'staff.login', { badge: w.kimBadge, pin: '000001' })).toMatchObject({ ok: false, error: { code: 'LOGIN_FAILED' } });
    expect(admin.session).toBeNull();
  });

  it('a session idle for longer than staff.idleLockSeconds is cleared on the next call and the lock is audited', async () => {
    const caller = callerAs(w, 'staff');
    w.t.clock.advance(120_000);
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: true }); // exactly the limit is still fine
    w.t.clock.advance(120_001);
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    expect(caller.session).toBeNull();
    const last = w.t.app.db.prepare('SELECT actor, action, subject FROM audit_log ORDER BY seq DESC LIMIT 1').get();
    expect(last).toEqual({ actor: `staff:${w.staff.staff.staffId}`, action: 'session.idle-locked', subject: `staff:${w.staff.staff.staffId}` });
    // the kiosk side still works, and shows no session
    expect(await w.dispatch(caller, 'kiosk.status', {})).toMatchObject({ ok: true, value: { session: null } });
  });

  it('activity keeps a session alive past the idle time', async () => {
    const caller = callerAs(w, 'coordinator');
    for (let i = 0; i < 6; i++) {
      w.t.clock.advance(100_000);
      expect(await w.dispatch(caller, 'staff.touch', {}), `call ${i}`).toMatchObject({ ok: true });
    }
    expect(caller.session).not.toBeNull();
    expect(caller.session!.lastActive).toBe(w.t.clock.now());
    expect(w.t.app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'session.idle-locked'").pluck().get()).toBe(0);
  });

  it('a screen polling the today view does not keep an unattended session alive', async () => {
    const caller = callerAs(w, 'staff');
    for (let i = 0; i < 3; i++) {
      w.t.clock.advance(50_000);
      await w.dispatch(caller, 'today.view', {});
    }
    expect(caller.session).toBeNull();
    expect(w.t.app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'session.idle-locked'").pluck().get()).toBe(1);
  });

  it('the idle time is the configured one, and a refused call of an idle session is NOT_LOGGED_IN, not FORBIDDEN', async () => {
    writeSetting(w.t.app.ctx, 'staff.idleLockSeconds', '30');
    const caller = callerAs(w, 'staff');
    w.t.clock.advance(29_000);
    expect(await w.dispatch(caller, 'today.view', {})).toMatchObject({ ok: true });
    w.t.clock.advance(31_000);
    expect(await w.dispatch(caller, 'staff.list', {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    expect(caller.session).toBeNull();
    // logging in again works and reports the configured time
    expect(await w.dispatch(caller, 'staff.login', { badge: w.kimBadge, pin: KIM_PIN })).toMatchObject({ ok: true, value: { idleLockSeconds: 30 } });
  });
});
