/**
 * PINs are hashed with scrypt over an HMAC of the PIN with a secret pepper
 * kept outside the database, so a stolen database alone cannot be
 * brute-forced even though a 6-digit PIN has little entropy. Parameters are
 * stored with each hash so they can be raised later.
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export interface ScryptParams { logN: number; r: number; p: number }
export const DEFAULT_SCRYPT: ScryptParams = { logN: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(pin: string, pepper: Buffer, salt: Buffer, params: ScryptParams): Buffer {
  const peppered = createHmac('sha256', pepper).update(pin, 'utf8').digest();
  const N = 2 ** params.logN;
  return scryptSync(peppered, salt, KEY_LENGTH, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 });
}

export function hashPin(pin: string, pepper: Buffer, params: ScryptParams = DEFAULT_SCRYPT): string {
  const salt = randomBytes(16);
  const hash = derive(pin, pepper, salt, params);
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function verifyPin(pin: string, pepper: Buffer, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const params = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (!Number.isInteger(params.logN) || params.logN < 10 || params.logN > 20) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = derive(pin, pepper, Buffer.from(salt, 'base64'), params);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** PINs anyone would guess first. */
export function isTrivialPin(pin: string): boolean {
  if (/^(\d)\1+$/.test(pin)) return true;
  const digits = [...pin].map(Number);
  const step = (digits[1] ?? 0) - (digits[0] ?? 0);
  return (step === 1 || step === -1) && digits.every((d, i) => i === 0 || d - (digits[i - 1] ?? 0) === step);
}
