import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEDGE_OPTIONS, WedgeDetector } from '../../renderer/src/kiosk/wedge';

const PAYLOAD = 'KLIV1PBEHDH1SGKR5R15NBFW4FSNK8RZT';

/** Feeds keys at the given spacing, starting at `start`; returns what each feed returned and the end time. */
function type(detector: WedgeDetector, keys: string[], gapMs: number, start = 1_000): { results: (string | null)[]; end: number } {
  let at = start;
  const results = keys.map((key, i) => {
    if (i > 0) at += gapMs;
    return detector.feed(key, at);
  });
  return { results, end: at };
}
const chars = (s: string): string[] => [...s];
const last = <T>(a: T[]): T | undefined => a[a.length - 1];

describe('WedgeDetector', () => {
  it('fast keys ending in Enter are a scan', () => {
    const d = new WedgeDetector();
    const { results } = type(d, [...chars(PAYLOAD), 'Enter'], 4);
    expect(last(results)).toBe(PAYLOAD);
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
  });

  it('keys arriving in the same millisecond (a fast scanner) are a scan', () => {
    expect(last(type(new WedgeDetector(), [...chars(PAYLOAD), 'Enter'], 0).results)).toBe(PAYLOAD);
  });

  it('slow human typing ending in Enter is not a scan', () => {
    expect(last(type(new WedgeDetector(), [...chars('hello world'), 'Enter'], 120).results)).toBeNull();
    expect(last(type(new WedgeDetector(), [...chars(PAYLOAD), 'Enter'], DEFAULT_WEDGE_OPTIONS.maxGapMs + 1).results)).toBeNull();
  });

  it('the default gap limit is between scanner speed and typing speed', () => {
    expect(DEFAULT_WEDGE_OPTIONS.maxGapMs).toBeGreaterThanOrEqual(20);
    expect(DEFAULT_WEDGE_OPTIONS.maxGapMs).toBeLessThanOrEqual(80);
    expect(last(type(new WedgeDetector(), [...chars(PAYLOAD), 'Enter'], DEFAULT_WEDGE_OPTIONS.maxGapMs).results)).toBe(PAYLOAD);
  });

  it('Shift, Dead, AltGraph and other named keys are ignored (layout noise)', () => {
    const keys = chars(PAYLOAD).flatMap((c, i) => (i % 3 === 0 ? ['Shift', c] : i % 3 === 1 ? ['Dead', c] : ['AltGraph', 'CapsLock', c]));
    const { results } = type(new WedgeDetector(), [...keys, 'Unidentified', 'Enter'], 2);
    expect(last(results)).toBe(PAYLOAD);
  });

  it('a pause resets the buffer: only the fast burst after it counts', () => {
    const d = new WedgeDetector();
    const first = type(d, chars('garbage'), 5);
    const { results } = type(d, [...chars(PAYLOAD), 'Enter'], 5, first.end + 500);
    expect(last(results)).toBe(PAYLOAD);
  });

  it('Enter after a pause is not a scan, even with a full buffer', () => {
    const d = new WedgeDetector();
    const { end } = type(d, chars(PAYLOAD), 3);
    expect(d.feed('Enter', end + 200)).toBeNull();
  });

  it('too-short bursts are ignored', () => {
    expect(last(type(new WedgeDetector(), [...chars('ABCDE'), 'Enter'], 3).results)).toBeNull();
    expect(last(type(new WedgeDetector(), [...chars('ABCDEF'), 'Enter'], 3).results)).toBe('ABCDEF');
    expect(last(type(new WedgeDetector(), ['Enter'], 3).results)).toBeNull();
    expect(last(type(new WedgeDetector({ minLength: 33 }), [...chars(PAYLOAD.slice(1)), 'Enter'], 3).results)).toBeNull();
  });

  it('each scan starts fresh: two scans in a row give two payloads', () => {
    const d = new WedgeDetector();
    const a = type(d, [...chars(PAYLOAD), 'Enter'], 3);
    const other = 'KLIV1P0000000000000000000000000000'.slice(0, 33);
    const b = type(d, [...chars(other), 'Enter'], 3, a.end + 3);
    expect(last(a.results)).toBe(PAYLOAD);
    expect(last(b.results)).toBe(other);
    expect(d.feed('Enter', b.end + 3)).toBeNull(); // a second Enter has nothing to report
  });

  it('an over-long burst is capped at maxLength', () => {
    const { results } = type(new WedgeDetector({ maxLength: 40 }), [...chars('A'.repeat(200)), 'Enter'], 1);
    const text = last(results);
    expect(text === null || (text !== undefined && text.length <= 40)).toBe(true);
  });

  it('reset() forgets a half-read scan', () => {
    const d = new WedgeDetector();
    const { end } = type(d, chars(PAYLOAD.slice(0, 10)), 3);
    d.reset();
    expect(last(type(d, [...chars(PAYLOAD.slice(10)), 'Enter'], 3, end + 3).results)).toBe(PAYLOAD.slice(10));
  });

  it('property: any fast burst of 6–128 printable characters ending in Enter comes back exactly', () => {
    fc.assert(fc.property(
      fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789åäö-+ '), { minLength: 6, maxLength: 128 }),
      fc.array(fc.integer({ min: 0, max: DEFAULT_WEDGE_OPTIONS.maxGapMs }), { minLength: 129, maxLength: 129 }),
      (keys, gaps) => {
        const d = new WedgeDetector();
        let at = 10_000;
        for (const [i, k] of keys.entries()) {
          at += gaps[i]!;
          expect(d.feed(k, at)).toBeNull();
        }
        expect(d.feed('Enter', at + gaps[128]!)).toBe(keys.join(''));
      },
    ));
  });

  it('property: a burst with any gap over the limit only reports what came after the last such gap', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...'ABC123'), fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 51, max: 2_000 }))), { minLength: 1, maxLength: 60 }),
      (keys) => {
        const d = new WedgeDetector();
        let at = 10_000;
        let expected = '';
        for (const [k, gap] of keys) {
          at += gap;
          if (gap > 50) expected = '';
          expected += k;
          d.feed(k, at);
        }
        const result = d.feed('Enter', at + 1);
        expect(result).toBe(expected.length >= 6 ? expected : null);
      },
    ));
  });
});
