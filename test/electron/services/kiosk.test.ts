import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type KlivApp } from '../../../electron/api/app';
import { listCardsOf } from '../../../electron/db/cards';
import { eventsAfter } from '../../../electron/db/events';
import { getParticipant, setParticipantActive, type Participant } from '../../../electron/db/participants';
import { rejectedScansOn } from '../../../electron/db/rejectedScans';
import { visitsOnDay, visitsOfParticipant } from '../../../electron/db/visits';
import type { Clock } from '../../../electron/services/context';
import { enrolParticipant, issueCardFor } from '../../../electron/services/participants';
import { initVenue } from '../../../electron/services/venue';
import type { ScanResult } from '../../../shared/api';
import { generateCardPayload } from '../../../shared/card';
import { KlivError } from '../../../shared/errors';
import { localDateOf, localTimeOf } from '../../../shared/time';
import { tempDir, testApp, type TestApp } from '../../helpers';

const TZ = 'Europe/Stockholm';
let t: TestApp;
beforeEach(() => { t = testApp(); }); // starts 2026-03-02T08:00Z = 09:00 in Stockholm, a Monday
afterEach(() => t.close());

const enrol = (displayName = 'Anna', code?: string) => enrolParticipant(t.app.ctx, { displayName, code });
const scalar = (sql: string, ...params: unknown[]): number => t.app.db.prepare(sql).pluck().get(...params) as number;
const visitEvents = (): number => scalar("SELECT count(*) FROM events WHERE type LIKE 'visit.%'");
const visitCount = (): number => scalar('SELECT count(*) FROM visits');
const openVisits = (participantId: number): number => scalar('SELECT count(*) FROM visits WHERE participant_id = ? AND checked_out_at IS NULL', participantId);
const ticketOf = (r: ScanResult): string => {
  if (r.outcome !== 'checkout-pending') throw new Error(`expected checkout-pending, got ${r.outcome}`);
  return r.ticket;
};
function expectKlivError(fn: () => unknown, code: string): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(KlivError);
  expect((error as KlivError).code).toBe(code);
}

