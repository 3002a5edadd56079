/**
 * Swedish personal identity numbers (personnummer / samordningsnummer) must
 * never be stored. Anything that looks like one — 10 or 12 digits in the
 * YYMMDD-NNNN shape, with or without separator — is refused in every name
 * and code field.
 */
const PERSONAL_NUMBER = /(?:^|\D)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}(?:\D|$)/;

/** Folds what a phone or another keyboard types into ASCII digits and "-". */
export function foldDigitsAndDashes(text: string): string {
  return text.normalize('NFKC')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u2010-\u2015\u2212\ufe58\ufe63]/g, '-');
}

export function looksLikePersonalNumber(text: string): boolean {
  return PERSONAL_NUMBER.test(foldDigitsAndDashes(text));
}

/**
 * Control, bidi-override and zero-width characters: never allowed in text staff type.
 * Also the other invisible format characters (Arabic letter mark, word joiner
 * and invisible operators, soft hyphen, tag characters, Hangul fillers and the
 * combining grapheme joiner, which make two names look alike or a name look
 * blank), noncharacters, and lone UTF-16 surrogates, which cannot be stored as
 * UTF-8 and would come back from the database as U+FFFD (with /u, \p{Cs}
 * matches only unpaired ones).
 */
export const FORBIDDEN_TEXT = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029\u2060-\u2064\u3164\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff\p{Cs}\u{e0000}-\u{e007f}]|\u034f/u;

export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN_TEXT.test(text);
}
