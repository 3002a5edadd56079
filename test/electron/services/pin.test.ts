import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPin, isTrivialPin, verifyPin, type ScryptParams } from '../../../electron/services/pin';
import { validatePin } from '../../../electron/services/staff';
import { KlivError } from '../../../shared/errors';
import { pin as pinSchema } from '../../../shared/api';

// scrypt at the production cost takes ~0.1–0.2 s; the cheapest cost the
// verifier accepts keeps the property tests fast. One test uses the default.
const FAST: ScryptParams = { logN: 10, r: 8, p: 1 };
const pepper = randomBytes(32);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${String(err)}`;
  }
  return undefined;
}

describe('hashPin / verifyPin', () => {
  it('round trip at the default cost: the right PIN verifies, a wrong one does not', () => {
    const stored = hashPin('482913', pepper);
    expect(stored.split('$').slice(0, 4)).toEqual(['scrypt', String(DEFAULT_SCRYPT.logN), String(DEFAULT_SCRYPT.r), String(DEFAULT_SCRYPT.p)]);
    expect(DEFAULT_SCRYPT.logN).toBeGreaterThanOrEqual(15);
    expect(verifyPin('482913', pepper, stored)).toBe(true);
    expect(verifyPin('482914', pepper, stored)).toBe(false);
  });

  it('stores its parameters, a 16-byte salt and a 32-byte hash in the string; the PIN itself is not in it', () => {
    const stored = hashPin('482913', pepper, { logN: 11, r: 4, p: 2 });
    const parts = stored.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '11', '4', '2']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(stored).not.toContain('482913');
    // the verifier reads the parameters from the string rather than assuming the defaults
    expect(verifyPin('482913', pepper, stored)).toBe(true);
    const withOtherParams = ['scrypt', '12', '4', '2', parts[4], parts[5]].join('$');
    expect(verifyPin('482913', pepper, withOtherParams)).toBe(false);
  });

  it('salts: the same PIN hashes differently each time, and both verify', () => {
    const a = hashPin('482913', pepper, FAST);
    const b = hashPin('482913', pepper, FAST);
    expect(a).not.toBe(b);
    expect(verifyPin('482913', pepper, a)).toBe(true);
    expect(verifyPin('482913', pepper, b)).toBe(true);
  });

  it('the pepper matters: the same PIN with another pepper does not verify', () => {
    const stored = hashPin('482913', pepper, FAST);
    expect(verifyPin('482913', randomBytes(32), stored)).toBe(false);
    const flipped = Buffer.from(pepper);
    flipped[0] = flipped[0]! ^ 1;
    expect(verifyPin('482913', flipped, stored)).toBe(false);
    expect(verifyPin('482913', Buffer.from(pepper), stored)).toBe(true);
  });

  it('property: any PIN verifies against its own hash and not against a different PIN', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^\d{6,12}$/), fc.stringMatching(/^\d{6,12}$/),
      (pin, other) => {
        const stored = hashPin(pin, pepper, FAST);
        expect(verifyPin(pin, pepper, stored)).toBe(true);
        if (other !== pin) expect(verifyPin(other, pepper, stored)).toBe(false);
      },
    ), { numRuns: 25 });
  });

  it('refuses malformed or out-of-range stored strings instead of throwing or accepting', () => {
    const stored = hashPin('482913', pepper, FAST);
    const parts = stored.split('$');
    for (const bad of [
      '', 'plain', `argon2$${parts.slice(1).join('$')}`, parts.slice(0, 5).join('$'), `${stored}$extra`,
      ['scrypt', '9', '8', '1', parts[4], parts[5]].join('$'), // too cheap to be ours
      ['scrypt', '21', '8', '1', parts[4], parts[5]].join('$'), // a denial-of-service cost
      ['scrypt', 'x', '8', '1', parts[4], parts[5]].join('$'),
      ['scrypt', '10', '8', '1', parts[4], ''].join('$'),
    ]) {
      expect(verifyPin('482913', pepper, bad), bad).toBe(false);
    }
  });
});

describe('PIN rules', () => {
  it.each(['000000', '111111', '999999999', '123456', '987654', '234567', '0123456789', '876543'])('%s is too simple', (pin) => {
    expect(isTrivialPin(pin)).toBe(true);
    expect(codeOf(() => validatePin(pin))).toBe('PIN_TOO_SIMPLE');
  });

  it.each(['482913', '112233', '123457', '135791', '246802', '909090'])('%s is accepted', (pin) => {
    expect(isTrivialPin(pin)).toBe(false);
    expect(codeOf(() => validatePin(pin))).toBeUndefined();
  });

  it.each(['', '1', '12345', '48291', '4829134829134', '48291a', ' 482913', '482 913', '４８２９１３'])('%j is refused as BAD_INPUT (6–12 digits)', (pin) => {
    expect(codeOf(() => validatePin(pin))).toBe('BAD_INPUT');
    expect(pinSchema.safeParse(pin).success).toBe(false);
  });

  it('property: every run of one repeated digit or a straight ascending/descending run is trivial', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 6, max: 10 }), fc.constantFrom(-1, 0, 1), (start, len, step) => {
      const digits: number[] = [start];
      for (let i = 1; i < len; i++) digits.push(digits[i - 1]! + step);
      fc.pre(digits.every((d) => d >= 0 && d <= 9));
      expect(isTrivialPin(digits.join(''))).toBe(true);
    }));
  });
});
