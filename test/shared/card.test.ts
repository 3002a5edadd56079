import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_FORMAT_VERSION, CARD_PREFIX, CHECK_ALPHABET, generateCardPayload, luhnMod36Check, MAX_PAYLOAD_INPUT,
  parseCardPayload, PAYLOAD_LENGTH, TOKEN_ALPHABET, TOKEN_LENGTH, type CardKind,
} from '../../shared/card';

/**
 * An oracle written independently of shared/card.ts: the Luhn mod N
 * *validation* form (rightmost character weighted 1, sum ≡ 0 mod 36) and the
 * format spelled out as a regular expression, from docs/card-payload.md.
 */
function oracle(input: string): { kind: CardKind; payload: string } | null {
  if (input.length > 128) return null;
  const trimmed = input.trim();
  if (!/^[A-Za-z0-9]{33}$/.test(trimmed)) return null;
  const upper = trimmed.toUpperCase();
  const m = /^KLIV1([PS])[0-9A-HJKMNP-TV-Z]{26}[0-9A-Z]$/.exec(upper);
  if (!m) return null;
  let sum = 0;
  for (let i = 0; i < upper.length; i++) {
    const weight = i % 2 === 0 ? 1 : 2; // i counts from the right
    const product = weight * '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(upper.charAt(upper.length - 1 - i));
    sum += Math.floor(product / 36) + (product % 36);
  }
  if (sum % 36 !== 0) return null;
  return { kind: m[1] === 'P' ? 'participant' : 'staff', payload: upper };
}

const kindArb = fc.constantFrom<CardKind>('participant', 'staff');
const bytesArb = fc.uint8Array({ minLength: 17, maxLength: 17 });
const payloadArb = fc.tuple(kindArb, bytesArb).map(([kind, bytes]) => ({ kind, payload: generateCardPayload(kind, () => bytes) }));
const whitespaceArb = fc.array(fc.constantFrom(' ', '\t', '\r', '\n', '\u00a0'), { maxLength: 6 }).map((a) => a.join(''));

/** Re-checksums a body so that a test isolates one field's rule from the check character. */
const withCheck = (body: string): string => body + luhnMod36Check(body);

