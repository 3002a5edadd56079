/**
 * Encryption at rest (electron/db/connection.ts, electron/api/app.ts
 * databaseKey): the database file and its WAL hold no readable name or code,
 * a wrong key fails cleanly, an old plaintext database is encrypted in place
 * with its data intact, and an encrypted database whose key is missing is
 * refused without being touched.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath, openApp } from '../../../electron/api/app';
import { DatabaseKeyError, encryptPlaintextDatabase, isPlaintextDatabase, openDatabase } from '../../../electron/db/connection';
import { enrolParticipant } from '../../../electron/services/participants';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { initVenue } from '../../../electron/services/venue';
import { KlivError } from '../../../shared/errors';
import { openVenueDatabase, tempDir, testApp, testClock, type TestApp } from '../../helpers';

const NAME = 'Zelmira Quistgård';
const CODE = 'ENC-73519';
const VENUE = 'Hemliga Gården';
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every readable form of the secrets: UTF-8 (how SQLite stores text here) and UTF-16. */
function leaks(bytes: Buffer): string[] {
  const found: string[] = [];
  for (const needle of [NAME, CODE, VENUE, 'Zelmira']) {
    if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${needle} (utf8)`);
    if (bytes.includes(Buffer.from(needle, 'utf16le'))) found.push(`${needle} (utf16)`);
  }
  return found;
}

function dbFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('kliv.sqlite')).map((n) => join(dir, n));
}

describe('an encrypted venue database', () => {
  let t: TestApp;
  beforeEach(() => {
    t = testApp({ init: false });
    initVenue(t.app.ctx, { name: VENUE, mode: 'dropin', timeZone: 'Europe/Stockholm' });
    const { issued } = enrolParticipant(t.app.ctx, { displayName: NAME, code: CODE });
    expect(t.app.kiosk.scan(issued.payload).outcome).toBe('checked-in');
  });
  afterEach(() => t.close());

  it('holds no readable name or code, neither in the file nor in its WAL', () => {
    const file = databasePath(t.dataDir);
    const wal = `${file}-wal`;
    // Before a checkpoint the newest rows live only in the WAL: it must be encrypted too.
    expect(statSync(wal).size).toBeGreaterThan(0);
    for (const f of dbFiles(t.dataDir)) expect(leaks(readFileSync(f)), f).toEqual([]);
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(isPlaintextDatabase(file)).toBe(false);
    expect(leaks(bytes)).toEqual([]);
  });

  it('the check above would see a name in a plaintext database (it is not vacuous)', () => {
    const dir = tempDir();
    try {
      const plain = openDatabase(join(dir.path, 'plain.sqlite'));
      plain.prepare("INSERT INTO participants (code, display_name, mode, created_at) VALUES (?, ?, 'dropin', 0)").run(CODE, NAME);
      expect(leaks(readFileSync(join(dir.path, 'plain.sqlite-wal'))).length).toBeGreaterThan(0);
      plain.pragma('wal_checkpoint(TRUNCATE)');
      expect(leaks(readFileSync(join(dir.path, 'plain.sqlite')))).toContain(`${NAME} (utf8)`);
      plain.close();
    } finally {
      dir.cleanup();
    }
  });

  it('cannot be opened with a wrong key (DatabaseKeyError), and the attempt changes nothing', () => {
    t.app.close();
    const file = databasePath(t.dataDir);
    const before = sha(file);
    expect(() => openDatabase(file, { key: randomBytes(32) })).toThrow(DatabaseKeyError);
    expect(() => openDatabase(file, { key: randomBytes(32), readonly: true })).toThrow(DatabaseKeyError);
    expect(() => openDatabase(file)).toThrow(DatabaseKeyError); // no key at all
    expect(() => openDatabase(file, { key: randomBytes(16) })).toThrow(DatabaseKeyError); // not a 32-byte key
    expect(sha(file)).toBe(before);
    // …while the right key opens it.
    const db = openVenueDatabase(t.dataDir);
    try {
      expect(db.prepare('SELECT display_name FROM participants WHERE code = ?').pluck().get(CODE)).toBe(NAME);
    } finally {
      db.close();
    }
    t.app = openApp({ dataDir: t.dataDir, clock: testClock() });
  });

  it('with its key missing is refused with KEY_UNAVAILABLE, never replaced by a fresh database, and left untouched', () => {
    t.app.close();
    const file = databasePath(t.dataDir);
    const keyFile = join(t.dataDir, 'keys', 'database.key');
    const savedKey = readFileSync(keyFile);
    rmSync(keyFile);
    const before = sha(file);
    const filesBefore = readdirSync(t.dataDir).sort();
    let err: unknown;
    try {
      openApp({ dataDir: t.dataDir, clock: testClock() }).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KlivError);
    expect((err as KlivError).code).toBe('KEY_UNAVAILABLE');
    expect((err as KlivError).message).toMatch(/key is missing.*nothing was changed/);
    expect(sha(file)).toBe(before);
    expect(existsSync(keyFile)).toBe(false); // no new key was made for it
    expect(readdirSync(t.dataDir).sort()).toEqual(filesBefore);
    // Put the key back: everything is there.
    writeFileSync(keyFile, savedKey, { mode: 0o600 });
    t.app = openApp({ dataDir: t.dataDir, clock: testClock() });
    expect(t.app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(1);
  });
});

describe('an old plaintext database', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  /** A data folder as Kliv made it before encryption: plaintext database, keys for pepper/audit only. */
  function plaintextVenue(): { payload: string } {
    const file = databasePath(dir.path);
    const db = openDatabase(file); // no key: plaintext
    const ctx = { db, clock: testClock('2026-03-02T08:00:00Z'), secrets: createFileSecretStore(join(dir.path, 'keys')) };
    try {
      initVenue(ctx, { name: VENUE, mode: 'dropin', timeZone: 'Europe/Stockholm' });
      const { issued } = enrolParticipant(ctx, { displayName: NAME, code: CODE });
      return { payload: issued.payload };
    } finally {
      db.close();
    }
  }

  it('is encrypted in place the first time Kliv opens it, with all its data, and no plaintext copy left behind', () => {
    const { payload } = plaintextVenue();
    const file = databasePath(dir.path);
    expect(isPlaintextDatabase(file)).toBe(true);
    expect(leaks(readFileSync(file)).length).toBeGreaterThan(0);
    const app = openApp({ dataDir: dir.path, clock: testClock('2026-03-02T09:00:00Z') });
    try {
      expect(existsSync(join(dir.path, 'keys', 'database.key'))).toBe(true);
      expect(isPlaintextDatabase(file)).toBe(false);
      expect(app.db.prepare('SELECT display_name FROM participants WHERE code = ?').pluck().get(CODE)).toBe(NAME);
      expect(app.db.prepare("SELECT count(*) FROM events WHERE type = 'participant.enrolled'").pluck().get()).toBe(1);
      expect(app.kiosk.scan(payload).outcome).toBe('checked-in'); // the card still works
      app.db.pragma('wal_checkpoint(TRUNCATE)');
      for (const f of readdirSync(dir.path).filter((n) => !statSync(join(dir.path, n)).isDirectory())) {
        expect(leaks(readFileSync(join(dir.path, f))), f).toEqual([]);
      }
    } finally {
      app.close();
    }
    expect(() => openDatabase(file)).toThrow(DatabaseKeyError);
  });

  it('encryptPlaintextDatabase keeps every row and the schema version', () => {
    plaintextVenue();
    const file = databasePath(dir.path);
    const plain = openDatabase(file, { readonly: true });
    const rows = plain.prepare('SELECT code, display_name FROM participants').all();
    const version = plain.pragma('user_version', { simple: true });
    plain.close();
    const key = randomBytes(32);
    encryptPlaintextDatabase(file, key);
    expect(isPlaintextDatabase(file)).toBe(false);
    const db = openDatabase(file, { key, readonly: true });
    try {
      expect(db.prepare('SELECT code, display_name FROM participants').all()).toEqual(rows);
      expect(db.pragma('user_version', { simple: true })).toBe(version);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
