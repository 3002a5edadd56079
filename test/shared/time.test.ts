import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays, isLocalDate, isLocalTime, isoWeekday, isValidTimeZone, localDateOf, localTimeOf, minutesOfDay,
  startOfLocalDay, zonedTimeToInstant,
} from '../../shared/time';

const STHLM = 'Europe/Stockholm';
const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

describe('localDateOf / localTimeOf in Europe/Stockholm', () => {
  it('winter (UTC+1) and summer (UTC+2)', () => {
    expect(localTimeOf(at('2026-01-15T08:00:00Z'), STHLM)).toBe('09:00');
    expect(localTimeOf(at('2026-07-15T08:00:00Z'), STHLM)).toBe('10:00');
    expect(localDateOf(at('2026-01-15T22:59:59Z'), STHLM)).toBe('2026-01-15');
    expect(localDateOf(at('2026-01-15T23:00:00Z'), STHLM)).toBe('2026-01-16');
    expect(localDateOf(at('2026-07-15T21:59:59Z'), STHLM)).toBe('2026-07-15');
    expect(localDateOf(at('2026-07-15T22:00:00Z'), STHLM)).toBe('2026-07-16');
  });

  it('midnight is 00:00, never 24:00', () => {
    expect(localTimeOf(at('2026-01-15T23:00:00Z'), STHLM)).toBe('00:00');
    expect(localTimeOf(at('2026-01-15T23:30:00Z'), STHLM)).toBe('00:30');
  });

  it('around the spring change (2026-03-29, 02:00 → 03:00 local)', () => {
    expect(localDateOf(at('2026-03-28T22:59:00Z'), STHLM)).toBe('2026-03-28');
    expect(localDateOf(at('2026-03-28T23:00:00Z'), STHLM)).toBe('2026-03-29');
    expect(localTimeOf(at('2026-03-29T00:59:00Z'), STHLM)).toBe('01:59');
    expect(localTimeOf(at('2026-03-29T01:00:00Z'), STHLM)).toBe('03:00');
    expect(localTimeOf(at('2026-03-29T21:59:00Z'), STHLM)).toBe('23:59');
    expect(localDateOf(at('2026-03-29T21:59:00Z'), STHLM)).toBe('2026-03-29');
    expect(localDateOf(at('2026-03-29T22:00:00Z'), STHLM)).toBe('2026-03-30');
  });

  it('around the autumn change (2026-10-25, 03:00 → 02:00 local): the repeated hour is the same date', () => {
    expect(localDateOf(at('2026-10-24T21:59:00Z'), STHLM)).toBe('2026-10-24');
    expect(localDateOf(at('2026-10-24T22:00:00Z'), STHLM)).toBe('2026-10-25');
    expect(localTimeOf(at('2026-10-25T00:30:00Z'), STHLM)).toBe('02:30');
    expect(localTimeOf(at('2026-10-25T01:30:00Z'), STHLM)).toBe('02:30');
    expect(localDateOf(at('2026-10-25T01:30:00Z'), STHLM)).toBe('2026-10-25');
    expect(localDateOf(at('2026-10-25T22:59:00Z'), STHLM)).toBe('2026-10-25');
    expect(localDateOf(at('2026-10-25T23:00:00Z'), STHLM)).toBe('2026-10-26');
  });

  it('other zones', () => {
    expect(localDateOf(at('2026-03-02T08:00:00Z'), 'Pacific/Auckland')).toBe('2026-03-02');
    expect(localDateOf(at('2026-03-02T12:00:00Z'), 'Pacific/Auckland')).toBe('2026-03-03');
    expect(localTimeOf(at('2026-03-02T08:00:00Z'), 'Asia/Kolkata')).toBe('13:30');
    expect(localDateOf(at('2026-03-02T03:00:00Z'), 'America/New_York')).toBe('2026-03-01');
  });
});

