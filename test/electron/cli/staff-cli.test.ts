import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openApp, type KlivApp } from '../../../electron/api/app';
import { main } from '../../../electron/cli/kliv';
import { openDatabase, type Database } from '../../../electron/db/connection';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { enrolParticipant } from '../../../electron/services/participants';
import { addStaff, CLI_ACTOR, login } from '../../../electron/services/staff';
import { parseCardPayload } from '../../../shared/card';
import { KlivError } from '../../../shared/errors';
import { tempDir, testClock } from '../../helpers';

interface RunResult { code: number; out: string; err: string }

/** Runs `kliv …` in this process, capturing what it writes. */
async function kliv(...args: string[]): Promise<RunResult> {
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
    const code = await main(['--data-dir', dir.path, ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

/** A failure: a non-zero code, nothing on stdout and exactly one line on stderr. */
function expectOneLineError(res: RunResult, code: number, pattern: RegExp): void {
  expect(res.code, res.err).toBe(code);
  expect(res.out).toBe('');
  expect(res.err.endsWith('\n')).toBe(true);
  expect(res.err.trimEnd().split('\n')).toHaveLength(1);
  expect(res.err).toMatch(pattern);
}

let dir: ReturnType<typeof tempDir>;
let apps: KlivApp[];

/**
 * The database file opened directly, not through the app: what someone with
 * a copy of the data folder could do. (The file is encrypted at rest, so the
 * database key from the keys folder is needed; the audit key is not used.)
 */
function rawDb(): Database {
  const key = createFileSecretStore(join(dir.path, 'keys')).get('database') ?? null;
  return openDatabase(join(dir.path, 'kliv.sqlite'), { key });
}

/** The same data folder opened in-process (a test clock in 2025, so nothing CLI-made is "in the future"). */
function open(): KlivApp {
  const app = openApp({ dataDir: dir.path, clock: testClock('2025-06-02T07:00:00Z') });
  apps.push(app);
  return app;
}
function closeAll(): void {
  for (const app of apps.splice(0)) app.close();
}

beforeEach(async () => {
  dir = tempDir();
  apps = [];
  vi.stubEnv('KLIV_DATA_DIR', '');
  expect((await kliv('init', '--name', 'Testgården')).code).toBe(0);
});
afterEach(() => {
  closeAll();
  vi.unstubAllEnvs();
  dir.cleanup();
});

describe('kliv staff add', () => {
  it('--json prints the staff id and a badge payload that parses as a staff card and logs in', async () => {
    const res = await kliv('staff', 'add', '--name', 'Kim', '--role', 'coordinator', '--pin', '482913', '--json');
    expect(res.code, res.err).toBe(0);
    expect(res.err).toBe('');
    const printed = JSON.parse(res.out) as { staffId: number; name: string; role: string; badgePayload: string };
    expect(printed).toEqual({ staffId: expect.any(Number), name: 'Kim', role: 'coordinator', badgePayload: expect.any(String) });
    expect(parseCardPayload(printed.badgePayload)).toEqual({ ok: true, kind: 'staff', payload: printed.badgePayload });
    const app = open();
    expect(login(app.ctx, { badge: printed.badgePayload, pin: '482913' })).toMatchObject({ id: printed.staffId, role: 'coordinator' });
    expect(app.db.prepare("SELECT actor FROM audit_log WHERE action = 'staff.added'").pluck().all()).toEqual(['cli']);
  });

  it('without --json says what was added and prints the payload once', async () => {
    const res = await kliv('staff', 'add', '--name', 'Ada', '--role', 'admin', '--pin', '615283');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^Added admin Ada \(id \d+\)\. Badge payload \(print it now; it is not stored\): KLIV1S[0-9A-Z]{27}\n$/);
  });

  it('refuses a trivial or short PIN, a duplicate name, a missing PIN and an unknown role', async () => {
    expectOneLineError(await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', '123456'), 1, /^kliv: That PIN is too easy to guess/);
    expectOneLineError(await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', '98765'), 1, /^kliv: A PIN is 6–12 digits/);
    expectOneLineError(await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff'), 1, /^kliv: give the PIN with --pin or --pin-stdin/);
    expect((await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', '482913')).code).toBe(0);
    expectOneLineError(await kliv('staff', 'add', '--name', 'KIM', '--role', 'staff', '--pin', '550132'), 1, /already a staff member with that name/);
    const badRole = await kliv('staff', 'add', '--name', 'Bo', '--role', 'root', '--pin', '550132');
    expect(badRole.code).toBe(2);
    expect(badRole.err).toMatch(/root/);
    expect((await kliv('staff', 'list', '--json')).out).toMatch(/^\[\{.*"name":"Kim".*\}\]\n$/);
  });
});

describe('kliv staff unlock and list', () => {
  it('unlocks a locked account by name or id; the right PIN works again', async () => {
    const added = JSON.parse((await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', '482913', '--json')).out) as { staffId: number; badgePayload: string };
    let app = open();
    for (let i = 0; i < 5; i++) {
      try {
        login(app.ctx, { badge: added.badgePayload, pin: '111112' });
      } catch (err) {
        if (!(err instanceof KlivError)) throw err;
      }
    }
    expect(app.db.prepare('SELECT failed_attempts FROM staff WHERE id = ?').pluck().get(added.staffId)).toBe(5);
    closeAll();
    const listed = await kliv('staff', 'list');
    expect(listed.out).toBe(`${added.staffId}\tstaff\tLOCKED\tKim\n`);

    const res = await kliv('staff', 'unlock', 'kim');
    expect(res).toEqual({ code: 0, out: 'Unlocked Kim.\n', err: '' });
    expect((await kliv('staff', 'list')).out).toBe(`${added.staffId}\tstaff\tok\tKim\n`);
    const json = JSON.parse((await kliv('staff', 'list', '--json')).out) as unknown[];
    expect(json).toEqual([expect.objectContaining({ staffId: added.staffId, locked: false, failedAttempts: 0 })]);
    app = open();
    expect(login(app.ctx, { badge: added.badgePayload, pin: '482913' }).id).toBe(added.staffId);
    expect(app.db.prepare("SELECT actor, subject FROM audit_log WHERE action = 'staff.unlocked'").all()).toEqual([{ actor: 'cli', subject: `staff:${added.staffId}` }]);
    closeAll();
    expect((await kliv('staff', 'unlock', String(added.staffId))).code).toBe(0);
  });

  it('an unknown name is exit 1 with a one-line error', async () => {
    expectOneLineError(await kliv('staff', 'unlock', 'Nobody'), 1, /^kliv: No staff member "Nobody"\.\n$/);
    expect((await kliv('staff', 'unlock')).code).toBe(2);
  });
});

describe('kliv audit verify', () => {
  async function someHistory(): Promise<number> {
    expect((await kliv('staff', 'add', '--name', 'Kim', '--role', 'staff', '--pin', '482913')).code).toBe(0);
    expect((await kliv('staff', 'add', '--name', 'Cleo', '--role', 'coordinator', '--pin', '731904')).code).toBe(0);
    expect((await kliv('staff', 'list')).code).toBe(0);
    expect((await kliv('staff', 'unlock', 'Kim')).code).toBe(0);
    expect((await kliv('staff', 'list')).code).toBe(0);
    const raw = rawDb();
    try {
      return raw.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    } finally {
      raw.close();
    }
  }

  /** Changes the file the way someone with the database but not the key could. */
  function tamper(sql: string, ...params: unknown[]): void {
    const raw = rawDb();
    try {
      raw.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
      raw.prepare(sql).run(...params);
    } finally {
      raw.close();
    }
  }

  it('exits 0 on an intact chain, saying how many entries', async () => {
    const n = await someHistory();
    expect(n).toBe(5);
    const res = await kliv('audit', 'verify');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/^Audit chain intact: 5 entries, head [0-9a-f]{16}…\n$/);
  });

  it('an empty log is intact', async () => {
    expect(await kliv('audit', 'verify')).toMatchObject({ code: 0, out: expect.stringMatching(/^Audit chain intact: 0 entries/) });
  });

  it('exits non-zero naming the entry after one row was changed directly in the database file', async () => {
    await someHistory();
    tamper("UPDATE audit_log SET actor = 'staff:1' WHERE seq = 3");
    expectOneLineError(await kliv('audit', 'verify'), 1, /^kliv: audit chain broken at entry 3: entry 3 was changed after it was written\n$/);
  });

  it('names a removed entry', async () => {
    await someHistory();
    tamper('DELETE FROM audit_log WHERE seq = 2');
    expectOneLineError(await kliv('audit', 'verify'), 1, /^kliv: audit chain broken at entry 2: entry 2 is missing/);
  });

  it('names the first of two swapped entries', async () => {
    await someHistory();
    const raw = rawDb();
    try {
      raw.exec('DROP TRIGGER audit_no_update');
      raw.exec('UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100;');
    } finally {
      raw.close();
    }
    expectOneLineError(await kliv('audit', 'verify'), 1, /^kliv: audit chain broken at entry 2: entry 2 does not follow entry 1/);
  });

  it('names the cut-off end of the log', async () => {
    const n = await someHistory();
    tamper('DELETE FROM audit_log WHERE seq > 3');
    expectOneLineError(await kliv('audit', 'verify'), 1, new RegExp(`^kliv: audit chain broken at entry 4: entries 4 to ${n} are missing`));
  });

  it('refuses to verify (exit 1) when the audit key is gone, rather than making a new one', async () => {
    await someHistory();
    rmSync(join(dir.path, 'keys', 'audit.key'));
    expectOneLineError(await kliv('audit', 'verify'), 1, /^kliv: The audit key is missing/);
  });
});

describe('kliv visit add (from a paper list)', () => {
  beforeEach(() => {
    const app = open();
    enrolParticipant(app.ctx, { displayName: 'Anna', code: 'P-101' });
    addStaff(app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, { logN: 10, r: 8, p: 1 });
    closeAll();
  });

  it('creates a paper visit in venue local time, with an event and an audit entry', async () => {
    const res = await kliv('visit', 'add', '--code', 'p-101', '--in', '2025-06-02 09:00', '--out', '11:30');
    expect(res.code, res.err).toBe(0);
    const m = /^Visit (\d+) entered for 2025-06-02\.\n$/.exec(res.out);
    expect(m).not.toBeNull();
    const visitId = Number(m![1]);
    const app = open();
    expect(app.db.prepare('SELECT day, checked_in_at, checked_out_at, source, manual_reason, participant_id FROM visits WHERE id = ?').get(visitId)).toEqual({
      day: '2025-06-02', checked_in_at: Date.parse('2025-06-02T07:00:00Z'), checked_out_at: Date.parse('2025-06-02T09:30:00Z'), source: 'paper', manual_reason: 'kiosk_problem', participant_id: 1,
    });
    const event = app.db.prepare("SELECT participant_code, data FROM events WHERE type = 'visit.paper'").get() as { participant_code: string; data: string };
    expect(event.participant_code).toBe('P-101');
    expect(JSON.parse(event.data)).toMatchObject({ visitId, day: '2025-06-02', in: Date.parse('2025-06-02T07:00:00Z'), out: Date.parse('2025-06-02T09:30:00Z'), reason: 'kiosk_problem' });
    expect(event.data).not.toContain('Anna');
    const entry = app.db.prepare("SELECT actor, subject, detail FROM audit_log WHERE action = 'visit.paper'").get() as { actor: string; subject: string; detail: string };
    expect(entry).toEqual({ actor: 'cli', subject: `visit:${visitId}`, detail: JSON.stringify({ code: 'P-101', reason: 'kiosk_problem' }) });
  });

  it('--json, a full check-out time and a reason; a winter date uses winter time', async () => {
    const res = await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-01-13 09:00', '--out', '2025-01-13 12:15', '--reason', 'no_card', '--json');
    expect(res.code, res.err).toBe(0);
    const printed = JSON.parse(res.out) as { visitId: number; day: string };
    expect(printed).toEqual({ visitId: expect.any(Number), day: '2025-01-13' });
    const app = open();
    expect(app.db.prepare('SELECT checked_in_at, checked_out_at, manual_reason FROM visits WHERE id = ?').get(printed.visitId))
      .toEqual({ checked_in_at: Date.parse('2025-01-13T08:00:00Z'), checked_out_at: Date.parse('2025-01-13T11:15:00Z'), manual_reason: 'no_card' });
  });

  it('without --out leaves the visit open; a second open one on the same day is refused with a one-line error', async () => {
    expect((await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 09:00')).code).toBe(0);
    expectOneLineError(await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 13:00'), 1, /^kliv: P-101 already has an open visit on 2025-06-02; give a check-out time\.\n$/);
    expect((await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 13:00', '--out', '14:00')).code).toBe(0);
    const app = open();
    expect(app.db.prepare('SELECT count(*) FROM visits WHERE checked_out_at IS NULL').pluck().get()).toBe(1);
    expect(app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(2);
  });

  it.each([
    ['no time', ['--in', '2025-06-02']],
    ['no date', ['--in', '09:00']],
    ['a month 13', ['--in', '2025-13-02 09:00']],
    ['30 February', ['--in', '2025-02-30 09:00']],
    ['hour 24', ['--in', '2025-06-02 24:00']],
    ['a one-digit hour', ['--in', '2025-06-02 9:00']],
    ['words', ['--in', 'yesterday morning']],
    ['a bad check-out', ['--in', '2025-06-02 09:00', '--out', '25:00']],
    ['a check-out with seconds', ['--in', '2025-06-02 09:00', '--out', '11:30:00']],
  ])('refuses %s with a one-line error and writes nothing', async (_what, times) => {
    const res = await kliv('visit', 'add', '--code', 'P-101', ...times);
    expectOneLineError(res, 1, /^kliv: bad time ".*": expected "YYYY-MM-DD HH:MM" in the venue's time zone\n$/);
    const app = open();
    expect(app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(0);
  });

  it('refuses a check-out before the check-in, a visit in the future, an unknown code and an unknown reason', async () => {
    expectOneLineError(await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 12:00', '--out', '11:00'), 1, /^kliv: The check-out time is before the check-in\./);
    expectOneLineError(await kliv('visit', 'add', '--code', 'P-101', '--in', '2099-06-02 09:00'), 1, /^kliv: The check-in time is in the future\./);
    expectOneLineError(await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 09:00', '--out', '2099-06-02 10:00'), 1, /^kliv: The check-out time is in the future\./);
    expectOneLineError(await kliv('visit', 'add', '--code', 'P-999', '--in', '2025-06-02 09:00', '--out', '10:00'), 1, /^kliv: No participant with code P-999\./);
    const badReason = await kliv('visit', 'add', '--code', 'P-101', '--in', '2025-06-02 09:00', '--reason', 'because');
    expect(badReason.code).toBe(2);
    expect((await kliv('visit', 'add', '--in', '2025-06-02 09:00')).code).toBe(2);
    const app = open();
    expect(app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(0);
    expect(app.db.prepare("SELECT count(*) FROM events WHERE type = 'visit.paper'").pluck().get()).toBe(0);
  });
});
