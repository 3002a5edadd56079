import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/db/connection';
import { eventsAfter } from '../../../electron/db/events';
import { migrate } from '../../../electron/db/migrations';
import { daysToMask, maskToDays, schedulesOf } from '../../../electron/db/schedules';
import { todayView } from '../../../electron/services/attendance';
import { enrolForStaff, enrolParticipant, setActiveFor, updateParticipantFor } from '../../../electron/services/participants';
import { endSchedule, expectedOn, scheduledDaysInMonth, setSchedule, slotOn } from '../../../electron/services/schedules';
import { addStaff, CLI_ACTOR, type Actor } from '../../../electron/services/staff';
import { KlivError } from '../../../shared/errors';
import { tempDir, testApp, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };
let t: TestApp;
let kim: Actor;
beforeEach(() => {
  t = testApp({ mode: 'structured' }); // Monday 2026-03-02, 09:00 in Stockholm
  kim = { staffId: addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, FAST).account.staffId, role: 'staff' };
});
afterEach(() => t.close());

const ctx = () => t.app.ctx;
const MWF = { days: ['mon', 'wed', 'fri'] as ('mon' | 'wed' | 'fri')[], start: '09:00', end: '12:00' };
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlivError) return err.code;
    throw err;
  }
  return undefined;
}

describe('migration 3', () => {
  it('adds the schedules table and keeps revoked cards and badges revoked, on a database that already has data', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir.path, 'kliv.sqlite'), { migrateTo: 2 });
    try {
      db.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES ('K-1', 'Anna', 'structured', 1)").run();
      db.prepare("INSERT INTO cards (token_hash, participant_id, issued_at, revoked_at, revoke_reason) VALUES (x'01', 1, 1, 2, 'lost')").run();
      expect(migrate(db, 3)).toBe(3);
      const columns = (db.prepare('PRAGMA table_info(schedules)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(['id', 'participant_id', 'days', 'start_time', 'end_time', 'valid_from', 'valid_to', 'created_at']);
      expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'schedules'").pluck().get()).toMatch(/STRICT/);
      expect(() => db.prepare('UPDATE cards SET revoked_at = NULL WHERE id = 1').run()).toThrow(/stays revoked/);
      const insert = db.prepare('INSERT INTO schedules (participant_id, days, start_time, end_time, valid_from, valid_to, created_at) VALUES (1, ?, ?, ?, ?, ?, 1)');
      expect(() => insert.run(0, '09:00', '12:00', '2026-03-02', null)).toThrow(/CHECK/);
      expect(() => insert.run(5, '12:00', '09:00', '2026-03-02', null)).toThrow(/CHECK/);
      expect(() => insert.run(5, '09:00', '12:00', '2026-03-02', '2026-03-01')).toThrow(/CHECK/);
      expect(() => insert.run(5, '9:00', '12:00', '2026-03-02', null)).toThrow(/CHECK/);
      insert.run(5, '09:00', '12:00', '2026-03-02', null);
    } finally {
      db.close();
      dir.cleanup();
    }
  });

  it('weekday masks round-trip (Monday is bit 0)', () => {
    expect(daysToMask(['mon'])).toBe(1);
    expect(daysToMask(['sun'])).toBe(64);
    expect(maskToDays(daysToMask(['fri', 'mon', 'wed']))).toEqual(['mon', 'wed', 'fri']);
  });
});

