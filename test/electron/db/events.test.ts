import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvent, eventsAfter, lastEventSeq } from '../../../electron/db/events';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
beforeEach(() => { t = freshDb(); });
afterEach(() => t.close());

describe('db/events', () => {
  it('an empty log has sequence 0 and nothing after it', () => {
    expect(lastEventSeq(t.db)).toBe(0);
    expect(eventsAfter(t.db, 0)).toEqual([]);
  });

  it('appends with increasing sequence numbers and reads back with data as an object', () => {
    const a = appendEvent(t.db, { at: 10, type: 'visit.checked_in', participantCode: 'P1', data: { visitId: 1, day: '2026-03-02', nested: { ok: true }, list: [1, 'å'] } });
    const b = appendEvent(t.db, { at: 20, type: 'day.confirmed', participantCode: null, data: {} });
    expect(b).toBe(a + 1);
    expect(lastEventSeq(t.db)).toBe(b);
    expect(eventsAfter(t.db, 0)).toEqual([
      { seq: a, at: 10, type: 'visit.checked_in', participantCode: 'P1', data: { visitId: 1, day: '2026-03-02', nested: { ok: true }, list: [1, 'å'] } },
      { seq: b, at: 20, type: 'day.confirmed', participantCode: null, data: {} },
    ]);
    expect(eventsAfter(t.db, a).map((e) => e.seq)).toEqual([b]);
    expect(eventsAfter(t.db, b)).toEqual([]);
  });

  it('eventsAfter pages with a limit, in sequence order', () => {
    for (let i = 0; i < 25; i++) appendEvent(t.db, { at: 1000 - i, type: 'visit.checked_in', participantCode: `P${i}`, data: { i } });
    const first = eventsAfter(t.db, 0, 10);
    expect(first.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const second = eventsAfter(t.db, first.at(-1)!.seq, 10);
    expect(second.map((e) => e.data.i)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(eventsAfter(t.db, second.at(-1)!.seq, 10)).toHaveLength(5);
  });

  it('events cannot be changed once written', () => {
    const seq = appendEvent(t.db, { at: 10, type: 'visit.checked_in', participantCode: 'P1', data: {} });
    expect(() => t.db.prepare('UPDATE events SET participant_code = ? WHERE seq = ?').run('P2', seq)).toThrow('append-only');
    expect(eventsAfter(t.db, 0)[0]?.participantCode).toBe('P1');
  });

  it('lastEventSeq does not go back when old events are deleted by retention', () => {
    appendEvent(t.db, { at: 10, type: 'visit.checked_in', participantCode: 'P1', data: {} });
    const last = appendEvent(t.db, { at: 20, type: 'visit.checked_out', participantCode: 'P1', data: {} });
    t.db.prepare('DELETE FROM events WHERE seq < ?').run(last);
    expect(lastEventSeq(t.db)).toBe(last);
    expect(appendEvent(t.db, { at: 30, type: 'visit.checked_in', participantCode: 'P1', data: {} })).toBe(last + 1);
  });
});