describe('card payload format', () => {
  it('has the documented shape: KLIV, version 1, kind letter, 26 token chars, check char', () => {
    expect(CARD_PREFIX).toBe('KLIV');
    expect(CARD_FORMAT_VERSION).toBe('1');
    expect(TOKEN_LENGTH).toBe(26);
    expect(PAYLOAD_LENGTH).toBe(33);
    expect(TOKEN_ALPHABET).toHaveLength(32);
    expect(new Set(TOKEN_ALPHABET).size).toBe(32);
    expect(TOKEN_ALPHABET).toMatch(/^[A-Z0-9]+$/);
    // Crockford base32 leaves out the letters people (and OCR) confuse.
    for (const ch of 'ILOU') expect(TOKEN_ALPHABET).not.toContain(ch);
  });

  it('the token carries at least 128 random bits, uppercase letters and digits only', () => {
    expect(TOKEN_LENGTH * Math.log2(TOKEN_ALPHABET.length)).toBeGreaterThanOrEqual(128);
    for (let i = 0; i < 200; i++) {
      const payload = generateCardPayload(i % 2 ? 'participant' : 'staff');
      expect(payload).toMatch(/^[A-Z0-9]{33}$/);
      const token = payload.slice(6, 32);
      expect(token).toHaveLength(26);
      for (const ch of token) expect(TOKEN_ALPHABET).toContain(ch);
    }
  });

  it('draws at least 16 random bytes and uses the first 130 bits of them, bit for bit', () => {
    fc.assert(fc.property(kindArb, bytesArb, (kind, bytes) => {
      let asked = 0;
      const payload = generateCardPayload(kind, (n) => {
        asked = n;
        return bytes;
      });
      expect(asked).toBeGreaterThanOrEqual(16);
      const tokenBits = [...payload.slice(6, 32)].map((ch) => TOKEN_ALPHABET.indexOf(ch).toString(2).padStart(5, '0')).join('');
      const randomBits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('').slice(0, 130);
      expect(tokenBits).toBe(randomBits);
    }));
  });

  it('extreme random bytes still give valid payloads', () => {
    expect(generateCardPayload('participant', () => new Uint8Array(17))).toBe(withCheck(`KLIV1P${'0'.repeat(26)}`));
    expect(generateCardPayload('staff', () => new Uint8Array(17).fill(255))).toBe(withCheck(`KLIV1S${'Z'.repeat(26)}`));
    expect(() => generateCardPayload('participant', () => new Uint8Array(16))).toThrow();
  });

  it('two generated payloads differ', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(generateCardPayload('participant'));
    expect(seen.size).toBe(1000);
  });

  it('every generated payload parses back to itself and its kind, and the oracle agrees', () => {
    fc.assert(fc.property(payloadArb, ({ kind, payload }) => {
      expect(payload.startsWith(kind === 'participant' ? 'KLIV1P' : 'KLIV1S')).toBe(true);
      expect(parseCardPayload(payload)).toEqual({ ok: true, kind, payload });
      expect(oracle(payload)).toEqual({ kind, payload });
    }), { numRuns: 500 });
  });

  it('accepts lower and mixed case and surrounding whitespace, giving the canonical uppercase payload', () => {
    fc.assert(fc.property(payloadArb, whitespaceArb, whitespaceArb, fc.array(fc.boolean(), { minLength: 33, maxLength: 33 }), ({ kind, payload }, before, after, lower) => {
      const mixed = [...payload].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join('');
      expect(parseCardPayload(before + mixed + after)).toEqual({ ok: true, kind, payload });
    }));
    const p = generateCardPayload('participant');
    expect(parseCardPayload(`${p.toLowerCase()}\r\n`)).toEqual({ ok: true, kind: 'participant', payload: p });
  });

  it('rejects every single-character substitution', () => {
    const replacement = fc.constantFrom(...CHECK_ALPHABET, ...'!-_.+/ äÅ€\u0000');
    fc.assert(fc.property(payloadArb, fc.nat({ max: 32 }), replacement, ({ payload }, index, ch) => {
      fc.pre(ch.toUpperCase() !== payload.charAt(index));
      const mutated = payload.slice(0, index) + ch + payload.slice(index + 1);
      const result = parseCardPayload(mutated);
      expect(result.ok).toBe(false);
    }), { numRuns: 2000 });
  });

  it('exhaustively: no substitution anywhere in one payload is accepted, and body changes fail the check', () => {
    const payload = generateCardPayload('participant');
    for (let i = 0; i < payload.length; i++) {
      for (const ch of CHECK_ALPHABET) {
        if (ch === payload.charAt(i)) continue;
        const mutated = payload.slice(0, i) + ch + payload.slice(i + 1);
        const result = parseCardPayload(mutated);
        expect(result.ok, `${i}:${ch}`).toBe(false);
        // Changes inside the token that stay in its alphabet can only be caught by the check character.
        if (i >= 6 && i < 32 && TOKEN_ALPHABET.includes(ch)) expect(result).toEqual({ ok: false, reason: 'bad-check' });
      }
    }
  });

  it('rejects nearly all adjacent transpositions (Luhn mod 36 misses only a few pairs)', () => {
    let tried = 0;
    let accepted = 0;
    fc.assert(fc.property(payloadArb, fc.nat({ max: 31 }), ({ payload }, i) => {
      const a = payload.charAt(i);
      const b = payload.charAt(i + 1);
      fc.pre(a !== b);
      tried++;
      const swapped = payload.slice(0, i) + b + a + payload.slice(i + 2);
      if (parseCardPayload(swapped).ok) accepted++;
    }), { numRuns: 5000 });
    expect(tried).toBeGreaterThan(4000);
    expect(accepted / tried).toBeLessThan(0.01);
  });

  it('arbitrary strings never throw and are accepted exactly when the independent oracle accepts them', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...'KLIV1PSklivps0123456789ABCXYZ \t\u0131\u017f'), maxLength: 40 }),
      // near misses: valid payloads with random edits
      fc.tuple(payloadArb, fc.nat({ max: 40 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.nat({ max: 3 }))
        .map(([{ payload }, at, insert, del]) => payload.slice(0, at) + insert + payload.slice(at + del)),
    );
    fc.assert(fc.property(anyString, (s) => {
      let result: ReturnType<typeof parseCardPayload> | undefined;
      expect(() => { result = parseCardPayload(s); }).not.toThrow();
      const expected = oracle(s);
      if (expected) expect(result).toEqual({ ok: true, ...expected });
      else expect(result?.ok).toBe(false);
    }), { numRuns: 3000 });
  });

  it('only ASCII letters count: Unicode letters that upper-case to ASCII (ı → I, ſ → S) are refused', () => {
    const payload = generateCardPayload('staff');
    expect(parseCardPayload(payload.replace('I', '\u0131'))).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCardPayload(payload.replace(/^KLIV1S/, 'KLIV1\u017f'))).toEqual({ ok: false, reason: 'bad-characters' });
    // fullwidth letters look the same to a person but are not the format
    expect(parseCardPayload(payload.replace('K', '\uff2b')).ok).toBe(false);
  });

  it('rejects empty, whitespace-only and over-long input', () => {
    const payload = generateCardPayload('participant');
    expect(parseCardPayload('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseCardPayload(' \r\n\t ')).toEqual({ ok: false, reason: 'empty' });
    expect(parseCardPayload(payload + 'A')).toEqual({ ok: false, reason: 'bad-length' });
    expect(parseCardPayload(payload.slice(0, -1))).toEqual({ ok: false, reason: 'bad-length' });
    expect(parseCardPayload(payload + '0'.repeat(MAX_PAYLOAD_INPUT))).toEqual({ ok: false, reason: 'too-long' });
    expect(parseCardPayload(payload.repeat(2))).toEqual({ ok: false, reason: 'too-long' });
    expect(parseCardPayload(' '.repeat(200) + payload)).toEqual({ ok: false, reason: 'too-long' });
    expect(parseCardPayload('A'.repeat(1_000_000))).toEqual({ ok: false, reason: 'too-long' });
    fc.assert(fc.property(fc.string({ minLength: 129, maxLength: 400 }), (s) => {
      expect(parseCardPayload(s)).toEqual({ ok: false, reason: 'too-long' });
    }));
  });

  it('rejects another prefix, format version or kind even with a correct check character', () => {
    const token = generateCardPayload('participant').slice(6, 32);
    expect(parseCardPayload(withCheck(`KLIV1P${token}`)).ok).toBe(true);
    expect(parseCardPayload(withCheck(`KLAV1P${token}`))).toEqual({ ok: false, reason: 'not-kliv' });
    expect(parseCardPayload(withCheck(`XKLIV1P${token}`.slice(0, 32)))).toEqual({ ok: false, reason: 'not-kliv' });
    for (const version of ['0', '2', '9', 'A']) {
      expect(parseCardPayload(withCheck(`KLIV${version}P${token}`))).toEqual({ ok: false, reason: 'unsupported-version' });
    }
    for (const kind of ['A', 'X', 'Q', '1']) {
      expect(parseCardPayload(withCheck(`KLIV1${kind}${token}`))).toEqual({ ok: false, reason: 'bad-kind' });
    }
    for (const letter of 'ILOU') {
      expect(parseCardPayload(withCheck(`KLIV1P${letter}${token.slice(1)}`))).toEqual({ ok: false, reason: 'bad-token' });
    }
  });

  it('rejects punctuation and inner whitespace (what a mangled keyboard layout produces)', () => {
    const payload = generateCardPayload('participant');
    expect(parseCardPayload(`${payload.slice(0, 10)} ${payload.slice(10)}`)).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCardPayload(`KLIV-1P${payload.slice(6)}`)).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCardPayload('https://example.com/KLIV1P')).toEqual({ ok: false, reason: 'bad-characters' });
  });

  it('the check character is stable (a regression pin of the documented algorithm)', () => {
    // Hand-computed with the Luhn mod N algorithm over "KLIV1P" + 26 zeros.
    const body = `KLIV1P${'0'.repeat(26)}`;
    const check = luhnMod36Check(body);
    expect(oracle(body + check)).not.toBeNull();
    for (const other of CHECK_ALPHABET) if (other !== check) expect(oracle(body + other)).toBeNull();
    expect(() => luhnMod36Check('kliv')).toThrow();
  });
});
