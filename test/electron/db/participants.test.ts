import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getParticipant, getParticipantByCode, insertParticipant, listParticipants, searchParticipants, setParticipantActive, updateParticipant,
} from '../../../electron/db/participants';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
beforeEach(() => { t = freshDb(); });
afterEach(() => t.close());

const add = (code: string, displayName: string, mode: 'dropin' | 'structured' = 'dropin') => insertParticipant(t.db, { code, displayName, mode, createdAt: 1000 });

describe('db/participants', () => {
  it('inserts and reads back by id and by code', () => {
    const p = add('P100', 'Anna', 'structured');
    expect(p).toEqual({ id: expect.any(Number), code: 'P100', displayName: 'Anna', mode: 'structured', active: true, createdAt: 1000 });
    expect(getParticipant(t.db, p.id)).toEqual(p);
    expect(getParticipantByCode(t.db, 'P100')).toEqual(p);
    expect(getParticipant(t.db, p.id + 1)).toBeUndefined();
    expect(getParticipantByCode(t.db, 'p100')).toBeUndefined(); // codes are stored canonical (upper case) by the service
  });

  it('refuses a duplicate code', () => {
    add('P100', 'Anna');
    expect(() => add('P100', 'Bo')).toThrow(/UNIQUE/);
  });

  it('lists active participants by display name (case-insensitive), inactive only on request', () => {
    const c = add('P3', 'cia');
    add('P2', 'Bo');
    const a = add('P1', 'Anna');
    setParticipantActive(t.db, c.id, false);
    expect(listParticipants(t.db).map((p) => p.displayName)).toEqual(['Anna', 'Bo']);
    expect(listParticipants(t.db, { includeInactive: true }).map((p) => p.displayName)).toEqual(['Anna', 'Bo', 'cia']);
    expect(getParticipant(t.db, c.id)?.active).toBe(false);
    setParticipantActive(t.db, c.id, true);
    expect(getParticipant(t.db, c.id)?.active).toBe(true);
    expect(getParticipant(t.db, a.id)?.active).toBe(true);
  });

  it('updates display name and mode, leaving unspecified fields alone; unknown id is a no-op', () => {
    const p = add('P1', 'Anna');
    updateParticipant(t.db, p.id, { displayName: 'Annie' });
    expect(getParticipant(t.db, p.id)).toMatchObject({ displayName: 'Annie', mode: 'dropin', code: 'P1' });
    updateParticipant(t.db, p.id, { mode: 'structured' });
    expect(getParticipant(t.db, p.id)).toMatchObject({ displayName: 'Annie', mode: 'structured' });
    expect(() => updateParticipant(t.db, 999, { displayName: 'X' })).not.toThrow();
  });

  it('search matches display name or code, case-insensitively, active first', () => {
    add('D1001', 'Anna');
    const inactive = add('D1002', 'Hanna');
    add('X9', 'Bo');
    setParticipantActive(t.db, inactive.id, false);
    expect(searchParticipants(t.db, 'ANN').map((p) => p.code)).toEqual(['D1001', 'D1002']);
    expect(searchParticipants(t.db, 'd100').map((p) => p.code)).toEqual(['D1001', 'D1002']);
    expect(searchParticipants(t.db, 'x9').map((p) => p.code)).toEqual(['X9']);
    expect(searchParticipants(t.db, 'nobody')).toEqual([]);
    expect(searchParticipants(t.db, 'n', 1)).toHaveLength(1);
  });

  it('search takes LIKE wildcards literally', () => {
    add('P1', 'Anna');
    add('P2', '100%');
    add('P3', 'a_b');
    add('P4', 'back\\slash');
    expect(searchParticipants(t.db, '%').map((p) => p.code)).toEqual(['P2']);
    expect(searchParticipants(t.db, '_').map((p) => p.code)).toEqual(['P3']);
    expect(searchParticipants(t.db, '\\').map((p) => p.code)).toEqual(['P4']);
    expect(searchParticipants(t.db, "'; DROP TABLE participants; --")).toEqual([]);
    expect(listParticipants(t.db)).toHaveLength(4);
  });

  // Regression (found by this suite, since fixed): SQLite's LIKE folds case for ASCII only, so staff
  // searching "åsa" do not find "Åsa" (nor "ÖRJAN" → "Örjan").
  it('search is case-insensitive for Swedish letters too', () => {
    add('P1', 'Åsa');
    add('P2', 'Örjan');
    expect(searchParticipants(t.db, 'åsa').map((p) => p.code)).toEqual(['P1']);
    expect(searchParticipants(t.db, 'ÖRJAN').map((p) => p.code)).toEqual(['P2']);
  });
});
