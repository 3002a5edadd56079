/**
 * The naughty-strings corpus through the services and the whole call path
 * (dispatcher → handler → service → SQLite → back): a name is refused with
 * BAD_INPUT (or PERSONAL_NUMBER_REFUSED), or it comes back exactly as typed
 * (trimmed) everywhere it is shown: the kiosk's greeting, the staff's today
 * list, search, participant details, the staff list. Nothing ends in
 * INTERNAL. The CLI (`kliv participant add`, `kliv staff add`) calls these
 * services directly, without the contract's schemas.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCaller, type Caller } from '../../../electron/api/caller';
import { createDispatcher, type Dispatch } from '../../../electron/api/dispatch';
import { enrolParticipant, participantDetails, updateParticipantFor, validateCode } from '../../../electron/services/participants';
import { addStaff, CLI_ACTOR, login, staffAccounts } from '../../../electron/services/staff';
import { KlivError, type Result } from '../../../shared/errors';
import { asStaffName, NAUGHTY_STRINGS, storedForm, type NaughtyExpectation, type NaughtyString } from '../../fixtures/naughty-strings';
import { testApp, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };
const PIN = '482913';

function outcome(fn: () => unknown): { code: string } | { value: unknown } {
  try {
    return { value: fn() };
  } catch (err) {
    if (err instanceof KlivError) return { code: err.code };
    throw err;
  }
}

const CODE_FOR: Record<NaughtyExpectation, string | null> = { accept: null, refuse: 'BAD_INPUT', pnr: 'PERSONAL_NUMBER_REFUSED' };

/** Collects, for each string, what went wrong (nothing, for a passing corpus). */
function check(strings: readonly NaughtyString[], one: (s: NaughtyString) => string | null): void {
  const wrong = strings.map((s) => ({ string: s.name, problem: one(s) })).filter((r) => r.problem !== null);
  expect(wrong).toEqual([]);
}

let t: TestApp;
beforeEach(() => {
  t = testApp();
});
afterEach(() => t.close());

const storedName = (id: number): unknown => t.app.db.prepare('SELECT display_name FROM participants WHERE id = ?').pluck().get(id);

describe('participant display names (kliv participant add, staff enrolment)', () => {
  it('are refused, or stored and read back exactly', () => {
    check(NAUGHTY_STRINGS, (s) => {
      const res = outcome(() => enrolParticipant(t.app.ctx, { displayName: s.value }));
      const expectedCode = CODE_FOR[s.asName];
      if ('code' in res) return res.code === expectedCode ? null : `refused with ${res.code}, expected ${expectedCode ?? 'stored'}`;
      if (expectedCode) return `stored, expected ${expectedCode}`;
      const { participant, issued } = res.value as ReturnType<typeof enrolParticipant>;
      const want = storedForm(s.value);
      if (participant.displayName !== want) return `returned ${JSON.stringify(participant.displayName)}`;
      if (storedName(participant.id) !== want) return `stored ${JSON.stringify(storedName(participant.id))}`;
      if (participantDetails(t.app.ctx, CLI_ACTOR, participant.id).displayName !== want) return 'details differ';
      // What the kiosk shows on the next scan of the card.
      const scan = t.app.kiosk.scan(issued.payload);
      if (scan.outcome !== 'checked-in' || scan.displayName !== want) return `scan gave ${JSON.stringify(scan)}`;
      return null;
    });
  });

  it('renaming follows the same rule and a refused rename changes nothing', () => {
    const { participant } = enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    let current = 'Anna';
    check(NAUGHTY_STRINGS, (s) => {
      const res = outcome(() => updateParticipantFor(t.app.ctx, CLI_ACTOR, participant.id, { displayName: s.value }));
      const expectedCode = CODE_FOR[s.asName];
      if ('code' in res) {
        if (res.code !== expectedCode) return `refused with ${res.code}, expected ${expectedCode ?? 'stored'}`;
        return storedName(participant.id) === current ? null : 'a refused rename changed the name';
      }
      if (expectedCode) return `stored, expected ${expectedCode}`;
      current = storedForm(s.value);
      return storedName(participant.id) === current ? null : `stored ${JSON.stringify(storedName(participant.id))}`;
    });
  });
});

