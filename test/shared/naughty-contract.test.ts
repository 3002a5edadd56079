/**
 * Every text field of the contract's inputs against the naughty-strings
 * corpus: each string is refused, or comes out of validation exactly as it
 * went in (names trimmed, codes upper-cased). A text field added to the
 * contract without a line here fails the first test, so none goes untested.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { contract, type MethodName } from '../../shared/api';
import { FORBIDDEN_TEXT } from '../../shared/validation';
import { asStaffName, NAUGHTY_STRINGS, storedForm, type NaughtyString } from '../fixtures/naughty-strings';

type Kind =
  /** Free text staff type that is stored and shown (plainText): the corpus says refuse or accept. */
  | { kind: 'name'; expect: (s: NaughtyString) => 'accept' | 'refuse' }
  /** Checked by the service (participant codes): validation only trims. */
  | { kind: 'code' }
  /** Passed to a service that only looks it up (search, card payload): exact or refused for length. */
  | { kind: 'lookup'; max: number }
  /** A fixed format (date, time, month, PIN, ticket): only safe ASCII gets through. */
  | { kind: 'format' };

interface Field {
  method: MethodName;
  /** The field's path as the walker below names it ("|1" is the second branch of a union). */
  path: string;
  input(value: string): unknown;
  output(parsed: unknown): unknown;
  /** A value the field accepts, to show that a refusal is about the naughty string. */
  valid: string;
  type: Kind;
}

const SCHEDULE = { days: ['mon'], start: '09:00', end: '12:00', validFrom: '2026-03-02', validTo: '2026-06-30' };
const BADGE = 'KLIVS1ABCDEFGHJKLMNPQRSTUV';
const asName = (s: NaughtyString): 'accept' | 'refuse' => (s.asName === 'refuse' ? 'refuse' : 'accept');
const asStaff = (s: NaughtyString): 'accept' | 'refuse' => (asStaffName(s) === 'refuse' ? 'refuse' : 'accept');
const pick = (key: string) => (parsed: unknown): unknown => (parsed as Record<string, unknown>)[key];
const inSchedule = (key: string) => (parsed: unknown): unknown => ((parsed as { schedule: Record<string, unknown> }).schedule)[key];
const format: Kind = { kind: 'format' };

const FIELDS: Field[] = [
  { method: 'participants.enrol', path: 'displayName', input: (v) => ({ displayName: v }), output: pick('displayName'), valid: 'Anna', type: { kind: 'name', expect: asName } },
  { method: 'participants.update', path: 'displayName', input: (v) => ({ participantId: 1, displayName: v }), output: pick('displayName'), valid: 'Anna', type: { kind: 'name', expect: asName } },
  { method: 'staff.add', path: 'name', input: (v) => ({ name: v, role: 'staff', pin: '482913' }), output: pick('name'), valid: 'Kim Berg', type: { kind: 'name', expect: asStaff } },
  { method: 'staff.login', path: '|1.name', input: (v) => ({ name: v, pin: '482913' }), output: pick('name'), valid: 'Kim Berg', type: { kind: 'name', expect: asStaff } },
  { method: 'participants.enrol', path: 'code', input: (v) => ({ displayName: 'Anna', code: v }), output: pick('code'), valid: 'D-1001', type: { kind: 'code' } },
  { method: 'kiosk.scan', path: 'payload', input: (v) => ({ payload: v }), output: pick('payload'), valid: 'KLIV1ABCDEFGHJKLMNPQ', type: { kind: 'lookup', max: 256 } },
  { method: 'staff.login', path: '|0.badge', input: (v) => ({ badge: v, pin: '482913' }), output: pick('badge'), valid: BADGE, type: { kind: 'lookup', max: 256 } },
  { method: 'participants.search', path: 'query', input: (v) => ({ query: v }), output: pick('query'), valid: 'Ann', type: { kind: 'lookup', max: 60 } },
  { method: 'participants.list', path: 'query', input: (v) => ({ query: v }), output: pick('query'), valid: 'Ann', type: { kind: 'lookup', max: 60 } },
  { method: 'staff.login', path: '|0.pin', input: (v) => ({ badge: BADGE, pin: v }), output: pick('pin'), valid: '482913', type: format },
  { method: 'staff.login', path: '|1.pin', input: (v) => ({ name: 'Kim', pin: v }), output: pick('pin'), valid: '482913', type: format },
  { method: 'staff.add', path: 'pin', input: (v) => ({ name: 'Kim', role: 'staff', pin: v }), output: pick('pin'), valid: '482913', type: format },
  { method: 'kiosk.confirmCheckout', path: 'ticket', input: (v) => ({ ticket: v, confirm: true }), output: pick('ticket'), valid: 'abcdefghijklmnop_-12', type: format },
  { method: 'today.view', path: 'day', input: (v) => ({ day: v }), output: pick('day'), valid: '2026-03-02', type: format },
  { method: 'day.review', path: 'day', input: (v) => ({ day: v }), output: pick('day'), valid: '2026-03-02', type: format },
  { method: 'day.confirm', path: 'day', input: (v) => ({ day: v, autoCloseOpenVisits: false }), output: pick('day'), valid: '2026-03-02', type: format },
  { method: 'visits.manualCheckOut', path: 'at', input: (v) => ({ visitId: 1, reason: 'no_card', at: v }), output: pick('at'), valid: '12:30', type: format },
  { method: 'visits.correct', path: 'checkedIn', input: (v) => ({ visitId: 1, checkedIn: v, checkedOut: '23:59', reason: 'wrong_time' }), output: pick('checkedIn'), valid: '09:00', type: format },
  { method: 'visits.correct', path: 'checkedOut', input: (v) => ({ visitId: 1, checkedIn: '00:00', checkedOut: v, reason: 'wrong_time' }), output: pick('checkedOut'), valid: '12:00', type: format },
  { method: 'reports.monthly', path: 'month', input: (v) => ({ month: v }), output: pick('month'), valid: '2026-03', type: format },
  { method: 'reports.export', path: 'month', input: (v) => ({ month: v, format: 'csv' }), output: pick('month'), valid: '2026-03', type: format },
  ...(['participants.enrol', 'schedules.set'] as const).flatMap((method) => (['start', 'end', 'validFrom', 'validTo'] as const).map((key): Field => ({
    method,
    path: `schedule.${key}`,
    input: (v) => ({ ...(method === 'participants.enrol' ? { displayName: 'Anna', mode: 'structured' } : { participantId: 1 }), schedule: { ...SCHEDULE, [key]: v } }),
    output: inSchedule(key),
    valid: SCHEDULE[key],
    type: format,
  }))),
];

