import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/kliv';
import { describeSetting, readSetting, SETTINGS, writeSetting, type SettingKey } from '../../../electron/services/settings';
import { KlivError } from '../../../shared/errors';
import { tempDir, testApp, type TestApp } from '../../helpers';

function errorOf(fn: () => unknown): KlivError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlivError) return err;
    throw err;
  }
  throw new Error('expected a KlivError');
}

/** The settings staff mode added (other features add their own). */
const DEFAULTS = {
  'venue.openingTime': '09:00',
  'venue.closingTime': '16:00',
  'staff.idleLockSeconds': 120,
  'checks.notTodayEndsVisit': true,
  'kiosk.doubleScanSeconds': 5,
} as const;

describe('settings service', () => {
  let t: TestApp;
  beforeEach(() => {
    t = testApp();
  });
  afterEach(() => t.close());

  it('knows the staff-mode settings, and each reads as its default until set', () => {
    expect(Object.keys(SETTINGS)).toEqual(expect.arrayContaining(Object.keys(DEFAULTS)));
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expect(readSetting(t.app.ctx, key as SettingKey), key).toBe(value);
      expect(describeSetting(t.app.ctx, key as SettingKey)).toMatchObject({ key, value: String(value), isDefault: true });
    }
  });

  it('stores good values as text and reads them back typed; unset returns to the default', () => {
    writeSetting(t.app.ctx, 'staff.idleLockSeconds', '300');
    writeSetting(t.app.ctx, 'checks.notTodayEndsVisit', 'false');
    writeSetting(t.app.ctx, 'venue.closingTime', '17:30');
    writeSetting(t.app.ctx, 'kiosk.doubleScanSeconds', '60');
    expect(readSetting(t.app.ctx, 'staff.idleLockSeconds')).toBe(300);
    expect(readSetting(t.app.ctx, 'checks.notTodayEndsVisit')).toBe(false);
    expect(readSetting(t.app.ctx, 'venue.closingTime')).toBe('17:30');
    expect(readSetting(t.app.ctx, 'kiosk.doubleScanSeconds')).toBe(60);
    expect(t.app.db.prepare("SELECT value FROM settings WHERE key = 'checks.notTodayEndsVisit'").pluck().get()).toBe('false');
    expect(describeSetting(t.app.ctx, 'staff.idleLockSeconds')).toMatchObject({ value: '300', isDefault: false });
    writeSetting(t.app.ctx, 'staff.idleLockSeconds', null);
    expect(readSetting(t.app.ctx, 'staff.idleLockSeconds')).toBe(120);
    expect(t.app.db.prepare("SELECT count(*) FROM settings WHERE key = 'staff.idleLockSeconds'").pluck().get()).toBe(0);
    // the boundaries are allowed
    writeSetting(t.app.ctx, 'staff.idleLockSeconds', '5');
    writeSetting(t.app.ctx, 'staff.idleLockSeconds', '3600');
    writeSetting(t.app.ctx, 'venue.openingTime', '00:00');
    writeSetting(t.app.ctx, 'venue.closingTime', '23:59');
    expect(readSetting(t.app.ctx, 'venue.closingTime')).toBe('23:59');
  });

  it('refuses an unknown key, naming the known ones', () => {
    const err = errorOf(() => writeSetting(t.app.ctx, 'staff.idleLock', '120'));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toContain('Unknown setting "staff.idleLock"');
    for (const key of Object.keys(DEFAULTS)) expect(err.message).toContain(key);
    expect(errorOf(() => writeSetting(t.app.ctx, '__proto__', '1')).code).toBe('BAD_INPUT');
    expect(errorOf(() => writeSetting(t.app.ctx, 'toString', null)).code).toBe('BAD_INPUT');
    expect(t.app.db.prepare('SELECT count(*) FROM settings').pluck().get()).toBe(0);
  });

  it.each([
    ['venue.closingTime', ['25:00', '4pm', '9:00', '16.00', '', '16:00:00'], /HH:MM \(e\.g\. 16:00\)/],
    ['venue.openingTime', ['24:00', 'morning'], /HH:MM \(e\.g\. 09:00\)/],
    ['staff.idleLockSeconds', ['0', '4', '3601', 'abc', '12.5', '', '-120'], /5–3600 \(e\.g\. 120\)/],
    ['checks.notTodayEndsVisit', ['yes', 'TRUE', '1', ''], /"true" or "false"/],
    ['kiosk.doubleScanSeconds', ['0', '61', 'five'], /1–60 \(e\.g\. 5\)/],
  ] as const)('refuses bad values for %s, saying what a good value looks like', (key, bad, help) => {
    writeSetting(t.app.ctx, key, key === 'checks.notTodayEndsVisit' ? 'false' : key.includes('Time') ? '12:00' : '30');
    const before = t.app.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key);
    for (const value of bad) {
      const err = errorOf(() => writeSetting(t.app.ctx, key, value));
      expect(err.code, value).toBe('BAD_INPUT');
      expect(err.message).toContain(`Refused ${key}="${value}"`);
      expect(err.message).toMatch(help);
      expect(err.message).not.toContain('\n');
      expect(t.app.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key), 'unchanged').toBe(before);
    }
  });

  it('quotes only the start of a very long refused value', () => {
    const err = errorOf(() => writeSetting(t.app.ctx, 'venue.closingTime', 'x'.repeat(10_000)));
    expect(err.message.length).toBeLessThan(400);
  });

  it('a stored value that is no longer valid (edited by hand) reads as the default', () => {
    t.app.db.prepare("INSERT INTO settings (key, value) VALUES ('staff.idleLockSeconds', 'soon'), ('checks.notTodayEndsVisit', 'maybe')").run();
    expect(readSetting(t.app.ctx, 'staff.idleLockSeconds')).toBe(120);
    expect(readSetting(t.app.ctx, 'checks.notTodayEndsVisit')).toBe(true);
  });
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

