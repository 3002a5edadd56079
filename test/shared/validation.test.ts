import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikePersonalNumber } from '../../shared/validation';

describe('looksLikePersonalNumber', () => {
  it.each([
    '19850101-1234', '850101-1234', '8501011234', '198501011234', '20050615-9876', '850101+1234',
    '850101 1234', '850161-1234', /* samordningsnummer: day + 60 */ '851231-0000',
  ])('refuses %s', (text) => {
    expect(looksLikePersonalNumber(text)).toBe(true);
  });

  it('refuses a personal number inside other text', () => {
    expect(looksLikePersonalNumber('Anna 850101-1234')).toBe(true);
    expect(looksLikePersonalNumber('pnr:198501011234.')).toBe(true);
    expect(looksLikePersonalNumber('P-8501011234')).toBe(true);
  });

  it('refuses full-width digits and separators (NFKC)', () => {
    expect(looksLikePersonalNumber('８５０１０１－１２３４')).toBe(true);
    expect(looksLikePersonalNumber('８５０１０１１２３４')).toBe(true);
  });

  it.each([
    'Anna', 'Micke B', 'Åsa-Lena', 'P8G2FMS1', 'D1001', 'D-1001', 'KLIV-2026-01', 'Janne 2', '',
    '070-123 45 67', '+46 70 123 45 67', '08-123 456 78', '1985-01-01', '19850101', '85-01-01',
    '851301-1234', /* month 13 */ '850132-1234', /* day 32 */ '12345678901234', '98501011234', /* 11 digits */
  ])('accepts %s', (text) => {
    expect(looksLikePersonalNumber(text)).toBe(false);
  });

  it('a bare ten-digit phone number has the YYMMDD-NNNN shape and is refused (deliberately cautious)', () => {
    expect(looksLikePersonalNumber('0701234567')).toBe(true);
  });

  it('property: any valid YYMMDD-NNNN or YYYYMMDDNNNN with or without separator is refused, also inside text', () => {
    const arb = fc.record({
      century: fc.constantFrom('', '19', '20'),
      yy: fc.integer({ min: 0, max: 99 }),
      mm: fc.integer({ min: 1, max: 12 }),
      dd: fc.integer({ min: 1, max: 28 }),
      coordination: fc.boolean(),
      sep: fc.constantFrom('', '-', '+', ' '),
      last: fc.integer({ min: 0, max: 9999 }),
      before: fc.constantFrom('', 'Anna ', 'x', '('),
      after: fc.constantFrom('', ' Anna', ')', '.'),
    });
    const p2 = (n: number): string => String(n).padStart(2, '0');
    fc.assert(fc.property(arb, (r) => {
      const text = `${r.before}${r.century}${p2(r.yy)}${p2(r.mm)}${p2(r.dd + (r.coordination ? 60 : 0))}${r.sep}${String(r.last).padStart(4, '0')}${r.after}`;
      expect(looksLikePersonalNumber(text)).toBe(true);
    }));
  });

  it('property: names without digits are never refused', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[0-9\uff10-\uff19]/.test(s.normalize('NFKC'))), (name) => {
      expect(looksLikePersonalNumber(name)).toBe(false);
    }));
  });

  // Regression (found by this suite, since fixed): the separator class is [-+ ], so an en dash (what word
  // processors and phones autocorrect "-" into) lets a personal number through.
  it('refuses a personal number written with an en dash or a minus sign', () => {
    expect(looksLikePersonalNumber('850101–1234')).toBe(true);
    expect(looksLikePersonalNumber('19850101−1234')).toBe(true);
  });

  // Regression (found by this suite, since fixed): \d and NFKC only cover ASCII digits, so a number typed
  // on an Arabic or Persian keyboard (the kiosk's next languages) passes.
  it('refuses a personal number written in Arabic-Indic or Persian digits', () => {
    expect(looksLikePersonalNumber('٨٥٠١٠١-١٢٣٤')).toBe(true);
    expect(looksLikePersonalNumber('۸۵۰۱۰۱۱۲۳۴')).toBe(true);
  });
});
