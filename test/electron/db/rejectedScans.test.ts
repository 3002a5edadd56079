import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRejectedScan, rejectedScansOn } from '../../../electron/db/rejectedScans';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
beforeEach(() => { t = freshDb(); });
afterEach(() => t.close());

describe('db/rejectedScans', () => {
  it('counts per day and reason', () => {
    expect(rejectedScansOn(t.db, '2026-03-02')).toEqual({});
    countRejectedScan(t.db, '2026-03-02', 'malformed');
    countRejectedScan(t.db, '2026-03-02', 'malformed');
    countRejectedScan(t.db, '2026-03-02', 'unknown');
    countRejectedScan(t.db, '2026-03-03', 'malformed');
    expect(rejectedScansOn(t.db, '2026-03-02')).toEqual({ malformed: 2, unknown: 1 });
    expect(rejectedScansOn(t.db, '2026-03-03')).toEqual({ malformed: 1 });
    expect(rejectedScansOn(t.db, '2026-03-04')).toEqual({});
  });

  it('keeps nothing but the counter: one row per day and reason', () => {
    for (let i = 0; i < 50; i++) countRejectedScan(t.db, '2026-03-02', 'unknown');
    expect(t.db.prepare('SELECT * FROM rejected_scans').all()).toEqual([{ day: '2026-03-02', reason: 'unknown', count: 50 }]);
  });
});
