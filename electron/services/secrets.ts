/**
 * Keys that must live outside the database: the PIN pepper and the audit
 * HMAC key (and, later, the database key). Browser mode and the CLI keep them
 * as owner-only files in <data>/keys; the desktop app wraps them with the OS
 * key store (electron/main/secrets.ts) behind the same interface.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KlivError } from '../../shared/errors';

export type SecretName = 'pepper' | 'audit' | 'signing' | 'database';

export interface SecretStore {
  /** The secret, or undefined when it has never been made. */
  get(name: SecretName): Buffer | undefined;
  /** The secret, made now (32 random bytes) if it does not exist yet. */
  getOrCreate(name: SecretName): Buffer;
  /** Where the secrets are kept, for `kliv doctor` and error messages. */
  describe(): string;
}

export function createFileSecretStore(dir: string): SecretStore {
  const fileOf = (name: SecretName): string => join(dir, `${name}.key`);
  const cache = new Map<SecretName, Buffer>();
  // Tighten permissions that someone loosened, rather than refuse to start.
  const tighten = (path: string, mode: number): void => {
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, mode);
  };
  function read(name: SecretName): Buffer | undefined {
    const cached = cache.get(name);
    if (cached) return cached;
    const file = fileOf(name);
    if (!existsSync(file)) return undefined;
    tighten(dir, 0o700);
    tighten(file, 0o600);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new KlivError('KEY_UNAVAILABLE', `The key file ${file} cannot be read.`);
    }
    const value = Buffer.from(text.trim(), 'base64');
    if (value.length !== 32) throw new KlivError('KEY_UNAVAILABLE', `The key file ${file} is damaged.`);
    cache.set(name, value);
    return value;
  }
  return {
    get: read,
    getOrCreate(name) {
      const existing = read(name);
      if (existing) return existing;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      tighten(dir, 0o700);
      const value = randomBytes(32);
      writeFileSync(fileOf(name), `${value.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      cache.set(name, value);
      return value;
    },
    describe: () => `key files in ${dir}`,
  };
}