describe('kiosk scan rules', () => {
  it('first scan of the day checks in: a visit and an event are written, the event holds no display name or payload', () => {
    const { participant, issued } = enrol('Anna', 'D1001');
    const result = t.app.kiosk.scan(issued.payload);
    expect(result).toEqual({ outcome: 'checked-in', displayName: 'Anna', at: t.clock.now(), localTime: '09:00', schedule: null });
    const visits = visitsOnDay(t.app.db, '2026-03-02');
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ participantId: participant.id, checkedInAt: t.clock.now(), checkedOutAt: null, source: 'card' });
    const events = eventsAfter(t.app.db, 0).filter((e) => e.type.startsWith('visit.'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'visit.checked_in', participantCode: 'D1001', at: t.clock.now(), data: { visitId: visits[0]!.id, day: '2026-03-02' } });
    const everything = JSON.stringify(t.app.db.prepare('SELECT * FROM events').all());
    expect(everything).not.toContain('Anna');
    expect(everything).not.toContain(issued.payload);
  });

  it('the same card again within 5 seconds is a double scan and writes nothing', () => {
    const { issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    const before = { visits: visitCount(), events: visitEvents() };
    t.clock.advance(1_000);
    expect(t.app.kiosk.scan(issued.payload)).toEqual({ outcome: 'double-scan', displayName: 'Anna', state: 'in' });
    t.clock.advance(3_999);
    expect(t.app.kiosk.scan(issued.payload.toLowerCase())).toEqual({ outcome: 'double-scan', displayName: 'Anna', state: 'in' });
    expect({ visits: visitCount(), events: visitEvents() }).toEqual(before);
    expect(rejectedScansOn(t.app.db, '2026-03-02')).toEqual({});
  });

  it('after 5 seconds a scan asks to confirm the check-out and writes nothing yet', () => {
    const { participant, issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    t.clock.advance(5_001);
    const result = t.app.kiosk.scan(issued.payload);
    expect(result).toEqual({ outcome: 'checkout-pending', displayName: 'Anna', ticket: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/), checkedInLocalTime: '09:00' });
    expect(openVisits(participant.id)).toBe(1);
    expect(visitEvents()).toBe(1);
  });

  it('confirming checks out with the minutes of the visit', () => {
    const { participant, issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    t.clock.advance(90 * 60_000);
    const ticket = ticketOf(t.app.kiosk.scan(issued.payload));
    t.clock.advance(3_000);
    const out = t.app.kiosk.confirmCheckout(ticket, true);
    expect(out).toEqual({ outcome: 'checked-out', displayName: 'Anna', at: t.clock.now(), localTime: '10:30', minutes: 90 });
    expect(openVisits(participant.id)).toBe(0);
    const [visit] = visitsOfParticipant(t.app.db, participant.id, '2026-03-02', '2026-03-02');
    expect(visit?.checkedOutAt).toBe(t.clock.now());
    const checkout = eventsAfter(t.app.db, 0).filter((e) => e.type === 'visit.checked_out');
    expect(checkout).toHaveLength(1);
    expect(checkout[0]).toMatchObject({ participantCode: participant.code, at: t.clock.now(), data: { visitId: visit!.id } });
    expect(JSON.stringify(checkout[0])).not.toContain('Anna');
    // a ticket is good for one answer only
    expectKlivError(() => t.app.kiosk.confirmCheckout(ticket, true), 'TICKET_EXPIRED');
  });

  it('right after a check-out the card is a double scan ("out"), then a new visit the same day is allowed', () => {
    const { participant, issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    t.clock.advance(60 * 60_000);
    t.app.kiosk.confirmCheckout(ticketOf(t.app.kiosk.scan(issued.payload)), true);
    t.clock.advance(2_000);
    expect(t.app.kiosk.scan(issued.payload)).toEqual({ outcome: 'double-scan', displayName: 'Anna', state: 'out' });
    t.clock.advance(30 * 60_000);
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', localTime: '10:30' });
    const visits = visitsOfParticipant(t.app.db, participant.id, '2026-03-02', '2026-03-02');
    expect(visits).toHaveLength(2);
    expect(visits.map((v) => v.checkedOutAt === null)).toEqual([false, true]);
  });

  it('answering no cancels: the visit stays open and nothing is written', () => {
    const { participant, issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    t.clock.advance(10_000);
    const ticket = ticketOf(t.app.kiosk.scan(issued.payload));
    expect(t.app.kiosk.confirmCheckout(ticket, false)).toEqual({ outcome: 'checkout-cancelled', displayName: 'Anna' });
    expect(openVisits(participant.id)).toBe(1);
    expect(visitEvents()).toBe(1);
    expectKlivError(() => t.app.kiosk.confirmCheckout(ticket, true), 'TICKET_EXPIRED');
    expect(openVisits(participant.id)).toBe(1);
    // and the next scan asks again
    t.clock.advance(10_000);
    expect(t.app.kiosk.scan(issued.payload).outcome).toBe('checkout-pending');
  });

  it('an expired or unknown ticket is refused with TICKET_EXPIRED and changes nothing', () => {
    const { participant, issued } = enrol();
    t.app.kiosk.scan(issued.payload);
    t.clock.advance(10_000);
    const ticket = ticketOf(t.app.kiosk.scan(issued.payload));
    t.clock.advance(59_000);
    const stillValid = ticketOf(t.app.kiosk.scan(issued.payload)); // a new question replaces the old one
    expectKlivError(() => t.app.kiosk.confirmCheckout(ticket, true), 'TICKET_EXPIRED');
    t.clock.advance(60_001);
    expectKlivError(() => t.app.kiosk.confirmCheckout(stillValid, true), 'TICKET_EXPIRED');
    expectKlivError(() => t.app.kiosk.confirmCheckout('AAAAAAAAAAAAAAAAAAAAAAAA', true), 'TICKET_EXPIRED');
    expect(openVisits(participant.id)).toBe(1);
    expect(visitEvents()).toBe(1);
  });

  it('a visit left open yesterday does not turn today\'s first scan into a check-out', () => {
    const { participant, issued } = enrol();
    t.clock.set('2026-03-02T15:00:00Z');
    t.app.kiosk.scan(issued.payload);
    t.clock.set('2026-03-03T08:00:00Z');
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', localTime: '09:00' });
    expect(visitsOnDay(t.app.db, '2026-03-03')).toHaveLength(1);
    expect(visitsOnDay(t.app.db, '2026-03-02')[0]?.checkedOutAt).toBeNull(); // left for staff to close
    expect(openVisits(participant.id)).toBe(2);
  });

  it('the venue day is the Stockholm date: 00:30 local after midnight UTC+1 is the next day', () => {
    const { issued } = enrol();
    t.clock.set('2026-03-02T22:50:00Z'); // 23:50 local
    t.app.kiosk.scan(issued.payload);
    t.clock.set('2026-03-02T23:30:00Z'); // 00:30 local, 3 March
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', localTime: '00:30' });
    expect(visitsOnDay(t.app.db, '2026-03-02')).toHaveLength(1);
    expect(visitsOnDay(t.app.db, '2026-03-03')).toHaveLength(1);
  });

  it('a visit across the spring DST change counts real minutes', () => {
    const { issued } = enrol();
    t.clock.set('2026-03-29T00:30:00Z'); // 01:30 CET
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', localTime: '01:30' });
    t.clock.set('2026-03-29T01:30:00Z'); // 03:30 CEST: one hour later
    const out = t.app.kiosk.confirmCheckout(ticketOf(t.app.kiosk.scan(issued.payload)), true);
    expect(out).toMatchObject({ outcome: 'checked-out', localTime: '03:30', minutes: 60 });
  });

  it('a revoked card is rejected (reissued with issueCardFor) and counted; the new card works', () => {
    const { participant, issued: first } = enrol();
    const second = issueCardFor(t.app.ctx, participant);
    expect(t.app.kiosk.scan(first.payload)).toEqual({ outcome: 'rejected', reason: 'revoked' });
    expect(t.app.kiosk.scan(second.payload)).toMatchObject({ outcome: 'checked-in', displayName: 'Anna' });
    expect(rejectedScansOn(t.app.db, '2026-03-02')).toEqual({ revoked: 1 });
    expect(listCardsOf(t.app.db, participant.id)).toHaveLength(2);
  });

  it('unknown and malformed cards are rejected and only counted', () => {
    enrol();
    const before = { visits: visitCount(), events: scalar('SELECT count(*) FROM events') };
    expect(t.app.kiosk.scan(generateCardPayload('participant'))).toEqual({ outcome: 'rejected', reason: 'unknown' });
    expect(t.app.kiosk.scan(generateCardPayload('participant'))).toEqual({ outcome: 'rejected', reason: 'unknown' });
    for (const garbage of ['', 'hello', 'KLIV1P', 'https://example.com', 'x'.repeat(10_000), generateCardPayload('participant').slice(0, -1) + '!']) {
      expect(t.app.kiosk.scan(garbage)).toEqual({ outcome: 'rejected', reason: 'malformed' });
    }
    expect(rejectedScansOn(t.app.db, '2026-03-02')).toEqual({ unknown: 2, malformed: 6 });
    expect({ visits: visitCount(), events: scalar('SELECT count(*) FROM events') }).toEqual(before);
    // the rejected payloads are not kept anywhere
    expect(JSON.stringify(t.app.db.prepare('SELECT * FROM rejected_scans').all())).not.toMatch(/hello|KLIV/);
  });

  it('a valid card with a wrong check character is malformed, not unknown', () => {
    const { issued } = enrol();
    const last = issued.payload.slice(-1);
    const wrong = issued.payload.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    expect(t.app.kiosk.scan(wrong)).toEqual({ outcome: 'rejected', reason: 'malformed' });
    expect(visitCount()).toBe(0);
  });

  it('a staff badge is recognised and nothing is counted or written', () => {
    enrol();
    const badge = generateCardPayload('staff');
    expect(t.app.kiosk.scan(badge)).toEqual({ outcome: 'staff-badge' });
    expect(t.app.kiosk.scan(badge)).toEqual({ outcome: 'staff-badge' });
    expect(rejectedScansOn(t.app.db, '2026-03-02')).toEqual({});
    expect(visitCount()).toBe(0);
  });

  it('an inactive participant\'s card is rejected and counted', () => {
    const { participant, issued } = enrol();
    setParticipantActive(t.app.db, participant.id, false);
    expect(t.app.kiosk.scan(issued.payload)).toEqual({ outcome: 'rejected', reason: 'inactive' });
    expect(rejectedScansOn(t.app.db, '2026-03-02')).toEqual({ inactive: 1 });
    expect(visitCount()).toBe(0);
    setParticipantActive(t.app.db, participant.id, true);
    expect(t.app.kiosk.scan(issued.payload).outcome).toBe('checked-in');
  });

  it('two people are independent: one\'s double-scan window does not cover the other', () => {
    const anna = enrol('Anna');
    const bo = enrol('Bo');
    expect(t.app.kiosk.scan(anna.issued.payload)).toMatchObject({ outcome: 'checked-in', displayName: 'Anna' });
    expect(t.app.kiosk.scan(bo.issued.payload)).toMatchObject({ outcome: 'checked-in', displayName: 'Bo' });
    t.clock.advance(6_000);
    const annaTicket = ticketOf(t.app.kiosk.scan(anna.issued.payload));
    const boTicket = ticketOf(t.app.kiosk.scan(bo.issued.payload));
    expect(annaTicket).not.toBe(boTicket);
    expect(t.app.kiosk.confirmCheckout(boTicket, true)).toMatchObject({ outcome: 'checked-out', displayName: 'Bo' });
    expect(openVisits(anna.participant.id)).toBe(1);
    expect(t.app.kiosk.confirmCheckout(annaTicket, false)).toMatchObject({ outcome: 'checkout-cancelled', displayName: 'Anna' });
  });

  it('tells listeners about check-ins and check-outs, not about double scans, questions or rejections', () => {
    const { issued } = enrol();
    let changes = 0;
    t.app.onChange(() => { changes++; });
    t.app.kiosk.scan(issued.payload);
    expect(changes).toBe(1);
    t.app.kiosk.scan(issued.payload);
    t.app.kiosk.scan('garbage');
    t.clock.advance(10_000);
    const ticket = ticketOf(t.app.kiosk.scan(issued.payload));
    expect(changes).toBe(1);
    t.app.kiosk.confirmCheckout(ticket, true);
    expect(changes).toBe(2);
  });

  it('a structured venue shows today\'s schedule slot on check-in', () => {
    const s = testApp({ mode: 'structured', kiosk: { scheduleFor: (p: Participant, day: string) => (p.displayName === 'Anna' && day === '2026-03-02' ? { start: '09:00', end: '12:00' } : null) } });
    try {
      const anna = enrolParticipant(s.app.ctx, { displayName: 'Anna' });
      const bo = enrolParticipant(s.app.ctx, { displayName: 'Bo' });
      expect(s.app.kiosk.scan(anna.issued.payload)).toMatchObject({ outcome: 'checked-in', schedule: { start: '09:00', end: '12:00' } });
      expect(s.app.kiosk.scan(bo.issued.payload)).toMatchObject({ outcome: 'checked-in', schedule: null });
    } finally {
      s.close();
    }
  });

  it('scanning before the venue exists is refused with NOT_FOUND', () => {
    const bare = testApp({ init: false });
    try {
      expectKlivError(() => bare.app.kiosk.scan(generateCardPayload('participant')), 'NOT_FOUND');
    } finally {
      bare.close();
    }
  });
});

/** A clock whose wall time and monotonic time a test moves separately (NTP corrections, manual clock changes). */
function splitClock(startIso: string): Clock & { wall(ms: number): void; mono(ms: number): void } {
  let wall = Date.parse(startIso);
  let mono = 5_000_000;
  return { now: () => wall, monotonic: () => mono, wall: (ms) => { wall += ms; }, mono: (ms) => { mono += ms; } };
}

describe('the double-scan window runs on the monotonic clock', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: KlivApp;
  let clock: ReturnType<typeof splitClock>;
  beforeEach(() => {
    dir = tempDir();
    clock = splitClock('2026-03-02T08:00:00Z');
    app = openApp({ dataDir: dir.path, clock });
    initVenue(app.ctx, { name: 'Testgården', mode: 'dropin', timeZone: TZ });
  });
  afterEach(() => {
    app.close();
    dir.cleanup();
  });

  it('the wall clock jumping forward an hour does not end the window', () => {
    const { issued } = enrolParticipant(app.ctx, { displayName: 'Anna' });
    app.kiosk.scan(issued.payload);
    clock.wall(60 * 60_000);
    clock.mono(1_000);
    expect(app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'double-scan', state: 'in' });
  });

  it('the wall clock jumping backwards does not stretch the window', () => {
    const { issued } = enrolParticipant(app.ctx, { displayName: 'Anna' });
    app.kiosk.scan(issued.payload);
    clock.wall(-60 * 60_000);
    clock.mono(6_000);
    expect(app.kiosk.scan(issued.payload).outcome).toBe('checkout-pending');
  });

  it('the wall clock jumping backwards while unchanged monotonic time passes still counts as a double scan', () => {
    const { issued } = enrolParticipant(app.ctx, { displayName: 'Anna' });
    app.kiosk.scan(issued.payload);
    clock.wall(-10 * 60_000);
    expect(app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'double-scan' });
  });

  it('a check-out question expires by monotonic time, whatever the wall clock does', () => {
    const { issued } = enrolParticipant(app.ctx, { displayName: 'Anna' });
    app.kiosk.scan(issued.payload);
    clock.mono(10_000);
    clock.wall(10_000);
    const ticket = ticketOf(app.kiosk.scan(issued.payload));
    clock.wall(3 * 60 * 60_000); // wall clock leaps three hours
    clock.mono(2_000);
    expect(app.kiosk.confirmCheckout(ticket, true)).toMatchObject({ outcome: 'checked-out', minutes: 180 });
    app.kiosk.scan(issued.payload); // double scan 'out'
    clock.mono(10_000);
    const second = ticketOf((() => {
      const r = app.kiosk.scan(issued.payload); // a new visit…
      expect(r.outcome).toBe('checked-in');
      clock.mono(10_000);
      return app.kiosk.scan(issued.payload); // …and its check-out question
    })());
    clock.wall(-3 * 60 * 60_000); // wall clock goes back: the question must not live longer
    clock.mono(60_001);
    expectKlivError(() => app.kiosk.confirmCheckout(second, true), 'TICKET_EXPIRED');
  });

  it('a check-out after the wall clock was set back (before the check-in time) still succeeds, with 0 minutes', () => {
    const { participant, issued } = enrolParticipant(app.ctx, { displayName: 'Anna' });
    const checkIn = app.kiosk.scan(issued.payload);
    expect(checkIn.outcome).toBe('checked-in');
    clock.wall(-10 * 60_000); // NTP corrects a clock that ran 10 minutes fast
    clock.mono(30_000);
    const out = app.kiosk.confirmCheckout(ticketOf(app.kiosk.scan(issued.payload)), true);
    expect(out).toMatchObject({ outcome: 'checked-out', minutes: 0 });
    const [visit] = visitsOfParticipant(app.db, participant.id, '2026-03-02', '2026-03-02');
    expect(visit?.checkedOutAt).not.toBeNull();
    expect(visit!.checkedOutAt!).toBeGreaterThanOrEqual(visit!.checkedInAt);
  });
});