describe('kliv config', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    dir = tempDir();
    vi.stubEnv('KLIV_DATA_DIR', '');
    expect((await run('--data-dir', dir.path, 'init', '--name', 'Testgården')).code).toBe(0);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    dir.cleanup();
  });

  it('set a good value: exit 0, a confirmation, and get shows it', async () => {
    const set = await run('--data-dir', dir.path, 'config', 'set', 'staff.idleLockSeconds', '300');
    expect(set).toEqual({ code: 0, out: 'staff.idleLockSeconds set.\n', err: '' });
    expect(await run('--data-dir', dir.path, 'config', 'get', 'staff.idleLockSeconds')).toEqual({ code: 0, out: '300\n', err: '' });
    const json = await run('--data-dir', dir.path, 'config', 'get', 'staff.idleLockSeconds', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ key: 'staff.idleLockSeconds', value: '300', isDefault: false });
  });

  it('get without a key lists every setting and marks defaults', async () => {
    await run('--data-dir', dir.path, 'config', 'set', 'venue.closingTime', '17:00');
    const all = await run('--data-dir', dir.path, 'config', 'get');
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n');
    expect(lines).toHaveLength(Object.keys(SETTINGS).length);
    expect(lines).toContain('venue.closingTime = 17:00');
    expect(lines).toContain('staff.idleLockSeconds = 120 (default)');
    expect(lines).toContain('checks.notTodayEndsVisit = true (default)');
  });

  it('set a bad value: exit 1 and one line on stderr saying what a good value looks like; nothing stored', async () => {
    const res = await run('--data-dir', dir.path, 'config', 'set', 'staff.idleLockSeconds', '3');
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toMatch(/^kliv: Refused staff\.idleLockSeconds="3": expected .*5–3600 \(e\.g\. 120\)\.\n$/);
    const bool = await run('--data-dir', dir.path, 'config', 'set', 'checks.notTodayEndsVisit', 'ja');
    expect(bool.code).toBe(1);
    expect(bool.err).toMatch(/^kliv: .*"true" or "false".*\n$/);
    const time = await run('--data-dir', dir.path, 'config', 'set', 'venue.closingTime', '4pm');
    expect(time.code).toBe(1);
    expect(time.err).toMatch(/HH:MM \(e\.g\. 16:00\)/);
    expect((await run('--data-dir', dir.path, 'config', 'get', 'staff.idleLockSeconds')).out).toBe('120\n');
  });

  it('set an unknown key: exit 1 naming the known settings', async () => {
    const res = await run('--data-dir', dir.path, 'config', 'set', 'idle', '30');
    expect(res.code).toBe(1);
    expect(res.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(res.err).toContain('Unknown setting "idle"');
    expect(res.err).toContain('staff.idleLockSeconds');
    const get = await run('--data-dir', dir.path, 'config', 'get', 'idle');
    expect(get.code).toBe(1);
    expect(get.err).toContain('unknown setting "idle"');
  });

  it('unset returns a setting to its default', async () => {
    await run('--data-dir', dir.path, 'config', 'set', 'checks.notTodayEndsVisit', 'false');
    expect((await run('--data-dir', dir.path, 'config', 'get', 'checks.notTodayEndsVisit')).out).toBe('false\n');
    expect(await run('--data-dir', dir.path, 'config', 'unset', 'checks.notTodayEndsVisit')).toEqual({ code: 0, out: 'checks.notTodayEndsVisit back to its default.\n', err: '' });
    expect((await run('--data-dir', dir.path, 'config', 'get', 'checks.notTodayEndsVisit')).out).toBe('true\n');
    expect((await run('--data-dir', dir.path, 'config', 'unset', 'nope')).code).toBe(1);
  });

  it('missing arguments are a usage error (exit 2); no data folder is exit 1 with a one-line hint', async () => {
    const missing = await run('--data-dir', dir.path, 'config', 'set', 'staff.idleLockSeconds');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing required argument/);
    const noDir = await run('config', 'get');
    expect(noDir.code).toBe(1);
    expect(noDir.err).toBe('kliv: no data folder: pass --data-dir DIR or set KLIV_DATA_DIR\n');
  });

  it('KLIV_DATA_DIR works in place of --data-dir', async () => {
    vi.stubEnv('KLIV_DATA_DIR', dir.path);
    expect((await run('config', 'set', 'kiosk.doubleScanSeconds', '8')).code).toBe(0);
    expect((await run('--data-dir', dir.path, 'config', 'get', 'kiosk.doubleScanSeconds')).out).toBe('8\n');
  });
});
