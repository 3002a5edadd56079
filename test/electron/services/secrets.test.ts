import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type KlivApp } from '../../../electron/api/app';
import { createDispatcher } from '../../../electron/api/dispatch';
import { audit, auditKey, verifyAuditChain } from '../../../electron/services/audit';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { addStaff, CLI_ACTOR, login } from '../../../electron/services/staff';
import { KlivError } from '../../../shared/errors';
import { tempDir, testApp, testClock, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };
const posix = process.platform !== 'win32';
const modeOf = (path: string): number => statSync(path).mode & 0o777;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

describe('file secret store', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('makes 32 random bytes once, in an owner-only file inside an owner-only folder, and returns the same key after a restart', () => {
    const keys = join(dir.path, 'keys');
    const store = createFileSecretStore(keys);
    expect(store.get('pepper')).toBeUndefined();
    expect(existsSync(keys)).toBe(false); // asking does not create anything
    const pepper = store.getOrCreate('pepper');
    expect(pepper).toHaveLength(32);
    expect(store.getOrCreate('pepper').equals(pepper)).toBe(true);
    const auditKeyValue = store.getOrCreate('audit');
    expect(auditKeyValue.equals(pepper)).toBe(false);
    expect(readdirSync(keys).sort()).toEqual(['audit.key', 'pepper.key']);
    if (posix) {
      expect(modeOf(keys)).toBe(0o700);
      expect(modeOf(join(keys, 'pepper.key'))).toBe(0o600);
      expect(modeOf(join(keys, 'audit.key'))).toBe(0o600);
    }
    const again = createFileSecretStore(keys);
    expect(again.get('pepper')?.equals(pepper)).toBe(true);
    expect(again.get('audit')?.equals(auditKeyValue)).toBe(true);
    expect(again.describe()).toContain(keys);
  });

  it.runIf(posix)('tightens a key file and a key folder whose permissions were loosened', () => {
    const keys = join(dir.path, 'keys');
    const key = createFileSecretStore(keys).getOrCreate('pepper');
    chmodSync(join(keys, 'pepper.key'), 0o644);
    chmodSync(keys, 0o755);
    const store = createFileSecretStore(keys);
    expect(store.get('pepper')?.equals(key)).toBe(true);
    expect(modeOf(join(keys, 'pepper.key'))).toBe(0o600);
    expect(modeOf(keys)).toBe(0o700);
  });

  it.runIf(posix)('tightens a pre-existing loose key folder when it creates the first key in it', () => {
    const keys = join(dir.path, 'keys');
    mkdirSync(keys, { mode: 0o777 });
    chmodSync(keys, 0o777);
    createFileSecretStore(keys).getOrCreate('audit');
    expect(modeOf(keys)).toBe(0o700);
    expect(modeOf(join(keys, 'audit.key'))).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['not base64 of 32 bytes', 'this is not a key\n'],
    ['truncated', 'q83vEjRWeJCrze8SNFZ4kA==\n'],
    ['too long', `${Buffer.alloc(48, 7).toString('base64')}\n`],
  ])('a damaged key file (%s) is KEY_UNAVAILABLE, and is left for a person to restore', (_what, content) => {
    const keys = join(dir.path, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    writeFileSync(join(keys, 'pepper.key'), content, { mode: 0o600 });
    const store = createFileSecretStore(keys);
    expect(codeOf(() => store.get('pepper'))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => store.getOrCreate('pepper'))).toBe('KEY_UNAVAILABLE');
    expect(readFileSync(join(keys, 'pepper.key'), 'utf8')).toBe(content); // never silently replaced
  });

  it('a key file that cannot be read at all is KEY_UNAVAILABLE, not an internal error', () => {
    const keys = join(dir.path, 'keys');
    mkdirSync(join(keys, 'audit.key'), { recursive: true });
    const store = createFileSecretStore(keys);
    expect(codeOf(() => store.get('audit'))).toBe('KEY_UNAVAILABLE');
  });
});

