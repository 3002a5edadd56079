/**
 * The keys of the nightly export, kept apart from the export itself so the
 * settings registry can validate a recipient without loading the exporter:
 *
 * - the venue's Ed25519 signing key. Its 32-byte seed is the 'signing'
 *   secret (owner-only key file, like the other secrets); the public key's
 *   text form is `kliv-ed25519:<base64url of the 32 raw bytes>`;
 * - the municipality's age recipient(s) (`age1…`, X25519) and identities
 *   (`AGE-SECRET-KEY-1…`), checked here down to the bech32 checksum, because
 *   a mistyped recipient would make every bundle undecryptable.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const PUBLIC_KEY_PREFIX = 'kliv-ed25519:';

// DER headers of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410);
// the 32 raw key bytes follow them.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function signingKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32 raw bytes of the public half of a private or public Ed25519 key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export function publicKeyText(raw: Buffer): string {
  return `${PUBLIC_KEY_PREFIX}${raw.toString('base64url')}`;
}

/** Short, stable name of a public key for messages and the manifest: the first 16 hex digits of its SHA-256. */
export function publicKeyFingerprint(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function publicKeyPem(raw: Buffer): string {
  return publicKeyFromRaw(raw).export({ format: 'pem', type: 'spki' }).toString();
}

export interface ParsedPublicKey {
  key: KeyObject;
  raw: Buffer;
  /** The venue named after the key on its line (`kliv keys show` writes it), if any. */
  venueId: string | null;
}

/**
 * Reads a venue public key as `kliv keys show` prints it
 * (`kliv-ed25519:… VENUEID`, comment lines starting with # allowed) or as an
 * SPKI PEM block (`kliv keys show --pem`, or what openssl writes).
 */
export function parsePublicKey(text: string): ParsedPublicKey {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN PUBLIC KEY-----')) {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } catch {
      throw new Error('the PEM block is not a public key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the PEM key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519`);
    return { key, raw: rawPublicKey(key), venueId: null };
  }
  const line = trimmed.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (!line) throw new Error('no key in it');
  const [token = '', venueId] = line.split(/\s+/);
  if (!token.startsWith(PUBLIC_KEY_PREFIX)) throw new Error(`expected "${PUBLIC_KEY_PREFIX}…" as printed by \`kliv keys show\``);
  const body = token.slice(PUBLIC_KEY_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) throw new Error('the key is not 32 bytes of base64url');
  const raw = Buffer.from(body, 'base64url');
  return { key: publicKeyFromRaw(raw), raw, venueId: venueId ?? null };
}

export function signDetached(privateKey: KeyObject, bytes: Buffer): Buffer {
  return sign(null, bytes, privateKey);
}

export function verifyDetached(publicKey: KeyObject, bytes: Buffer, signature: Buffer): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, bytes, publicKey, signature);
  } catch {
    return false;
  }
}

// ---- age recipients and identities (bech32, BIP 173) ----------------------

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function bech32Polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GEN[i] ?? 0;
  }
  return chk;
}

/** True when `text` is bech32 with this human-readable part and 32 bytes of data. */
function isBech32Key(text: string, hrp: string): boolean {
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) return false;
  if (!lower.startsWith(`${hrp}1`)) return false;
  const data: number[] = [];
  for (const ch of lower.slice(hrp.length + 1)) {
    const v = BECH32_CHARSET.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  // 32 bytes are 52 five-bit words (the last one padded with 4 zero bits) plus a 6-word checksum.
  if (data.length !== 58 || ((data[51] ?? 1) & 0x0f) !== 0) return false;
  const expanded = [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));
  return bech32Polymod(expanded.concat(data)) === 1;
}

/** An X25519 age recipient, `age1…` (what `age-keygen` prints as "public key"). */
export function isAgeX25519Recipient(text: string): boolean {
  return text === text.toLowerCase() && isBech32Key(text, 'age');
}

/** The recipients of an `export.recipient` setting: one or more, separated by commas or spaces. */
export function parseRecipientList(text: string): string[] {
  return text.split(/[\s,]+/).filter((r) => r !== '');
}

export function isAgeRecipientList(text: string): boolean {
  const list = parseRecipientList(text);
  return list.length > 0 && list.length <= 10 && list.every(isAgeX25519Recipient);
}

/** The identities of an age identity file (`age-keygen -o`): its AGE-SECRET-KEY-1… lines; comments are skipped. */
export function parseIdentityFile(text: string): string[] {
  const identities = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  for (const id of identities) {
    if (!isBech32Key(id, 'age-secret-key-')) throw new Error('it holds a line that is not an age X25519 identity (AGE-SECRET-KEY-1…)');
  }
  if (identities.length === 0) throw new Error('it holds no AGE-SECRET-KEY-1… line');
  return identities;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Where bundles may be POSTed: https, or plain http to this machine only (a
 * local relay, and the tests). No user:password in the URL: the token goes
 * in export.token so it is never printed.
 */
export function isExportUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
