import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/kliv';
import { parseDays } from '../../../electron/cli/participant-commands';
import { KlivError } from '../../../shared/errors';
import { localDateOf } from '../../../shared/time';
import { tempDir } from '../../helpers';

interface RunResult { code: number; out: string; err: string }

let dir: ReturnType<typeof tempDir>;

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

async function ok(...args: string[]): Promise<string> {
  const r = await kliv(...args);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

function expectOneLineError(res: RunResult, code: number, pattern: RegExp): void {
  expect(res.code, res.err).toBe(code);
  expect(res.err.trimEnd().split('\n')).toHaveLength(1);
  expect(res.err).toMatch(pattern);
}

async function enrol(name: string, code: string): Promise<string> {
  return (JSON.parse(await ok('participant', 'add', '--name', name, '--code', code, '--json')) as { payload: string }).payload;
}
async function scan(payload: string): Promise<{ outcome: string; reason?: string; schedule?: unknown }> {
  return JSON.parse((await kliv('scan', '--payload', payload, '--json')).out) as { outcome: string };
}
/** The QR payloads on a PDF, read by zbarimg. */
function decode(pdfFile: string): string[] {
  const r = spawnSync('pdftoppm', ['-r', '200', '-png', pdfFile, join(dir.path, 'page')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readdirSync(dir.path).filter((f) => /^page.*\.png$/.test(f)).sort().flatMap((png) =>
    spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', join(dir.path, png)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean));
}

const today = (): string => localDateOf(Date.now(), 'Europe/Stockholm');

beforeEach(async () => {
  dir = tempDir();
  await ok('init', '--name', 'Ankaret', '--mode', 'structured');
});
afterEach(() => dir.cleanup());

describe('kliv participant list|deactivate|reactivate', () => {
  it('lists participants (text and JSON), deactivates and reactivates by code', async () => {
    const payload = await enrol('Anna', 'K-1001');
    await enrol('Bo', 'K-1002');
    const text = await ok('participant', 'list');
    expect(text.trim().split('\n')).toEqual([
      'K-1001\tactive\tstructured\tcard\t-\tAnna',
      'K-1002\tactive\tstructured\tcard\t-\tBo',
    ]);
    expect(await ok('participant', 'deactivate', '--code', 'k-1002')).toBe('K-1002 is deactivated.\n');
    expect(JSON.parse(await ok('participant', 'list', '--json')).map((p: { code: string }) => p.code)).toEqual(['K-1001']);
    expect(JSON.parse(await ok('participant', 'list', '--all', '--json')).map((p: { code: string; active: boolean }) => [p.code, p.active])).toEqual([['K-1001', true], ['K-1002', false]]);
    expect((await ok('participant', 'list', '--search', 'ann')).trim().split('\n')).toHaveLength(1);
    await ok('participant', 'deactivate', '--code', 'K-1001');
    expect(await scan(payload)).toMatchObject({ outcome: 'rejected', reason: 'inactive' });
    expect(await ok('participant', 'reactivate', '--code', 'K-1001')).toBe('K-1001 is active.\n');
    expect(await scan(payload)).toMatchObject({ outcome: 'checked-in' });
  });

  it('an unknown code is one line and exit 1', async () => {
    expectOneLineError(await kliv('participant', 'deactivate', '--code', 'NOPE'), 1, /^kliv: No participant with code NOPE/);
  });
});

describe('kliv schedule set|end', () => {
  it('sets a weekly schedule that the kiosk shows on check-in when today is a scheduled day', async () => {
    const payload = await enrol('Anna', 'K-1001');
    const all = 'mon,tue,wed,thu,fri,sat,sun';
    const set = JSON.parse(await ok('schedule', 'set', '--code', 'K-1001', '--days', all, '--start', '09:00', '--end', '12:00', '--json'));
    expect(set).toEqual({ code: 'K-1001', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '09:00', end: '12:00', validFrom: today(), validTo: null });
    expect(await scan(payload)).toMatchObject({ outcome: 'checked-in', schedule: { start: '09:00', end: '12:00' } });
    expect(await ok('participant', 'list')).toContain(`mon,tue,wed,thu,fri,sat,sun 09:00-12:00 from ${today()}`);
    expect(await ok('schedule', 'end', '--code', 'K-1001')).toBe('The schedule of K-1001 ends today.\n');
  });

  it('refuses bad days, times, dates and a start in the past, each in one line', async () => {
    await enrol('Anna', 'K-1001');
    expectOneLineError(await kliv('schedule', 'set', '--code', 'K-1001', '--days', 'mon,funday', '--start', '09:00', '--end', '12:00'), 1, /unknown weekday "funday"/);
    expectOneLineError(await kliv('schedule', 'set', '--code', 'K-1001', '--days', 'mon', '--start', '9', '--end', '12:00'), 1, /times are HH:MM/);
    expectOneLineError(await kliv('schedule', 'set', '--code', 'K-1001', '--days', 'mon', '--start', '12:00', '--end', '09:00'), 1, /end time must be after/);
    expectOneLineError(await kliv('schedule', 'set', '--code', 'K-1001', '--days', 'mon', '--start', '09:00', '--end', '12:00', '--from', '2020-01-01'), 1, /starts today/);
    expectOneLineError(await kliv('schedule', 'set', '--code', 'K-1001', '--days', 'mon', '--start', '09:00', '--end', '12:00', '--to', '31/12'), 1, /bad date/);
  });

  it('parses weekdays in English, Swedish or as numbers', () => {
    expect(parseDays('fri, mon,WED')).toEqual(['mon', 'wed', 'fri']);
    expect(parseDays('mån,ons,fre')).toEqual(['mon', 'wed', 'fri']);
    expect(parseDays('1 3 5 7')).toEqual(['mon', 'wed', 'fri', 'sun']);
    expect(() => parseDays('')).toThrow(KlivError);
  });
});

describe('kliv card reissue|revoke|list', () => {
  it('reissue prints a new payload once; the old card is refused at once', async () => {
    const old = await enrol('Anna', 'K-1001');
    const r = JSON.parse(await ok('card', 'reissue', '--code', 'K-1001', '--reason', 'lost', '--json')) as { payload: string; cardId: number };
    expect(r.payload).toMatch(/^KLIV1P/);
    expect(await scan(old)).toMatchObject({ outcome: 'rejected', reason: 'revoked' });
    expect(await scan(r.payload)).toMatchObject({ outcome: 'checked-in' });
    const cards = JSON.parse(await ok('card', 'list', '--code', 'K-1001', '--json')) as { cardId: number; status: string; revokeReason: string | null }[];
    expect(cards.map((c) => [c.status, c.revokeReason])).toEqual([['active', null], ['revoked', 'lost']]);
  });

  it('reissue --out writes a printable card that scans, owner-only', async () => {
    const old = await enrol('Anna', 'K-1001');
    const file = join(dir.path, 'anna.pdf');
    expect(await ok('card', 'reissue', '--code', 'K-1001', '--out', file)).toMatch(/written to .*anna\.pdf\. Print it, then delete the file/);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    const [payload] = decode(file);
    expect(payload).not.toBe(old);
    expect(await scan(payload!)).toMatchObject({ outcome: 'checked-in' });
    expect(await scan(old)).toMatchObject({ outcome: 'rejected', reason: 'revoked' });
  });

  it('revoke needs a reason; it stops the card; a second revoke finds nothing to revoke', async () => {
    const payload = await enrol('Anna', 'K-1001');
    const noReason = await kliv('card', 'revoke', '--code', 'K-1001');
    expect(noReason.code).toBe(2);
    expect(await ok('card', 'revoke', '--code', 'K-1001', '--reason', 'stolen')).toMatch(/^Revoked card \d+ of K-1001 \(stolen\)\.\n$/);
    expect(await scan(payload)).toMatchObject({ outcome: 'rejected', reason: 'revoked' });
    expectOneLineError(await kliv('card', 'revoke', '--code', 'K-1001', '--reason', 'lost'), 1, /no working card to revoke/);
    expect((await kliv('card', 'revoke', '--code', 'K-1001', '--reason', 'broken')).code).toBe(2);
  });
});

describe('kliv cards print', () => {
  it('without --code prints only those without a working card; with --code it replaces their cards', async () => {
    const annaOld = await enrol('Anna', 'K-1001');
    const boOld = await enrol('Bo', 'K-1002');
    await ok('card', 'revoke', '--code', 'K-1002', '--reason', 'lost');
    const out = join(dir.path, 'cards.pdf');
    const res = JSON.parse(await ok('cards', 'print', '--out', out, '--json')) as { cards: { participantId: number }[] };
    expect(res.cards).toHaveLength(1);
    const [boNew] = decode(out);
    expect(await scan(boNew!)).toMatchObject({ outcome: 'checked-in' });
    expect(await scan(annaOld)).toMatchObject({ outcome: 'checked-in' }); // Anna's card untouched
    expect(await scan(boOld)).toMatchObject({ outcome: 'rejected' });

    expectOneLineError(await kliv('cards', 'print', '--out', out), 1, /already has a working card/);

    const sheet = join(dir.path, 'sheet.pdf');
    expect(await ok('cards', 'print', '--out', sheet, '--code', 'K-1001', '--code', 'k-1002', '--reason', 'damaged')).toMatch(/^2 new card\(s\) written to/);
    const payloads = decode(sheet);
    expect(payloads).toHaveLength(2);
    expect((await scan(annaOld)).outcome).toBe('rejected');
    expect(existsSync(sheet)).toBe(true);
  });

  it('--help says that printing issues new cards and the old ones stop working', async () => {
    const help = await kliv('cards', 'print', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/ISSUES new cards/);
    expect(help.out).toMatch(/stops working at once/);
    expect((await kliv('card', 'reissue', '--help')).out).toMatch(/current card stops working/);
  });
});