describe('keys of a running app', () => {
  let t: TestApp;
  let reopened: KlivApp[];
  /** Closes the test app and opens the same data folder again, as a restart does. */
  const restart = (): KlivApp => {
    t.app.close();
    const app = openApp({ dataDir: t.dataDir, clock: testClock() });
    reopened.push(app);
    return app;
  };
  beforeEach(() => {
    t = testApp();
    reopened = [];
  });
  afterEach(() => {
    for (const app of reopened) app.close();
    t.close();
  });

  it('live in <data>/keys, owner-only, and never in the database file', () => {
    addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'admin', pin: '482913' }, FAST);
    const keys = join(t.dataDir, 'keys');
    expect(readdirSync(keys)).toEqual(expect.arrayContaining(['audit.key', 'pepper.key']));
    if (posix) {
      expect(modeOf(keys)).toBe(0o700);
      for (const f of readdirSync(keys)) expect(modeOf(join(keys, f)), f).toBe(0o600);
    }
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = readFileSync(join(t.dataDir, 'kliv.sqlite'));
    for (const name of ['pepper', 'audit'] as const) {
      const key = t.app.ctx.secrets.get(name)!;
      expect(dbBytes.includes(key), `${name} key bytes in the database`).toBe(false);
      expect(dbBytes.includes(Buffer.from(key.toString('base64'))), `${name} key text in the database`).toBe(false);
    }
  });

  it('a damaged audit key file stops audited work with KEY_UNAVAILABLE (through the dispatcher too)', async () => {
    const { badgePayload } = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'admin', pin: '482913' }, FAST);
    writeFileSync(join(t.dataDir, 'keys', 'audit.key'), 'garbage\n');
    const app = restart();
    expect(codeOf(() => audit(app.ctx, { actor: 'cli', action: 'x' }))).toBe('KEY_UNAVAILABLE');
    const res = await createDispatcher(app)({ session: null }, 'staff.login', { badge: badgePayload, pin: '482913' });
    expect(res).toMatchObject({ ok: false, error: { code: 'KEY_UNAVAILABLE' } });
  });

  it('a missing audit key while audit rows exist is KEY_UNAVAILABLE; no new key is made and nothing is appended', () => {
    addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'admin', pin: '482913' }, FAST);
    const rows = t.app.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    expect(rows).toBeGreaterThan(0);
    rmSync(join(t.dataDir, 'keys', 'audit.key'));
    const app = restart();
    expect(codeOf(() => auditKey(app.db, app.ctx.secrets))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => audit(app.ctx, { actor: 'cli', action: 'x' }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => addStaff(app.ctx, CLI_ACTOR, { name: 'Lo', role: 'staff', pin: '482913' }, FAST))).toBe('KEY_UNAVAILABLE');
    expect(existsSync(join(t.dataDir, 'keys', 'audit.key'))).toBe(false);
    expect(app.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(rows);
    expect(app.db.prepare('SELECT count(*) FROM staff').pluck().get()).toBe(1); // the refused add left nothing behind
  });

  it('a missing audit key on an empty log is simply made (first start)', () => {
    expect(existsSync(join(t.dataDir, 'keys', 'audit.key'))).toBe(false);
    audit(t.app.ctx, { actor: 'cli', action: 'first' });
    expect(existsSync(join(t.dataDir, 'keys', 'audit.key'))).toBe(true);
    expect(verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets))).toMatchObject({ ok: true, entries: 1 });
  });

  it('a missing PIN pepper while staff accounts exist is KEY_UNAVAILABLE: no new pepper, no failed-attempt counted', () => {
    const { badgePayload, account } = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'admin', pin: '482913' }, FAST);
    rmSync(join(t.dataDir, 'keys', 'pepper.key'));
    const app = restart();
    expect(codeOf(() => login(app.ctx, { badge: badgePayload, pin: '482913' }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => login(app.ctx, { name: 'Kim', pin: '482913' }))).toBe('KEY_UNAVAILABLE');
    expect(existsSync(join(t.dataDir, 'keys', 'pepper.key'))).toBe(false);
    expect(app.db.prepare('SELECT failed_attempts, locked_at FROM staff WHERE id = ?').get(account.staffId)).toEqual({ failed_attempts: 0, locked_at: null });
  });
});
