import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allSettings, deleteSetting, getSetting, setSetting } from '../../../electron/db/settings';
import { openDatabase } from '../../../electron/db/connection';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
beforeEach(() => { t = freshDb(); });
afterEach(() => t.close());

describe('db/settings', () => {
  it('get/set/overwrite/delete', () => {
    expect(getSetting(t.db, 'retention.months')).toBeUndefined();
    setSetting(t.db, 'retention.months', '24');
    expect(getSetting(t.db, 'retention.months')).toBe('24');
    setSetting(t.db, 'retention.months', '12');
    expect(getSetting(t.db, 'retention.months')).toBe('12');
    deleteSetting(t.db, 'retention.months');
    expect(getSetting(t.db, 'retention.months')).toBeUndefined();
    expect(() => deleteSetting(t.db, 'never.set')).not.toThrow();
  });

  it('keeps values verbatim, including empty strings and JSON', () => {
    setSetting(t.db, 'empty', '');
    setSetting(t.db, 'json', JSON.stringify({ a: [1, 'å'] }));
    expect(getSetting(t.db, 'empty')).toBe('');
    expect(JSON.parse(getSetting(t.db, 'json')!)).toEqual({ a: [1, 'å'] });
  });

  it('allSettings returns every key sorted', () => {
    setSetting(t.db, 'b', '2');
    setSetting(t.db, 'a', '1');
    setSetting(t.db, 'c', '3');
    expect(Object.entries(allSettings(t.db))).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
  });

  it('survives closing and reopening the file', () => {
    setSetting(t.db, 'venue.language', 'sv');
    t.db.close();
    const again = openDatabase(t.file);
    try {
      expect(getSetting(again, 'venue.language')).toBe('sv');
    } finally {
      again.close();
    }
  });
});