describe('setting a schedule', () => {
  it('stores the weekly pattern from today, with an event (codes only) and an audit entry', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'K-1001' });
    const s = setSchedule(ctx(), kim, p.id, MWF);
    expect(s).toMatchObject({ days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00', validFrom: '2026-03-02', validTo: null });
    expect(eventsAfter(t.app.db, 0).at(-1)).toMatchObject({
      type: 'participant.schedule_set', participantCode: 'K-1001', data: { days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00', validFrom: '2026-03-02', validTo: null },
    });
    const audit = t.app.db.prepare("SELECT actor, subject FROM audit_log WHERE action = 'schedule.set'").get();
    expect(audit).toEqual({ actor: `staff:${kim.staffId}`, subject: `participant:${p.id}` });
  });

  it('a new schedule ends the previous one the day before it starts, and replaces one that had not started', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    setSchedule(ctx(), kim, p.id, MWF);
    setSchedule(ctx(), kim, p.id, { days: ['tue'], start: '13:00', end: '15:00', validFrom: '2026-03-20' });
    setSchedule(ctx(), kim, p.id, { days: ['thu'], start: '10:00', end: '11:00', validFrom: '2026-03-16', validTo: '2026-04-30' });
    expect(schedulesOf(t.app.db, p.id).map((s) => [s.days.join(','), s.validFrom, s.validTo])).toEqual([
      ['mon,wed,fri', '2026-03-02', '2026-03-15'],
      ['thu', '2026-03-16', '2026-04-30'],
    ]);
    expect(slotOn(t.app.db, p.id, '2026-03-13')).toEqual({ start: '09:00', end: '12:00' }); // Friday
    expect(slotOn(t.app.db, p.id, '2026-03-16')).toBeNull(); // Monday, new pattern
    expect(slotOn(t.app.db, p.id, '2026-03-19')).toEqual({ start: '10:00', end: '11:00' });
    expect(slotOn(t.app.db, p.id, '2026-05-07')).toBeNull(); // after validTo
    expect(slotOn(t.app.db, p.id, '2026-03-01')).toBeNull(); // before it began
  });

  it('refuses a past start, an end before the start, no days, a drop-in or a deactivated participant', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    expect(codeOf(() => setSchedule(ctx(), kim, p.id, { ...MWF, validFrom: '2026-03-01' }))).toBe('BAD_INPUT');
    expect(codeOf(() => setSchedule(ctx(), kim, p.id, { ...MWF, start: '12:00', end: '12:00' }))).toBe('BAD_INPUT');
    expect(codeOf(() => setSchedule(ctx(), kim, p.id, { ...MWF, days: [] }))).toBe('BAD_INPUT');
    expect(codeOf(() => setSchedule(ctx(), kim, p.id, { ...MWF, validFrom: '2026-04-01', validTo: '2026-03-31' }))).toBe('BAD_INPUT');
    const dropin = enrolForStaff(ctx(), kim, { displayName: 'Bo', mode: 'dropin' });
    expect(codeOf(() => setSchedule(ctx(), kim, dropin.id, MWF))).toBe('BAD_INPUT');
    setActiveFor(ctx(), kim, p.id, false);
    expect(codeOf(() => setSchedule(ctx(), kim, p.id, MWF))).toBe('PARTICIPANT_INACTIVE');
    expect(codeOf(() => setSchedule(ctx(), kim, 999, MWF))).toBe('NOT_FOUND');
    expect(schedulesOf(t.app.db, p.id)).toEqual([]);
  });

  it('ending a schedule keeps today and drops everything after', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    setSchedule(ctx(), kim, p.id, MWF);
    setSchedule(ctx(), kim, p.id, { ...MWF, validFrom: '2026-04-01' });
    expect(endSchedule(ctx(), kim, p.id)).toBe(true);
    expect(schedulesOf(t.app.db, p.id).map((s) => [s.validFrom, s.validTo])).toEqual([['2026-03-02', '2026-03-02']]);
    expect(endSchedule(ctx(), kim, p.id)).toBe(false);
  });
});

