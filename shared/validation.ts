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

/** Control, bidi-override and zero-width characters: never allowed in text staff type. */
export const FORBIDDEN_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029\ufeff]/u;

export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN_TEXT.test(text);
}
