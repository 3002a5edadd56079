import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertParticipant } from '../../../electron/db/participants';
import {
  closeVisit, findOpenVisit, getVisit, insertVisit, openVisitsBefore, setVisitFlagged, setVisitTimes, visitsOfParticipant, visitsOnDay,
} from '../../../electron/db/visits';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
let anna: number;
let bo: number;
beforeEach(() => {
  t = freshDb();
  anna = insertParticipant(t.db, { code: 'P1', displayName: 'Anna', mode: 'dropin', createdAt: 0 }).id;
  bo = insertParticipant(t.db, { code: 'P2', displayName: 'Bo', mode: 'dropin', createdAt: 0 }).id;
});
afterEach(() => t.close());

const open = (participantId: number, day: string, at: number) =>
  insertVisit(t.db, { participantId, day, checkedInAt: at, checkedOutAt: null, source: 'card', createdAt: at });

describe('db/visits', () => {
  it('inserts and reads a visit back', () => {
    const v = open(anna, '2026-03-02', 1000);
    expect(v).toEqual({ id: expect.any(Number), participantId: anna, day: '2026-03-02', checkedInAt: 1000, checkedOutAt: null, source: 'card', autoClosed: false, createdAt: 1000, manualReason: null, flagged: false });
    expect(getVisit(t.db, v.id)).toEqual(v);
    expect(getVisit(t.db, v.id + 100)).toBeUndefined();
    const paper = insertVisit(t.db, { participantId: bo, day: '2026-03-01', checkedInAt: 10, checkedOutAt: 20, source: 'paper', createdAt: 30, autoClosed: true, manualReason: 'kiosk was down' });
    expect(paper).toMatchObject({ autoClosed: true, manualReason: 'kiosk was down', flagged: false });
    expect(getVisit(t.db, paper.id)).toEqual(paper);
    expect(() => insertVisit(t.db, { participantId: bo, day: '2026-03-01', checkedInAt: 10, checkedOutAt: null, source: 'camera' as 'card', createdAt: 0 })).toThrow(/CHECK/);
  });

  it('finds the open visit of a participant on a day only', () => {
    const v = open(anna, '2026-03-02', 1000);
    expect(findOpenVisit(t.db, anna, '2026-03-02')?.id).toBe(v.id);
    expect(findOpenVisit(t.db, anna, '2026-03-03')).toBeUndefined();
    expect(findOpenVisit(t.db, bo, '2026-03-02')).toBeUndefined();
    closeVisit(t.db, v.id, 2000);
    expect(findOpenVisit(t.db, anna, '2026-03-02')).toBeUndefined();
  });

  it('closes a visit once; closing again changes nothing and says so', () => {
    const v = open(anna, '2026-03-02', 1000);
    expect(closeVisit(t.db, v.id, 2000)).toBe(true);
    expect(closeVisit(t.db, v.id, 3000)).toBe(false);
    expect(getVisit(t.db, v.id)).toMatchObject({ checkedOutAt: 2000, autoClosed: false });
    const w = open(anna, '2026-03-03', 1000);
    expect(closeVisit(t.db, w.id, 5000, { autoClosed: true })).toBe(true);
    expect(getVisit(t.db, w.id)).toMatchObject({ checkedOutAt: 5000, autoClosed: true });
    expect(closeVisit(t.db, 9999, 1)).toBe(false);
  });

  it('refuses a check-out before the check-in', () => {
    const v = open(anna, '2026-03-02', 1000);
    expect(() => closeVisit(t.db, v.id, 999)).toThrow(/CHECK/);
    expect(getVisit(t.db, v.id)?.checkedOutAt).toBeNull();
  });

  it('a second open visit the same day is refused, a new one after closing is allowed', () => {
    const v = open(anna, '2026-03-02', 1000);
    expect(() => open(anna, '2026-03-02', 1500)).toThrow(/UNIQUE/);
    closeVisit(t.db, v.id, 2000);
    expect(() => open(anna, '2026-03-02', 2500)).not.toThrow();
  });

  it('lists a day\'s visits in check-in order and a participant\'s visits in a day range', () => {
    const b = open(bo, '2026-03-02', 900);
    const a = open(anna, '2026-03-02', 1000);
    const a0 = open(anna, '2026-03-01', 100);
    const a2 = open(anna, '2026-03-05', 5000);
    expect(visitsOnDay(t.db, '2026-03-02').map((v) => v.id)).toEqual([b.id, a.id]);
    expect(visitsOnDay(t.db, '2026-03-04')).toEqual([]);
    expect(visitsOfParticipant(t.db, anna, '2026-03-01', '2026-03-02').map((v) => v.id)).toEqual([a0.id, a.id]);
    expect(visitsOfParticipant(t.db, anna, '2026-03-01', '2026-03-31').map((v) => v.id)).toEqual([a0.id, a.id, a2.id]);
    expect(visitsOfParticipant(t.db, anna, '2026-03-03', '2026-03-04')).toEqual([]);
  });

  it('setVisitTimes changes the times; the flag, once set, stays', () => {
    const v = open(anna, '2026-03-02', 1000);
    setVisitTimes(t.db, v.id, 500, 800);
    expect(getVisit(t.db, v.id)).toMatchObject({ checkedInAt: 500, checkedOutAt: 800, day: '2026-03-02', flagged: false });
    setVisitTimes(t.db, v.id, 600, null, { flagged: true });
    expect(getVisit(t.db, v.id)).toMatchObject({ checkedInAt: 600, checkedOutAt: null, flagged: true });
    setVisitTimes(t.db, v.id, 600, 700);
    expect(getVisit(t.db, v.id)).toMatchObject({ checkedOutAt: 700, flagged: true });
    expect(() => setVisitTimes(t.db, v.id, 900, 800)).toThrow(/CHECK/);
    const w = open(bo, '2026-03-02', 1000);
    setVisitFlagged(t.db, w.id);
    expect(getVisit(t.db, w.id)?.flagged).toBe(true);
  });

  it('openVisitsBefore lists visits left open on earlier days only', () => {
    const old = open(anna, '2026-03-01', 100);
    const older = open(bo, '2026-02-27', 50);
    const closed = open(bo, '2026-02-28', 60);
    closeVisit(t.db, closed.id, 70);
    open(anna, '2026-03-02', 1000);
    expect(openVisitsBefore(t.db, '2026-03-02').map((v) => v.id)).toEqual([older.id, old.id]);
    expect(openVisitsBefore(t.db, '2026-02-27')).toEqual([]);
  });
});
