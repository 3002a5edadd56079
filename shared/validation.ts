/**
 * Swedish personal identity numbers (personnummer / samordningsnummer) must
 * never be stored. Anything that looks like one — 10 or 12 digits in the
 * YYMMDD-NNNN shape, with or without separator — is refused in every name
 * and code field.
 */
const PERSONAL_NUMBER = /(?:^|\D)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}(?:\D|$)/;

export function looksLikePersonalNumber(text: string): boolean {
  return PERSONAL_NUMBER.test(text.normalize('NFKC'));
}
