/**
 * The maintenance commands as an administrator uses them: kliv backup,
 * kliv restore, kliv retention run and kliv doctor, with their exit codes
 * and one-line errors.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openApp } from '../../../electron/api/app';
import { main } from '../../../electron/cli/kliv';
import { runDoctor } from '../../../electron/services/doctor';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { openVenueDatabase, tempDir, testClock } from '../../helpers';
import { municipality } from '../services/exportFixture';

interface Run { code: number; out: string; err: string }

async function kliv(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

let work: ReturnType<typeof tempDir>;
let data: string;
let payload: string;
const d = (): string[] => ['--data-dir', data];
const oneLine = (r: Run): void => {
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
};

beforeEach(async () => {
  work = tempDir('kliv-maint-cli-');
  data = join(work.path, 'data');
  expect((await kliv(...d(), 'init', '--name', 'Testgården')).code).toBe(0);
  payload = (JSON.parse((await kliv(...d(), 'participant', 'add', '--name', 'Zelmira', '--code', 'MNT-1', '--json')).out) as { payload: string }).payload;
});

afterEach(() => work.cleanup());

const backupsOf = (): string[] => readdirSync(join(data, 'backups')).sort();

describe('kliv backup', () => {
  it('writes a checked, encrypted backup into <data>/backups and says where', async () => {
    const r = await kliv(...d(), 'backup');
    expect(r).toMatchObject({ code: 0, err: '' });
    const [name] = backupsOf();
    expect(name).toMatch(/^kliv-\d{8}-\d{6}\.sqlite$/);
    expect(r.out).toBe(`Backup written: ${join(data, 'backups', name ?? '')} (${(statSync(join(data, 'backups', name ?? '')).size / 1024 / 1024).toFixed(1)} MB), encrypted with the database key, integrity_check ok.\n`);
    expect(readFileSync(join(data, 'backups', name ?? '')).includes(Buffer.from('Zelmira'))).toBe(false);
    const json = await kliv(...d(), 'backup', '--json');
    if (json.code !== 0) expect(json.err).toMatch(/already exists; try again in a second/); // same second
  });

  it('--to writes to another folder and reminds about the keys; a missing folder is one line and exit 1', async () => {
    const usb = join(work.path, 'usb');
    mkdirSync(usb);
    const r = await kliv(...d(), 'backup', '--to', usb);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/keys folder/);
    expect(readdirSync(usb)).toHaveLength(1);
    const missing = await kliv(...d(), 'backup', '--to', join(work.path, 'not-mounted'));
    expect(missing.code).toBe(1);
    oneLine(missing);
    expect(missing.err).toMatch(/^kliv: The folder .*not-mounted does not exist \(is the USB stick or share mounted\?\)\.\n$/);
  });
});

describe('kliv restore', () => {
  it('puts a backup back, keeps the replaced database aside, and warns that later scans are gone', async () => {
    await kliv(...d(), 'backup');
    const [name] = backupsOf();
    expect((await kliv(...d(), 'scan', '--payload', payload)).out).toMatch(/^checked in/);
    const r = await kliv(...d(), 'restore', join(data, 'backups', name ?? ''));
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^Restored .*kliv-\d{8}-\d{6}\.sqlite: events up to #\d+/);
    expect(r.out).toMatch(/The database it replaced is kept as .*kliv\.sqlite\.before-restore-\d{8}-\d{6}; delete it once/);
    expect(r.out).toMatch(/WARNING: the replaced database was newer .* `kliv visit add`/);
    const db = openVenueDatabase(data);
    try {
      expect(db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM audit_log WHERE action = 'backup.restored'").pluck().get()).toBe(1);
    } finally {
      db.close();
    }
    expect(readdirSync(data).filter((n) => n.startsWith('kliv.sqlite.before-restore-'))).toHaveLength(1);
  });

  it('refuses what it cannot verify, with one line, exit 1, and nothing changed', async () => {
    const junk = join(work.path, 'junk.sqlite');
    writeFileSync(junk, 'this is not a backup\n'.repeat(100));
    let before = readFileSync(join(data, 'kliv.sqlite'));
    for (const file of [junk, join(work.path, 'missing.sqlite')]) {
      const r = await kliv(...d(), 'restore', file);
      expect(r.code).toBe(1);
      oneLine(r);
      expect(r.err).toMatch(/nothing was changed/);
      expect(readFileSync(join(data, 'kliv.sqlite')).equals(before)).toBe(true);
    }
    // A damaged backup.
    await kliv(...d(), 'backup');
    const [name] = backupsOf();
    const damaged = join(work.path, 'damaged.sqlite');
    writeFileSync(damaged, readFileSync(join(data, 'backups', name ?? '')));
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, statSync(damaged).size - 2 * 4096 + 100);
    closeSync(fd);
    before = readFileSync(join(data, 'kliv.sqlite'));
    const r = await kliv(...d(), 'restore', damaged);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kliv: damaged\.sqlite is damaged .*nothing was changed/);
    expect(readFileSync(join(data, 'kliv.sqlite')).equals(before)).toBe(true);
    expect(readdirSync(data).filter((n) => n.includes('before-restore') || n.includes('restoring'))).toEqual([]);
  });

  it('refuses while the kiosk has the database open', async () => {
    await kliv(...d(), 'backup');
    const [name] = backupsOf();
    const running = openApp({ dataDir: data });
    try {
      const r = await kliv(...d(), 'restore', join(data, 'backups', name ?? ''));
      expect(r.code).toBe(1);
      oneLine(r);
      expect(r.err).toMatch(/Kliv is running on this data folder .* Close it first; nothing was changed/);
    } finally {
      running.close();
    }
  });

  it('without the keys folder asks for it first, and makes no key', async () => {
    await kliv(...d(), 'backup');
    const [name] = backupsOf();
    const elsewhere = join(work.path, 'new-machine');
    const r = await kliv('--data-dir', elsewhere, 'restore', join(data, 'backups', name ?? ''));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no database key in .*copy the keys folder that belongs to this backup there first; nothing was changed/);
    expect(existsSync(join(elsewhere, 'keys', 'database.key'))).toBe(false);
  });
});

describe('kliv retention run', () => {
  it('--dry-run and a real run report counts; 0 months keeps everything', async () => {
    const dry = await kliv(...d(), 'retention', 'run', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^Would delete everything before \d{4}-\d{2}-01 \(keep 24 months\): 0 visit\(s\), 0 check\(s\), 0 correction\(s\), 0 day\(s\) of rejected-scan counts, 0 day confirmation\(s\), 0 exported event\(s\)\.\n$/);
    const real = await kliv(...d(), 'retention', 'run', '--json');
    expect(JSON.parse(real.out)).toMatchObject({ months: 24, dryRun: false, deleted: { visits: 0 } });
    await kliv(...d(), 'config', 'set', 'retention.months', '0');
    expect((await kliv(...d(), 'retention', 'run')).out).toBe('retention.months is 0: attendance is kept forever; nothing was deleted.\n');
    const bad = await kliv(...d(), 'config', 'set', 'retention.months', 'forever');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/expected months of attendance to keep/);
  });
});

describe('kliv doctor', () => {
  /** Export set up and run once, a backup made: everything a venue should have. */
  async function healthyVenue(): Promise<void> {
    const muni = await municipality(work.path);
    const share = join(work.path, 'share');
    mkdirSync(share);
    expect((await kliv(...d(), 'config', 'set', 'export.recipient', muni.recipient)).code).toBe(0);
    expect((await kliv(...d(), 'config', 'set', 'export.folder', share)).code).toBe(0);
    expect((await kliv(...d(), 'export')).code).toBe(0);
    expect((await kliv(...d(), 'backup')).code).toBe(0);
  }

  it('prints one OK line per check and exits 0 on a healthy venue', async () => {
    await healthyVenue();
    const r = await kliv(...d(), 'doctor');
    expect(r).toMatchObject({ code: 0, err: '' });
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`Kliv doctor: ${data}`);
    expect(lines.at(-1)).toBe('All OK.');
    const checks = lines.slice(1, -1).map((l) => /^(OK {2}|WARN|FAIL) {2}(.+?) {2,}/.exec(l)?.[2]?.trim());
    expect(checks).toEqual(['key: database', 'integrity', 'schema', 'key: pepper', 'key: audit', 'key: signing', 'audit chain', 'export', 'backup', 'disk', 'clock', 'time zone', 'retention']);
    expect(lines.slice(1, -1).every((l) => l.startsWith('OK  '))).toBe(true);
    // It changed nothing in the data folder (no side files, no keys made).
    expect(readdirSync(data).sort()).toEqual(['backups', 'export-outbox', 'keys', 'kliv.sqlite']);
  });

  it('names each problem with what to do, and exits 1 with a one-line summary', async () => {
    await healthyVenue();
    rmSync(join(data, 'keys', 'audit.key'));
    rmSync(join(data, 'backups'), { recursive: true });
    const r = await kliv(...d(), 'doctor');
    expect(r.code).toBe(1);
    expect(r.err).toBe('kliv: 3 problem(s) found: 2 FAIL, 1 WARN\n');
    expect(r.out).toMatch(/^FAIL {2}key: audit +missing although it is in use: .*\n +→ Restore the keys folder from its backup/m);
    expect(r.out).toMatch(/^FAIL {2}audit chain +cannot be verified: the audit key is missing\n/m);
    expect(r.out).toMatch(/^WARN {2}backup +no backup in the backups folder yet\n +→ Run `kliv backup` now/m);
    const json = await kliv(...d(), 'doctor', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as { ok: boolean; lines: { check: string; level: string; action?: string }[] };
    expect(report.ok).toBe(false);
    expect(report.lines.find((l) => l.check === 'backup')).toMatchObject({ level: 'warn', action: expect.stringContaining('kliv backup') });
  });

  it('reports a damaged database (FAIL integrity, with the restore command) without stopping', async () => {
    for (let i = 0; i < 60; i++) await kliv(...d(), 'participant', 'add', '--name', `Person ${i}`);
    const file = join(data, 'kliv.sqlite');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, statSync(file).size - 2 * 4096 + 100);
    closeSync(fd);
    const r = await kliv(...d(), 'doctor');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}integrity +quick_check .*\n +→ .*kliv restore FILE/m);
    // …and the kiosk itself refuses to start on it.
    const scan = await kliv(...d(), 'scan', '--payload', payload);
    expect(scan.code).toBe(1);
    expect(scan.err).toMatch(/^kliv: The database is damaged .* `kliv restore/);
  });

  it('fails on a missing database key, a missing database and a clock behind the newest record', async () => {
    expect((await kliv('--data-dir', join(work.path, 'empty'), 'doctor')).out).toMatch(/^FAIL {2}database +no database at /m);
    const secrets = createFileSecretStore(join(data, 'keys'));
    const clock = testClock('2020-01-01T00:00:00Z');
    const early = runDoctor({ dataDir: data, databaseFile: join(data, 'kliv.sqlite'), secrets, clock });
    expect(early.lines.find((l) => l.check === 'clock')).toMatchObject({ level: 'fail' });
    clock.set(Date.now() - 3600_000); // the system clock put back an hour behind the newest event
    expect(runDoctor({ dataDir: data, databaseFile: join(data, 'kliv.sqlite'), secrets, clock }).lines.find((l) => l.check === 'clock'))
      .toMatchObject({ level: 'fail', summary: expect.stringMatching(/is behind the newest record/) });
    const low = runDoctor({ dataDir: data, databaseFile: join(data, 'kliv.sqlite'), secrets, clock: testClock(Date.now()), freeBytes: () => 5 * 1024 * 1024 });
    expect(low.lines.find((l) => l.check === 'disk')).toMatchObject({ level: 'fail', summary: "only 5.0 MB free on the data folder's disk" });
    rmSync(join(data, 'keys', 'database.key'));
    const r = await kliv(...d(), 'doctor');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}key: database +the database is encrypted but its key is missing/m);
  });
});