describe('participant codes (kliv participant add --code)', () => {
  it('are refused, or kept as their trimmed upper-case self', () => {
    check(NAUGHTY_STRINGS, (s) => {
      const res = outcome(() => validateCode(s.value));
      if ('code' in res) return res.code === 'BAD_INPUT' || res.code === 'PERSONAL_NUMBER_REFUSED' ? null : `refused with ${res.code}`;
      const code = res.value as string;
      return code === s.value.trim().toUpperCase() && /^[A-Z0-9-]{3,20}$/.test(code) ? null : `accepted as ${JSON.stringify(code)}`;
    });
  });
});

describe('staff names (kliv staff add, the accounts screen)', () => {
  it('are refused, or stored and shown exactly', () => {
    const taken = new Set<string>();
    check(NAUGHTY_STRINGS, (s) => {
      const res = outcome(() => addStaff(t.app.ctx, CLI_ACTOR, { name: s.value, role: 'staff', pin: PIN }, FAST));
      const expectation = asStaffName(s);
      const expectedCode = CODE_FOR[expectation];
      // Staff names are unique: "  Anna  " is the "Anna" an earlier string already became.
      if ('code' in res && res.code === 'CONFLICT' && taken.has(storedForm(s.value))) return null;
      if ('code' in res) return res.code === expectedCode ? null : `refused with ${res.code}, expected ${expectedCode ?? 'stored'}`;
      if (expectedCode) return `stored, expected ${expectedCode}`;
      const { account, badgePayload } = res.value as ReturnType<typeof addStaff>;
      const want = storedForm(s.value);
      taken.add(want);
      if (account.name !== want) return `returned ${JSON.stringify(account.name)}`;
      if (staffAccounts(t.app.ctx, CLI_ACTOR).find((a) => a.staffId === account.staffId)?.name !== want) return 'listed differently';
      if (login(t.app.ctx, { badge: badgePayload, pin: PIN }).name !== want) return 'logged in under another name';
      return null;
    });
  });
});