describe('zonedTimeToInstant', () => {
  it('ordinary times in winter and summer', () => {
    expect(zonedTimeToInstant('2026-01-15', '09:00', STHLM)).toBe(at('2026-01-15T08:00:00Z'));
    expect(zonedTimeToInstant('2026-06-15', '09:00', STHLM)).toBe(at('2026-06-15T07:00:00Z'));
    expect(zonedTimeToInstant('2026-03-29', '01:59', STHLM)).toBe(at('2026-03-29T00:59:00Z'));
    expect(zonedTimeToInstant('2026-03-29', '03:00', STHLM)).toBe(at('2026-03-29T01:00:00Z'));
    expect(zonedTimeToInstant('2026-10-25', '03:00', STHLM)).toBe(at('2026-10-25T02:00:00Z'));
    expect(zonedTimeToInstant('2026-10-25', '01:59', STHLM)).toBe(at('2026-10-24T23:59:00Z'));
    expect(zonedTimeToInstant('2026-03-02', '23:30', 'Asia/Kolkata')).toBe(at('2026-03-02T18:00:00Z'));
    expect(zonedTimeToInstant('2026-07-01', '00:00', 'America/New_York')).toBe(at('2026-07-01T04:00:00Z'));
  });

  it('a time in the spring gap (02:30 on 2026-03-29) moves forward by the gap, to 03:30 CEST', () => {
    const instant = zonedTimeToInstant('2026-03-29', '02:30', STHLM);
    expect(instant).toBe(at('2026-03-29T01:30:00Z'));
    expect(localTimeOf(instant, STHLM)).toBe('03:30');
    expect(localDateOf(instant, STHLM)).toBe('2026-03-29');
    expect(zonedTimeToInstant('2026-03-29', '02:00', STHLM)).toBe(at('2026-03-29T01:00:00Z'));
  });

  it('an ambiguous autumn time (02:30 on 2026-10-25) resolves to the earlier instant', () => {
    const instant = zonedTimeToInstant('2026-10-25', '02:30', STHLM);
    expect(instant).toBe(at('2026-10-25T00:30:00Z'));
    expect(localTimeOf(instant, STHLM)).toBe('02:30');
    expect(localTimeOf(instant + HOUR, STHLM)).toBe('02:30');
  });

  it('gaps and repeats in a zone that changes on the other side of the world', () => {
    // New Zealand: spring forward 2026-09-27 02:00 → 03:00; fall back 2026-04-05 03:00 → 02:00.
    expect(localTimeOf(zonedTimeToInstant('2026-09-27', '02:30', 'Pacific/Auckland'), 'Pacific/Auckland')).toBe('03:30');
    expect(zonedTimeToInstant('2026-04-05', '02:30', 'Pacific/Auckland')).toBe(at('2026-04-04T13:30:00Z'));
  });

  it('property: near every DST change of 2024–2030 in several zones, agrees with a brute-force search', () => {
    const zones = ['Europe/Stockholm', 'America/New_York', 'Pacific/Auckland', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago'];
    const MIN = 60_000;
    const wallMs = (t: number, tz: string): number => {
      const d = localDateOf(t, tz);
      const [hh, mm] = localTimeOf(t, tz).split(':').map(Number) as [number, number];
      return Date.parse(`${d}T00:00:00Z`) + (hh * 60 + mm) * MIN;
    };
    const offset = (t: number, tz: string): number => wallMs(t, tz) - Math.floor(t / MIN) * MIN;
    // Find each offset change by stepping a day at a time, then bisecting to the minute.
    const transitions: { tz: string; at: number }[] = [];
    for (const tz of zones) {
      let prev = Date.parse('2024-01-01T00:00:00Z');
      for (let t = prev + 86_400_000; t < Date.parse('2031-01-01T00:00:00Z'); t += 86_400_000) {
        if (offset(t, tz) !== offset(prev, tz)) {
          let lo = prev;
          let hi = t;
          while (hi - lo > MIN) {
            const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
            if (offset(mid, tz) === offset(prev, tz)) lo = mid;
            else hi = mid;
          }
          transitions.push({ tz, at: hi });
        }
        prev = t;
      }
    }
    expect(transitions.length).toBeGreaterThan(zones.length * 12);
    fc.assert(fc.property(fc.constantFrom(...transitions), fc.integer({ min: -150, max: 150 }), ({ tz, at: change }, minutes) => {
      // A wall-clock time near the change, read with the offset in force before it.
      const before = offset(change - MIN, tz);
      const wall = Math.floor(change / MIN) * MIN + before + minutes * MIN;
      const iso = new Date(wall).toISOString();
      const date = iso.slice(0, 10);
      const time = iso.slice(11, 16);
      const matches: number[] = [];
      for (let t = change - 4 * HOUR; t <= change + 4 * HOUR; t += MIN) if (wallMs(t, tz) === wall) matches.push(t);
      const expected = matches.length > 0 ? matches[0] : wall - before; // a gap moves forward by its length
      expect(zonedTimeToInstant(date, time, tz), `${tz} ${date} ${time}`).toBe(expected);
    }), { numRuns: 300 });
  }, 60_000);

  it('refuses malformed dates and times', () => {
    expect(() => zonedTimeToInstant('2026-3-2', '09:00', STHLM)).toThrow(RangeError);
    expect(() => zonedTimeToInstant('2026-03-02', '9:00', STHLM)).toThrow(RangeError);
    expect(() => zonedTimeToInstant('2026-03-02', '09:00:00', STHLM)).toThrow(RangeError);
  });

  it('property: the instant of noon on any date falls on that date, in several zones', () => {
    const zones = ['Europe/Stockholm', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'UTC'];
    const dateArb = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(dateArb, fc.constantFrom(...zones), (d, tz) => {
      const instant = zonedTimeToInstant(d, '12:00', tz);
      expect(localDateOf(instant, tz)).toBe(d);
      expect(localTimeOf(instant, tz)).toBe('12:00');
    }), { numRuns: 1000 });
  });

  it('property: any instant round-trips through its wall-clock date and time (to the minute; repeats give the earlier)', () => {
    const zones = ['Europe/Stockholm', 'America/New_York', 'Pacific/Auckland', 'Australia/Lord_Howe'];
    const instantArb = fc.integer({ min: Date.parse('1990-01-01T00:00:00Z') / 60_000, max: Date.parse('2060-01-01T00:00:00Z') / 60_000 }).map((m) => m * 60_000);
    fc.assert(fc.property(instantArb, fc.constantFrom(...zones), (t, tz) => {
      const back = zonedTimeToInstant(localDateOf(t, tz), localTimeOf(t, tz), tz);
      expect(back).toBeLessThanOrEqual(t);
      expect(t - back).toBeLessThanOrEqual(HOUR);
      if (back !== t) {
        // only inside a repeated hour: the earlier instant reads the same on the wall
        expect(localDateOf(back, tz)).toBe(localDateOf(t, tz));
        expect(localTimeOf(back, tz)).toBe(localTimeOf(t, tz));
      }
    }), { numRuns: 1000 });
  });
});

