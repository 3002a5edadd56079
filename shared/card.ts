/**
 * Card payload format, version 1 (documented in docs/card-payload.md).
 *
 *   KLIV1 P <26 token chars> <check char>     participant card
 *   KLIV1 S <26 token chars> <check char>     staff badge
 *
 * Only A–Z and 0–9, because USB scanners type through whatever keyboard
 * layout the PC has and a Swedish layout mangles punctuation. The token uses
 * Crockford's base32 alphabet (no I, L, O, U) for 130 random bits. The check
 * character is Luhn mod 36 over everything before it, which catches every
 * single wrong character and most swapped neighbours.
 */
export const CARD_PREFIX = 'KLIV';
export const CARD_FORMAT_VERSION = '1';
export const CARD_KINDS = { participant: 'P', staff: 'S' } as const;
export type CardKind = keyof typeof CARD_KINDS;

export const TOKEN_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const TOKEN_LENGTH = 26;
export const CHECK_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Anything longer than this is refused before it is looked at further. */
export const MAX_PAYLOAD_INPUT = 64;
export const PAYLOAD_LENGTH = CARD_PREFIX.length + 1 + 1 + TOKEN_LENGTH + 1;

export type CardParseError = 'empty' | 'too-long' | 'bad-characters' | 'not-kliv' | 'unsupported-version' | 'bad-kind' | 'bad-length' | 'bad-token' | 'bad-check';

export type CardParseResult =
  | { ok: true; kind: CardKind; payload: string }
  | { ok: false; reason: CardParseError };

export function luhnMod36Check(body: string): string {
  const n = CHECK_ALPHABET.length;
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const codePoint = CHECK_ALPHABET.indexOf(body.charAt(i));
    if (codePoint < 0) throw new Error('character outside the check alphabet');
    let addend = factor * codePoint;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return CHECK_ALPHABET.charAt((n - (sum % n)) % n);
}

function kindLetter(kind: CardKind): string {
  return CARD_KINDS[kind];
}

/** Builds a payload from 130 bits of randomness (17 bytes are drawn). */
export function generateCardPayload(kind: CardKind, randomBytes: (n: number) => Uint8Array = defaultRandomBytes): string {
  const bytes = randomBytes(17);
  if (bytes.length < 17) throw new Error('not enough random bytes');
  let bits = 0;
  let value = 0;
  let token = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && token.length < TOKEN_LENGTH) {
      token += TOKEN_ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  const body = CARD_PREFIX + CARD_FORMAT_VERSION + kindLetter(kind) + token;
  return body + luhnMod36Check(body);
}

function defaultRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}

/**
 * Strict parser. Surrounding whitespace (a scanner's CR/LF or tab) is
 * ignored and lower case is accepted; anything else that is not exactly a
 * valid payload is refused with a reason.
 */
export function parseCardPayload(input: string): CardParseResult {
  if (input.length > MAX_PAYLOAD_INPUT * 2) return { ok: false, reason: 'too-long' };
  const trimmed = input.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'empty' };
  if (trimmed.length > MAX_PAYLOAD_INPUT) return { ok: false, reason: 'too-long' };
  // Test the characters before upper-casing: toUpperCase() maps some non-ASCII
  // letters onto ASCII ones (dotless ı → I, long ſ → S), which must not pass.
  if (!/^[A-Za-z0-9]+$/.test(trimmed)) return { ok: false, reason: 'bad-characters' };
  const upper = trimmed.toUpperCase();
  if (!upper.startsWith(CARD_PREFIX)) return { ok: false, reason: 'not-kliv' };
  const version = upper.charAt(CARD_PREFIX.length);
  if (version !== CARD_FORMAT_VERSION) return { ok: false, reason: 'unsupported-version' };
  const letter = upper.charAt(CARD_PREFIX.length + 1);
  const kind = (Object.keys(CARD_KINDS) as CardKind[]).find((k) => CARD_KINDS[k] === letter);
  if (!kind) return { ok: false, reason: 'bad-kind' };
  if (upper.length !== PAYLOAD_LENGTH) return { ok: false, reason: 'bad-length' };
  const token = upper.slice(CARD_PREFIX.length + 2, CARD_PREFIX.length + 2 + TOKEN_LENGTH);
  for (const ch of token) if (!TOKEN_ALPHABET.includes(ch)) return { ok: false, reason: 'bad-token' };
  const body = upper.slice(0, -1);
  if (luhnMod36Check(body) !== upper.slice(-1)) return { ok: false, reason: 'bad-check' };
  return { ok: true, kind, payload: upper };
}