// ---- model-based property test -------------------------------------------------------------------

type Card = 'anna' | 'bo' | 'annaOld' | 'cia' | 'unknown' | 'garbage' | 'staff';
type Action =
  | { kind: 'scan'; card: Card; lower: boolean }
  | { kind: 'confirm'; who: 'anna' | 'bo'; yes: boolean }
  | { kind: 'advance'; ms: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('scan' as const), card: fc.constantFrom<Card>('anna', 'bo', 'anna', 'bo', 'annaOld', 'cia', 'unknown', 'garbage', 'staff'), lower: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('confirm' as const), who: fc.constantFrom<'anna' | 'bo'>('anna', 'bo'), yes: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(300, 2_000, 4_999, 5_000, 5_001, 20_000, 59_000, 61_000, 45 * 60_000, 7 * 3_600_000) }) },
);

interface ModelPerson {
  name: string;
  recent: { at: number; state: 'in' | 'out' } | null;
  open: Map<string, number>; // day → checked-in instant
  lastTicket: string | null;
}

describe('model-based: the service agrees with a small model of the rules', () => {
  it('random sequences of scans, answers and passing time', () => {
    fc.assert(fc.property(fc.array(actionArb, { minLength: 1, maxLength: 40 }), (actions) => {
      const s = testApp({ start: '2026-03-28T07:00:00Z' }); // crosses the spring DST change with long advances
      try {
        const { ctx, kiosk } = s.app;
        const anna = enrolParticipant(ctx, { displayName: 'Anna' });
        const annaNew = issueCardFor(ctx, anna.participant);
        const bo = enrolParticipant(ctx, { displayName: 'Bo' });
        const cia = enrolParticipant(ctx, { displayName: 'Cia' });
        setParticipantActive(ctx.db, cia.participant.id, false);
        const payloads: Record<Card, string> = {
          anna: annaNew.payload, bo: bo.issued.payload, annaOld: anna.issued.payload, cia: cia.issued.payload,
          unknown: generateCardPayload('participant'), garbage: 'KLIV1PNOTAREALCARD', staff: generateCardPayload('staff'),
        };
        const ids = { anna: anna.participant.id, bo: bo.participant.id };
        const people: Record<'anna' | 'bo', ModelPerson> = {
          anna: { name: 'Anna', recent: null, open: new Map(), lastTicket: null },
          bo: { name: 'Bo', recent: null, open: new Map(), lastTicket: null },
        };
        const pending = new Map<string, { who: 'anna' | 'bo'; day: string; expires: number }>();
        const rejected = new Map<string, number>();
        let checkIns = 0;
        let checkOuts = 0;
        const prune = (): void => {
          const mono = s.clock.monotonic();
          for (const p of Object.values(people)) if (p.recent && mono - p.recent.at > 5_000) p.recent = null;
          for (const [k, v] of pending) if (mono > v.expires) pending.delete(k);
        };

        for (const action of actions) {
          const now = s.clock.now();
          const mono = s.clock.monotonic();
          const day = localDateOf(now, TZ);
          if (action.kind === 'advance') {
            s.clock.advance(action.ms);
            continue;
          }
          if (action.kind === 'confirm') {
            const person = people[action.who];
            if (!person.lastTicket) continue;
            const ticket = person.lastTicket;
            prune();
            const p = pending.get(ticket);
            if (!p) {
              expectKlivError(() => kiosk.confirmCheckout(ticket, action.yes), 'TICKET_EXPIRED');
              continue;
            }
            pending.delete(ticket);
            const result = kiosk.confirmCheckout(ticket, action.yes);
            if (!action.yes) {
              expect(result).toEqual({ outcome: 'checkout-cancelled', displayName: person.name });
              continue;
            }
            const inAt = person.open.get(p.day);
            expect(inAt).toBeDefined();
            person.open.delete(p.day);
            checkOuts++;
            person.recent = { at: mono, state: 'out' };
            expect(result).toEqual({ outcome: 'checked-out', displayName: person.name, at: now, localTime: localTimeOf(now, TZ), minutes: Math.round((now - inAt!) / 60_000) });
            continue;
          }
          // scan
          prune();
          const raw = action.lower ? payloads[action.card].toLowerCase() : payloads[action.card];
          const result = kiosk.scan(raw);
          const reject = (reason: string): void => {
            rejected.set(`${day}/${reason}`, (rejected.get(`${day}/${reason}`) ?? 0) + 1);
            expect(result).toEqual({ outcome: 'rejected', reason });
          };
          switch (action.card) {
            case 'garbage': reject('malformed'); continue;
            case 'unknown': reject('unknown'); continue;
            case 'annaOld': reject('revoked'); continue;
            case 'cia': reject('inactive'); continue;
            case 'staff': expect(result).toEqual({ outcome: 'staff-badge' }); continue;
            default: break;
          }
          const who = action.card;
          const person = people[who];
          if (person.recent && mono - person.recent.at <= 5_000) {
            expect(result).toEqual({ outcome: 'double-scan', displayName: person.name, state: person.recent.state });
          } else if (person.open.has(day)) {
            expect(result).toMatchObject({ outcome: 'checkout-pending', displayName: person.name, checkedInLocalTime: localTimeOf(person.open.get(day)!, TZ) });
            const ticket = ticketOf(result);
            for (const [k, v] of pending) if (v.who === who) pending.delete(k);
            pending.set(ticket, { who, day, expires: mono + 60_000 });
            person.lastTicket = ticket;
            person.recent = { at: mono, state: 'in' };
          } else {
            expect(result).toEqual({ outcome: 'checked-in', displayName: person.name, at: now, localTime: localTimeOf(now, TZ), schedule: null });
            person.open.set(day, now);
            checkIns++;
            person.recent = { at: mono, state: 'in' };
          }
        }

        // The database holds exactly what the model expects.
        for (const who of ['anna', 'bo'] as const) {
          const open = ctx.db.prepare('SELECT day, checked_in_at AS at FROM visits WHERE participant_id = ? AND checked_out_at IS NULL ORDER BY day').all(ids[who]) as { day: string; at: number }[];
          expect(open).toEqual([...people[who].open].sort(([a], [b]) => a.localeCompare(b)).map(([d, at]) => ({ day: d, at })));
          expect(getParticipant(ctx.db, ids[who])?.active).toBe(true);
        }
        const count = (sql: string): number => ctx.db.prepare(sql).pluck().get() as number;
        expect(count('SELECT count(*) FROM visits')).toBe(checkIns);
        expect(count('SELECT count(*) FROM visits WHERE checked_out_at IS NOT NULL')).toBe(checkOuts);
        expect(count("SELECT count(*) FROM events WHERE type = 'visit.checked_in'")).toBe(checkIns);
        expect(count("SELECT count(*) FROM events WHERE type = 'visit.checked_out'")).toBe(checkOuts);
        const rows = ctx.db.prepare('SELECT day, reason, count FROM rejected_scans').all() as { day: string; reason: string; count: number }[];
        expect(new Map(rows.map((r) => [`${r.day}/${r.reason}`, r.count]))).toEqual(rejected);
      } finally {
        s.close();
      }
    }), { numRuns: 60 });
  }, 120_000); // each run opens its own encrypted database folder
});