describe('startOfLocalDay', () => {
  const length = (d: string): number => (startOfLocalDay(addDays(d, 1), STHLM) - startOfLocalDay(d, STHLM)) / HOUR;

  it('the spring day has 23 hours, the autumn day 25, ordinary days 24', () => {
    expect(startOfLocalDay('2026-03-29', STHLM)).toBe(at('2026-03-28T23:00:00Z'));
    expect(startOfLocalDay('2026-03-30', STHLM)).toBe(at('2026-03-29T22:00:00Z'));
    expect(startOfLocalDay('2026-10-25', STHLM)).toBe(at('2026-10-24T22:00:00Z'));
    expect(startOfLocalDay('2026-10-26', STHLM)).toBe(at('2026-10-25T23:00:00Z'));
    expect(length('2026-03-29')).toBe(23);
    expect(length('2026-10-25')).toBe(25);
    expect(length('2026-03-28')).toBe(24);
    expect(length('2026-03-30')).toBe(24);
    expect(length('2026-10-24')).toBe(24);
    expect(length('2026-10-26')).toBe(24);
  });

  it('every instant of a day lies in [start of day, start of next day)', () => {
    fc.assert(fc.property(fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2035-01-01T00:00:00Z') }), (t) => {
      const d = localDateOf(t, STHLM);
      expect(startOfLocalDay(d, STHLM)).toBeLessThanOrEqual(t);
      expect(startOfLocalDay(addDays(d, 1), STHLM)).toBeGreaterThan(t);
    }), { numRuns: 500 });
  });

  it('a year of days adds up to the hours of the year', () => {
    let hours = 0;
    for (let d = '2026-01-01'; d < '2027-01-01'; d = addDays(d, 1)) hours += length(d);
    expect(hours).toBe(365 * 24);
  });
});

describe('addDays, isoWeekday and validators', () => {
  it('crosses months, years and leap days', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-02', 0)).toBe('2026-03-02');
    expect(addDays('2026-03-02', 365)).toBe('2027-03-02');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(() => addDays('2026-3-1', 1)).toThrow(RangeError);
  });

  it('property: addDays is additive and invertible', () => {
    const dateArb = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(fc.property(dateArb, fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (d, a, b) => {
      expect(addDays(addDays(d, a), b)).toBe(addDays(d, a + b));
      expect(addDays(addDays(d, a), -a)).toBe(d);
      expect(isLocalDate(addDays(d, a))).toBe(true);
      expect(isoWeekday(addDays(d, 7 * a))).toBe(isoWeekday(d));
      expect(isoWeekday(addDays(d, 1))).toBe((isoWeekday(d) % 7) + 1);
    }));
  });

  it('isoWeekday: Monday is 1, Sunday is 7', () => {
    expect(isoWeekday('2026-03-02')).toBe(1); // Monday
    expect(isoWeekday('2026-03-06')).toBe(5); // Friday
    expect(isoWeekday('2026-03-07')).toBe(6); // Saturday
    expect(isoWeekday('2026-03-08')).toBe(7); // Sunday
    expect(isoWeekday('2026-03-29')).toBe(7); // the spring change is on a Sunday
    expect(isoWeekday('2000-01-01')).toBe(6);
    expect(() => isoWeekday('yesterday')).toThrow(RangeError);
  });

  it('isLocalDate / isLocalTime / isValidTimeZone / minutesOfDay', () => {
    expect(isLocalDate('2026-02-28')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-04-31')).toBe(false);
    expect(isLocalDate('2026-4-1')).toBe(false);
    expect(isLocalDate(' 2026-04-01')).toBe(false);
    expect(isLocalTime('00:00')).toBe(true);
    expect(isLocalTime('23:59')).toBe(true);
    expect(isLocalTime('24:00')).toBe(false);
    expect(isLocalTime('12:60')).toBe(false);
    expect(isLocalTime('9:00')).toBe(false);
    expect(isValidTimeZone('Europe/Stockholm')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('12:30')).toBe(750);
    expect(minutesOfDay('23:59')).toBe(1439);
    expect(() => minutesOfDay('noon')).toThrow(RangeError);
  });
});
