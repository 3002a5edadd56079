import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVenue, getVenue, updateVenue } from '../../../electron/db/venue';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
beforeEach(() => { t = freshDb(); });
afterEach(() => t.close());

const venue = { venueId: 'VABC', name: 'Ankaret', mode: 'dropin' as const, timeZone: 'Europe/Stockholm', createdAt: 5 };

describe('db/venue', () => {
  it('there is no venue until one is created, and only one can be', () => {
    expect(getVenue(t.db)).toBeUndefined();
    createVenue(t.db, venue);
    expect(getVenue(t.db)).toEqual(venue);
    expect(() => createVenue(t.db, { ...venue, venueId: 'VOTHER' })).toThrow(/UNIQUE|PRIMARY KEY/);
  });

  it('updates name, mode and time zone but never the venue id', () => {
    expect(() => updateVenue(t.db, { name: 'x' })).toThrow('venue not initialised');
    createVenue(t.db, venue);
    updateVenue(t.db, { mode: 'structured' });
    expect(getVenue(t.db)).toEqual({ ...venue, mode: 'structured' });
    updateVenue(t.db, { name: 'Fyren', timeZone: 'Europe/Helsinki' });
    expect(getVenue(t.db)).toEqual({ ...venue, mode: 'structured', name: 'Fyren', timeZone: 'Europe/Helsinki' });
    expect(() => updateVenue(t.db, { mode: 'weekly' as 'dropin' })).toThrow(/CHECK/);
  });
});
