import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../electron/db/connection';
import { databaseKey, databasePath } from '../../../electron/api/app';
import type { Caller, StaffSession } from '../../../electron/api/caller';
import { callerRole, newCaller } from '../../../electron/api/caller';
import { createDispatcher, handlers, toApiError, type Dispatch, type DispatchLog } from '../../../electron/api/dispatch';
import { enrolParticipant } from '../../../electron/services/participants';
import { contract, METHOD_NAMES, ROLES, roleAtLeast, type Role, type StaffRole } from '../../../shared/api';
import { ERROR_CODES, KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

let t: TestApp;
let dispatch: Dispatch;
let log: ReturnType<typeof vi.fn<DispatchLog>>;
beforeEach(() => {
  t = testApp();
  log = vi.fn<DispatchLog>();
  dispatch = createDispatcher(t.app, log);
});
afterEach(() => {
  vi.restoreAllMocks();
  t.close();
});

const kiosk = (): Caller => newCaller();
const staff = (role: StaffRole): Caller => ({ session: { staffId: 1, staffName: 'Kim', role, lastActive: t.clock.now() } satisfies StaffSession });

describe('roleAtLeast', () => {
  it('orders kiosk < staff < coordinator < admin', () => {
    expect(ROLES).toEqual(['kiosk', 'staff', 'coordinator', 'admin']);
    for (const [i, have] of ROLES.entries()) {
      for (const [j, need] of ROLES.entries()) expect(roleAtLeast(have, need), `${have} ≥ ${need}`).toBe(i >= j);
    }
  });

  it('callerRole is kiosk without a session, else the session\'s role', () => {
    expect(callerRole(newCaller())).toBe('kiosk');
    expect(callerRole(staff('coordinator'))).toBe('coordinator');
  });
});

describe('dispatch', () => {
  it('the handler table covers exactly the contract', () => {
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it.each([['no.such.method'], [''], [42], [null], [undefined], ['toString'], ['__proto__'], ['constructor'], [{ method: 'kiosk.scan' }]])('unknown method %j → UNKNOWN_METHOD', async (name) => {
    expect(await dispatch(kiosk(), name, {})).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: expect.any(String) } });
  });

  it('a valid call returns ok with the validated output', async () => {
    const result = await dispatch(kiosk(), 'kiosk.status', {});
    expect(result).toMatchObject({ ok: true, value: { venueName: 'Testgården', mode: 'dropin', timeZone: 'Europe/Stockholm', today: '2026-03-02', session: null } });
    expect(await dispatch(kiosk(), 'kiosk.status', undefined)).toMatchObject({ ok: true });
  });

  it('scans through the dispatcher follow the service rules', async () => {
    const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    expect(await dispatch(kiosk(), 'kiosk.scan', { payload: issued.payload })).toMatchObject({ ok: true, value: { outcome: 'checked-in', displayName: 'Anna' } });
    t.clock.advance(10_000);
    const pending = await dispatch(kiosk(), 'kiosk.scan', { payload: issued.payload });
    expect(pending).toMatchObject({ ok: true, value: { outcome: 'checkout-pending' } });
    const ticket = (pending as { value: { ticket: string } }).value.ticket;
    expect(await dispatch(kiosk(), 'kiosk.confirmCheckout', { ticket, confirm: true })).toMatchObject({ ok: true, value: { outcome: 'checked-out' } });
    expect(await dispatch(kiosk(), 'kiosk.confirmCheckout', { ticket, confirm: true })).toEqual({ ok: false, error: { code: 'TICKET_EXPIRED', message: expect.any(String) } });
  });

  it.each([
    ['kiosk.scan', { payload: 5 }, 'payload'],
    ['kiosk.scan', { payload: 'x'.repeat(257) }, 'payload'],
    ['kiosk.scan', {}, 'payload'],
    ['kiosk.confirmCheckout', { ticket: 'short', confirm: true }, 'ticket'],
    ['kiosk.confirmCheckout', { ticket: 'A'.repeat(24), confirm: 'yes' }, 'confirm'],
    ['kiosk.confirmCheckout', { ticket: 'A'.repeat(24) + '!', confirm: true }, 'ticket'],
  ] as const)('bad input to %s → BAD_INPUT naming the path', async (method, input, path) => {
    const scan = vi.spyOn(t.app.kiosk, 'scan');
    const confirm = vi.spyOn(t.app.kiosk, 'confirmCheckout');
    const result = await dispatch(kiosk(), method, input);
    expect(result).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(new RegExp(`^${path}: `)) } });
    expect(scan).not.toHaveBeenCalled();
    expect(confirm).not.toHaveBeenCalled();
  });

  it.each([
    ['kiosk.scan', { payload: 'KLIV', extra: 1 }],
    ['kiosk.status', { venue: 'other' }],
    ['kiosk.confirmCheckout', { ticket: 'A'.repeat(24), confirm: true, participantId: 1 }],
  ] as const)('extra keys are refused (strict schemas): %s', async (method, input) => {
    const result = await dispatch(kiosk(), method, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it.each([['a string'], [42], [[]], [true]])('a non-object input %j → BAD_INPUT', async (input) => {
    expect(await dispatch(kiosk(), 'kiosk.scan', input)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('role checks: every method refuses callers below its role (NOT_LOGGED_IN without a session, FORBIDDEN with one) before looking at the input', async () => {
    const callers: [Role, () => Caller][] = [['kiosk', kiosk], ['staff', () => staff('staff')], ['coordinator', () => staff('coordinator')], ['admin', () => staff('admin')]];
    let refused = 0;
    for (const method of METHOD_NAMES) {
      for (const [role, make] of callers) {
        // An input no schema accepts: getting BAD_INPUT proves the role check was passed.
        const result = await dispatch(make(), method, 'not an object');
        const need = contract[method].role;
        const expected = roleAtLeast(role, need) ? 'BAD_INPUT' : role === 'kiosk' ? 'NOT_LOGGED_IN' : 'FORBIDDEN';
        if (expected !== 'BAD_INPUT') refused++;
        expect(result, `${method} as ${role}`).toMatchObject({ ok: false, error: { code: expected } });
      }
    }
    // The kiosk methods need no login.
    for (const method of ['kiosk.status', 'kiosk.scan', 'kiosk.confirmCheckout'] as const) expect(contract[method].role).toBe('kiosk');
    // If any method needs more than 'kiosk', the refusals above were exercised.
    if (METHOD_NAMES.some((m) => contract[m].role !== 'kiosk')) expect(refused).toBeGreaterThan(0);
  });

  it('a refused call never reaches its handler', async () => {
    const staffMethod = METHOD_NAMES.find((m) => contract[m].role !== 'kiosk');
    if (!staffMethod) return;
    const spy = vi.spyOn(handlers, staffMethod);
    expect(await dispatch(kiosk(), staffMethod, {})).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it('a session idle longer than the lock time is dropped before the role check', async () => {
    const caller = staff('admin');
    caller.session!.lastActive = t.clock.now() - 24 * 3_600_000;
    const staffMethod = METHOD_NAMES.find((m) => contract[m].role !== 'kiosk');
    const result = await dispatch(caller, staffMethod ?? 'kiosk.status', 'not an object');
    expect(caller.session).toBeNull();
    expect(result).toMatchObject({ ok: false, error: { code: staffMethod ? 'NOT_LOGGED_IN' : 'BAD_INPUT' } });
  });

  it('the output is validated against the schema: a malformed handler result becomes INTERNAL', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(t.app.kiosk, 'scan').mockReturnValue({ outcome: 'checked-in', displayName: 'Anna' } as never);
    expect(await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Kliv.' } });
    vi.spyOn(t.app.kiosk, 'scan').mockReturnValue({ outcome: 'teleported' } as never);
    expect(await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('fields the contract does not name are stripped from the output (nothing extra leaks)', async () => {
    vi.spyOn(t.app.kiosk, 'scan').mockReturnValue({ outcome: 'rejected', reason: 'unknown', participantCode: 'D1001', tokenHash: 'abc' } as never);
    const result = await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' });
    expect(result).toEqual({ ok: true, value: { outcome: 'rejected', reason: 'unknown' } });
  });

  it('KlivErrors keep their code and message; other errors become INTERNAL without their message', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(t.app.kiosk, 'scan').mockImplementation(() => { throw new KlivError('CARD_REVOKED', 'revoked'); });
    expect(await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' })).toEqual({ ok: false, error: { code: 'CARD_REVOKED', message: 'revoked' } });
    vi.spyOn(t.app.kiosk, 'scan').mockImplementation(() => { throw new Error('Anna D1001 exploded'); });
    const result = await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Kliv.' } });
    expect(JSON.stringify(result)).not.toContain('Anna');
    expect(consoleError).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['SQLITE_FULL', 'STORAGE_FULL'], ['SQLITE_READONLY', 'STORAGE_READ_ONLY'], ['SQLITE_READONLY_DBMOVED', 'STORAGE_READ_ONLY'],
    ['SQLITE_IOERR_WRITE', 'STORAGE_FAILED'], ['SQLITE_CORRUPT', 'STORAGE_FAILED'],
  ])('a handler throwing %s → %s through the dispatcher', async (sqliteCode, apiCode) => {
    vi.spyOn(t.app.kiosk, 'scan').mockImplementation(() => { throw Object.assign(new Error('disk I/O'), { code: sqliteCode }); });
    expect(await dispatch(kiosk(), 'kiosk.scan', { payload: 'x' })).toEqual({ ok: false, error: { code: apiCode, message: expect.stringContaining('nothing was saved') } });
  });

  it('a real read-only database gives STORAGE_READ_ONLY', async () => {
    const readonly = openDatabase(databasePath(t.dataDir), { readonly: true, key: databaseKey(databasePath(t.dataDir), t.app.ctx.secrets) });
    const writable = t.app.ctx.db;
    t.app.ctx.db = readonly;
    try {
      expect(await dispatch(kiosk(), 'kiosk.scan', { payload: 'garbage' })).toEqual({ ok: false, error: { code: 'STORAGE_READ_ONLY', message: expect.any(String) } });
    } finally {
      t.app.ctx.db = writable;
      readonly.close();
    }
  });

  it('logs each call with method, outcome, code and duration, never the input', async () => {
    await dispatch(kiosk(), 'kiosk.status', {});
    await dispatch(kiosk(), 'kiosk.scan', { payload: 'KLIV1PSECRETPAYLOAD' });
    await dispatch(kiosk(), 'x'.repeat(500), {});
    expect(log).toHaveBeenCalledTimes(3);
    expect(log.mock.calls[0]![0]).toEqual({ method: 'kiosk.status', ok: true, ms: expect.any(Number) });
    expect(log.mock.calls[1]![0]).toEqual({ method: 'kiosk.scan', ok: true, ms: expect.any(Number) });
    expect(log.mock.calls[2]![0]).toEqual({ method: 'x'.repeat(64), ok: false, code: 'UNKNOWN_METHOD', ms: expect.any(Number) });
    expect(JSON.stringify(log.mock.calls)).not.toContain('SECRETPAYLOAD');
  });
});

describe('toApiError', () => {
  it('maps KlivError to its own code and message', () => {
    expect(toApiError(new KlivError('CONFLICT', 'Code D1 is already enrolled.'))).toEqual({ code: 'CONFLICT', message: 'Code D1 is already enrolled.' });
  });

  it.each([
    [{ code: 'SQLITE_FULL' }, 'STORAGE_FULL'],
    [{ code: 'SQLITE_READONLY' }, 'STORAGE_READ_ONLY'],
    [{ code: 'SQLITE_READONLY_DBMOVED' }, 'STORAGE_READ_ONLY'],
    [{ code: 'SQLITE_IOERR' }, 'STORAGE_FAILED'],
    [{ code: 'SQLITE_IOERR_FSYNC' }, 'STORAGE_FAILED'],
    [{ code: 'SQLITE_CORRUPT' }, 'STORAGE_FAILED'],
    [{ code: 'SQLITE_CANTOPEN' }, 'STORAGE_FAILED'],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'INTERNAL'],
    [{ code: 'ENOENT' }, 'INTERNAL'],
    [{ code: 42 }, 'INTERNAL'],
    [new Error('boom'), 'INTERNAL'],
    [null, 'INTERNAL'],
    [undefined, 'INTERNAL'],
    ['a string', 'INTERNAL'],
  ])('%j → %s', (err, code) => {
    const error = toApiError(err);
    expect(error.code).toBe(code);
    expect(ERROR_CODES).toContain(error.code);
    expect(error.message.length).toBeGreaterThan(0);
  });
});