describe('the kiosk and the today view use the schedule', () => {
  it('check-in shows today\'s slot on a scheduled day and none on another day or for drop-in participants', () => {
    const { participant, issued } = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1001', mode: 'structured' });
    setSchedule(ctx(), kim, participant.id, MWF);
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', schedule: { start: '09:00', end: '12:00' } });
    t.clock.set('2026-03-03T08:00:00Z'); // Tuesday
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', schedule: null });
    const bo = enrolParticipant(ctx(), { displayName: 'Bo', mode: 'dropin' });
    expect(t.app.kiosk.scan(bo.issued.payload)).toMatchObject({ outcome: 'checked-in', schedule: null });
  });

  it('expected-not-arrived lists active structured participants scheduled today, by start time, until they come', () => {
    const anna = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1', mode: 'structured' });
    const bo = enrolParticipant(ctx(), { displayName: 'Bo', code: 'K-2', mode: 'structured' });
    const cai = enrolParticipant(ctx(), { displayName: 'Cai', code: 'K-3', mode: 'structured' });
    setSchedule(ctx(), kim, anna.participant.id, { ...MWF, start: '10:00', end: '13:00' });
    setSchedule(ctx(), kim, bo.participant.id, MWF);
    setSchedule(ctx(), kim, cai.participant.id, { days: ['tue'], start: '09:00', end: '12:00' });
    expect(expectedOn(ctx(), '2026-03-02').map((e) => e.participant.code)).toEqual(['K-2', 'K-1']);

    let view = todayView(ctx(), kim);
    expect(view.expectedNotArrived).toEqual([
      { participantId: bo.participant.id, code: 'K-2', displayName: 'Bo', slot: { start: '09:00', end: '12:00' } },
      { participantId: anna.participant.id, code: 'K-1', displayName: 'Anna', slot: { start: '10:00', end: '13:00' } },
    ]);
    t.app.kiosk.scan(bo.issued.payload);
    view = todayView(ctx(), kim);
    expect(view.expectedNotArrived.map((e) => e.code)).toEqual(['K-1']);
    // moving to drop-in or deactivating removes them from later days' lists
    updateParticipantFor(ctx(), kim, anna.participant.id, { mode: 'dropin' });
    expect(todayView(ctx(), kim).expectedNotArrived).toEqual([]);
    setActiveFor(ctx(), kim, cai.participant.id, false);
    expect(expectedOn(ctx(), '2026-03-03')).toEqual([]);
  });
});

describe('scheduledDaysInMonth (for the monthly report)', () => {
  it('lists the venue-local dates a participant was scheduled, following schedule changes within the month', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'K-1001' });
    setSchedule(ctx(), kim, p.id, MWF);
    expect(scheduledDaysInMonth(t.app.db, 'K-1001', '2026-03')).toEqual([
      '2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11', '2026-03-13', '2026-03-16', '2026-03-18', '2026-03-20',
      '2026-03-23', '2026-03-25', '2026-03-27', '2026-03-30',
    ]);
    t.clock.set('2026-03-16T08:00:00Z');
    setSchedule(ctx(), kim, p.id, { days: ['tue', 'thu'], start: '13:00', end: '16:00', validTo: '2026-04-09' });
    expect(scheduledDaysInMonth(t.app.db, 'k-1001', '2026-03')).toEqual([
      '2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11', '2026-03-13', '2026-03-17', '2026-03-19', '2026-03-24',
      '2026-03-26', '2026-03-31',
    ]);
    expect(scheduledDaysInMonth(t.app.db, 'K-1001', '2026-04')).toEqual(['2026-04-02', '2026-04-07', '2026-04-09']);
    expect(scheduledDaysInMonth(t.app.db, 'K-1001', '2026-02')).toEqual([]);
    expect(scheduledDaysInMonth(t.app.db, 'NOBODY', '2026-03')).toEqual([]);
    expect(codeOf(() => scheduledDaysInMonth(t.app.db, 'K-1001', '2026-13'))).toBe('BAD_INPUT');
    expect(codeOf(() => scheduledDaysInMonth(t.app.db, 'K-1001', 'mars'))).toBe('BAD_INPUT');
  });

  it('counts a deactivated participant\'s days only up to the deactivation day', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'K-1001' });
    setSchedule(ctx(), kim, p.id, MWF);
    t.clock.set('2026-03-11T15:00:00Z'); // Wednesday
    setActiveFor(ctx(), kim, p.id, false);
    expect(scheduledDaysInMonth(t.app.db, 'K-1001', '2026-03')).toEqual(['2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11']);
  });
});