describe('through the dispatcher, as the screens call it', () => {
  let dispatch: Dispatch;
  let admin: Caller;
  const call = (method: string, input: unknown): Promise<Result<unknown>> => dispatch(admin, method, input);

  beforeEach(async () => {
    dispatch = createDispatcher(t.app);
    const { badgePayload } = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim Admin', role: 'admin', pin: PIN }, FAST);
    admin = newCaller();
    expect(await dispatch(admin, 'staff.login', { badge: badgePayload, pin: PIN })).toMatchObject({ ok: true });
  });

  it('enrolment: refused with BAD_INPUT or PERSONAL_NUMBER_REFUSED, or shown exactly in details, today, search and the kiosk', async () => {
    const wrong: { string: string; problem: string }[] = [];
    for (const s of NAUGHTY_STRINGS) {
      const res = await call('participants.enrol', { displayName: s.value });
      const expectedCode = CODE_FOR[s.asName];
      if (!res.ok) {
        if (res.error.code !== expectedCode) wrong.push({ string: s.name, problem: `refused with ${res.error.code}, expected ${expectedCode ?? 'stored'}` });
        continue;
      }
      if (expectedCode) {
        wrong.push({ string: s.name, problem: `stored, expected ${expectedCode}` });
        continue;
      }
      const want = storedForm(s.value);
      const details = res.value as { participantId: number; displayName: string };
      if (details.displayName !== want) wrong.push({ string: s.name, problem: `details: ${JSON.stringify(details.displayName)}` });
      const found = await call('participants.search', { query: want.slice(0, 60) });
      if (!found.ok || !(found.value as { participantId: number; displayName: string }[]).some((h) => h.participantId === details.participantId && h.displayName === want)) {
        wrong.push({ string: s.name, problem: `search: ${JSON.stringify(found)}` });
      }
      const checkIn = await call('visits.manualCheckIn', { participantId: details.participantId, reason: 'no_card' });
      if (!checkIn.ok) wrong.push({ string: s.name, problem: `check-in: ${JSON.stringify(checkIn)}` });
    }
    const today = await call('today.view', {});
    expect(today.ok).toBe(true);
    const shown = new Set(((today as { value: { present: { displayName: string }[]; pendingCheck: { displayName: string }[] } }).value.pendingCheck).map((v) => v.displayName));
    for (const s of NAUGHTY_STRINGS.filter((x) => x.asName === 'accept')) {
      if (!shown.has(storedForm(s.value))) wrong.push({ string: s.name, problem: 'missing from the today view' });
    }
    expect(wrong).toEqual([]);
  });

  it('every free-text input of the contract answers with a stable code, never INTERNAL', async () => {
    const calls: [string, (v: string) => unknown][] = [
      ['kiosk.scan', (v) => ({ payload: v })],
      ['participants.search', (v) => ({ query: v })],
      ['participants.list', (v) => ({ query: v })],
      ['participants.enrol', (v) => ({ displayName: 'Anna', code: v })],
      ['participants.update', (v) => ({ participantId: 1, displayName: v })],
    ];
    const wrong: string[] = [];
    for (const [method, input] of calls) {
      for (const s of NAUGHTY_STRINGS) {
        const res = await call(method, input(s.value));
        if (!res.ok && res.error.code === 'INTERNAL') wrong.push(`${method} ${s.name}`);
        if (method === 'kiosk.scan' && res.ok && (res.value as { outcome: string }).outcome !== 'rejected') wrong.push(`${method} ${s.name}: ${JSON.stringify(res.value)}`);
      }
    }
    // Logins with naughty badges and names fail cleanly (from a fresh caller each time, so no lock-out hides a crash).
    // A sample: each failed login costs a deliberate, slow PIN hash.
    const logins = NAUGHTY_STRINGS.filter((s) => ['NUL', 'RLO override', 'lone high surrogate', 'SQL tautology', 'img onerror', 'card payload look-alike', 'very long (10 000)', 'Arabic name'].includes(s.name));
    expect(logins).toHaveLength(8);
    for (const s of logins) {
      for (const input of [{ badge: s.value, pin: PIN }, { name: s.value, pin: PIN }]) {
        const res = await dispatch(newCaller(), 'staff.login', input);
        if (res.ok || !['BAD_INPUT', 'LOGIN_FAILED'].includes(res.error.code)) wrong.push(`staff.login ${s.name}: ${JSON.stringify(res)}`);
      }
    }
    expect(wrong).toEqual([]);
    // A search for SQL or LIKE wildcards matches text, not everything.
    enrolParticipant(t.app.ctx, { displayName: 'Omar' });
    const pct = await call('participants.search', { query: '%' });
    expect(pct).toMatchObject({ ok: true, value: [] });
  }, 60_000);

  it('staff.add through the contract: a sample of names, refused or listed exactly', async () => {
    const sample = NAUGHTY_STRINGS.filter((s) => ['RLO override', 'lone high surrogate', 'img onerror', 'SQL drop', 'Arabic name', 'emoji', '41 characters', 'zero-width space'].includes(s.name));
    expect(sample).toHaveLength(8);
    for (const s of sample) {
      const res = await call('staff.add', { name: s.value, role: 'staff', pin: PIN });
      if (asStaffName(s) === 'refuse') {
        expect(res, s.name).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      } else {
        expect(res, s.name).toMatchObject({ ok: true, value: { account: { name: storedForm(s.value) } } });
      }
    }
    const list = await call('staff.list', {});
    const names = (list as { value: { name: string }[] }).value.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(sample.filter((s) => asStaffName(s) === 'accept').map((s) => storedForm(s.value))));
  }, 60_000);
});