/** Every string-typed leaf of a zod input schema, as "a.b", with "|i" for union branches. */
function stringPaths(schema: z.ZodType, path: string[] = [], out: string[] = []): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const inner = (key: string): z.ZodType => def[key] as z.ZodType;
  switch (def.type) {
    case 'string': out.push(path.join('.')); break;
    case 'object': for (const [key, child] of Object.entries(def['shape'] as Record<string, z.ZodType>)) stringPaths(child, [...path, key], out); break;
    case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch': stringPaths(inner('innerType'), path, out); break;
    case 'union': (def['options'] as z.ZodType[]).forEach((option, i) => stringPaths(option, [...path, `|${i}`], out)); break;
    case 'array': stringPaths(inner('element'), [...path, '[]'], out); break;
    case 'pipe': stringPaths(inner('in'), path, out); break;
    case 'number': case 'boolean': case 'enum': case 'literal': break;
    default: out.push(`${path.join('.')} (unknown schema type ${def.type})`);
  }
  return out;
}

const label = (s: NaughtyString): string => s.name;

describe('the naughty-strings corpus', () => {
  it('covers the categories of the hardening brief', () => {
    const all = NAUGHTY_STRINGS.map((s) => s.value).join('');
    expect(all).toMatch(/[\u0000-\u001f]/); // control
    expect(all).toMatch(/[\u202a-\u202e\u2066-\u2069]/); // bidi overrides
    expect(all).toMatch(/\u200b/); // zero-width
    expect(NAUGHTY_STRINGS.some((s) => s.value.length >= 10_000)).toBe(true); // very long
    expect(all).toMatch(/\p{Extended_Pictographic}/u); // emoji
    expect(all).toContain('DROP TABLE'); // SQL
    expect(all).toContain('<img src=x onerror=alert(1)>'); // HTML
    expect(all).toMatch(/[\u0600-\u06ff]/); // right-to-left
    expect(all).toMatch(/[\u0300-\u036f]/); // combining marks
    expect(NAUGHTY_STRINGS.some((s) => /[\ud800-\udfff]/u.test(s.value))).toBe(true); // lone surrogates
    expect(all).toContain('Ã'); // Windows-1252 mojibake
    expect(new Set(NAUGHTY_STRINGS.map((s) => s.name)).size).toBe(NAUGHTY_STRINGS.length);
  });
});

describe('every text field of the contract', () => {
  it('is listed here, so each one meets the corpus', () => {
    const discovered = Object.entries(contract).flatMap(([method, spec]) => stringPaths(spec.input).map((p) => `${method} ${p}`));
    expect(FIELDS.map((f) => `${f.method} ${f.path}`).sort()).toEqual(discovered.sort());
  });

  it.each(FIELDS.map((f) => [`${f.method} ${f.path}`, f] as const))('%s accepts an ordinary value', (_id, field) => {
    const parsed = contract[field.method].input.safeParse(field.input(field.valid));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  /** What is wrong with how `field` treated `s`, or null. */
  function problem(field: Field, s: NaughtyString): string | null {
    const parsed = contract[field.method].input.safeParse(field.input(s.value));
    const out = parsed.success ? field.output(parsed.data) : undefined;
    const got = parsed.success ? `accepted as ${JSON.stringify(out)}` : 'refused';
    switch (field.type.kind) {
      case 'name': {
        const expected = field.type.expect(s);
        if (!parsed.success) return expected === 'refuse' ? null : `${got}, expected stored as ${JSON.stringify(storedForm(s.value))}`;
        if (expected === 'refuse') return `${got}, expected refused`;
        if (out !== storedForm(s.value)) return `${got}, expected ${JSON.stringify(storedForm(s.value))}`;
        return FORBIDDEN_TEXT.test(String(out)) ? `${got} with invisible or control characters` : null;
      }
      case 'code':
        if (!parsed.success) return s.value.trim().length > 40 ? null : `${got} (the service, not the schema, judges codes)`;
        return out === s.value.trim() ? null : `${got}, expected ${JSON.stringify(s.value.trim())}`;
      case 'lookup':
        if (parsed.success !== s.value.length <= field.type.max) return `${got} at length ${s.value.length}`;
        return parsed.success && out !== s.value ? `${got}, expected unchanged` : null;
      case 'format':
        if (!parsed.success) return null;
        return out === s.value && /^[A-Za-z0-9_:-]+$/.test(String(out)) ? null : `${got} in a format field`;
    }
  }

  it.each(FIELDS.map((f) => [`${f.method} ${f.path}`, f] as const))('%s: each naughty string is refused, or comes through exactly', (_id, field) => {
    const wrong = NAUGHTY_STRINGS.map((s) => ({ string: label(s), problem: problem(field, s) })).filter((r) => r.problem !== null);
    expect(wrong).toEqual([]);
  });
});
