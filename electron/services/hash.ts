import { createHash, randomBytes } from 'node:crypto';

/** Cards are looked up by the SHA-256 of their canonical payload; the payload itself is never stored. */
export function cardTokenHash(canonicalPayload: string): Buffer {
  return createHash('sha256').update(canonicalPayload, 'utf8').digest();
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export function nodeRandomBytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}
