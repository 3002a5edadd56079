/**
 * The export commands as an administrator and the municipality use them:
 * kliv init → participant add → scan → config set export.recipient →
 * export --to → keys show → verify → collect, with exit codes and one-line
 * errors.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/kliv';
import { openCentralDatabase } from '../../../electron/services/central';
import { tempDir } from '../../helpers';
import { municipality, type Municipality } from '../services/exportFixture';

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
let muni: Municipality;

beforeEach(async () => {
  work = tempDir('kliv-export-cli-');
  data = join(work.path, 'data');
  muni = await municipality(work.path);
});

afterEach(() => work.cleanup());

const d = (): string[] => ['--data-dir', data];

describe('kliv export, keys, verify, collect', () => {
  it('go end to end, and a re-run of collect adds nothing', async () => {
    expect((await kliv(...d(), 'init', '--name', 'Testgården')).code).toBe(0);
    const added = await kliv(...d(), 'participant', 'add', '--name', 'Zelmira', '--code', 'ABC-123', '--json');
    expect(added.code).toBe(0);
    const payload = (JSON.parse(added.out) as { payload: string }).payload;
    expect((await kliv(...d(), 'scan', '--payload', payload)).out).toMatch(/^checked in/);

    const refused = await kliv(...d(), 'export');
    expect(refused).toMatchObject({ code: 1, out: '' });
    expect(refused.err).toBe("kliv: Export is not set up: no recipient. Set the municipality's age public key with `kliv config set export.recipient age1…`.\n");

    const bad = await kliv(...d(), 'config', 'set', 'export.recipient', 'age1notakey');
    expect(bad.code).toBe(1);
    expect(bad.err.split('\n')).toHaveLength(2); // one line
    expect(bad.err).toMatch(/e\.g\. age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p/);
    expect((await kliv(...d(), 'config', 'set', 'export.recipient', muni.recipient)).code).toBe(0);
    expect((await kliv(...d(), 'config', 'get', 'export.time')).out).toBe('02:00\n');

    const outbox = join(work.path, 'usb');
    mkdirSync(outbox);
    const exported = await kliv(...d(), 'export', '--to', outbox);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^Batch 1 V[0-9A-F]+-000001: events 1–3 \(3\) delivered to folder /);
    const [bundle] = readdirSync(outbox);
    expect(bundle).toMatch(/^V[0-9A-F]+-000001$/);
    expect((await kliv(...d(), 'export', '--to', outbox)).out).toBe('Nothing new to export (everything through event 3 is delivered).\n');

    const shown = await kliv(...d(), 'keys', 'show');
    expect(shown.out).toMatch(/^kliv-ed25519:[A-Za-z0-9_-]{43} V[0-9A-F]+\n$/);
    const venueId = shown.out.trim().split(' ')[1] ?? '';
    expect(bundle?.startsWith(venueId)).toBe(true);
    const pem = await kliv(...d(), 'keys', 'show', '--pem');
    expect(pem.out).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const keysDir = join(work.path, 'venue-keys');
    mkdirSync(keysDir);
    writeFileSync(join(keysDir, `${venueId}.pub`), shown.out);

    const bundleDir = join(outbox, bundle ?? '');
    const ok = await kliv('verify', bundleDir, '--venue-key', join(keysDir, `${venueId}.pub`), '--identity', muni.identityFile);
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(ok.out).toMatch(/^OK V[0-9A-F]+-000001: venue V[0-9A-F]+, batch 1, events 1–3 \(3\), signed by [0-9a-f]{16}, decrypted 3 events\.\n$/);
    expect((await kliv('verify', bundleDir, '--venue-key', shown.out.trim())).code).toBe(0);
    expect((await kliv('verify', bundleDir, '--venue-key', join(keysDir, 'nope.pub'))).err).toMatch(/^kliv: .*cannot be read\n$/);

    const db = join(work.path, 'central.sqlite');
    const collectArgs = ['collect', '--inbox', outbox, '--db', db, '--identity', muni.identityFile, '--venue-keys', keysDir];
    const collected = await kliv(...collectArgs);
    expect(collected).toMatchObject({ code: 0, err: '' });
    expect(collected.out).toBe(`${bundle}: collected 3 events (1–3)\n1 collected, 0 already collected, 0 refused.\n`);
    expect((await kliv(...collectArgs)).out).toBe('0 collected, 1 already collected, 0 refused.\n');
    const central = openCentralDatabase(db, { readonly: true });
    expect(central.prepare('SELECT participant_code, display_name, source FROM report_visits').all()).toEqual([{ participant_code: 'ABC-123', display_name: null, source: 'card' }]);
    central.close();

    const status = await kliv(...d(), 'export', '--status');
    expect(status.out).toMatch(/WARNING: export is not set up/); // --to only: no folder or URL configured for the nightly run
    expect(status.out).toMatch(/cli +ok +Delivered batch 1 \(3 events\)/);
  });

  it('verify and collect refuse a tampered bundle with one line each and exit non-zero, still collecting the rest', async () => {
    await kliv(...d(), 'init', '--name', 'Testgården');
    await kliv(...d(), 'config', 'set', 'export.recipient', muni.recipient);
    const outbox = join(work.path, 'share');
    mkdirSync(outbox);
    await kliv(...d(), 'config', 'set', 'export.folder', outbox);
    await kliv(...d(), 'participant', 'add', '--name', 'Zelmira', '--code', 'ABC-123');
    expect((await kliv(...d(), 'export')).code).toBe(0);
    await kliv(...d(), 'participant', 'add', '--name', 'Bartholomew', '--code', 'ABC-124');
    expect((await kliv(...d(), 'export')).code).toBe(0);
    const keysDir = join(work.path, 'venue-keys');
    mkdirSync(keysDir);
    const shown = (await kliv(...d(), 'keys', 'show')).out;
    const venueId = shown.trim().split(' ')[1] ?? '';
    writeFileSync(join(keysDir, `${venueId}.pub`), shown);
    const [b1, b2] = readdirSync(outbox).sort();
    const key = join(keysDir, `${venueId}.pub`);
    const follows = await kliv('verify', join(outbox, b2 ?? ''), '--venue-key', key, '--previous', join(outbox, b1 ?? ''));
    expect(follows).toMatchObject({ code: 0, err: '' });
    expect(follows.out).toMatch(/batch 2, events 3–4 \(2\), signed by [0-9a-f]{16}, follows the previous bundle\.\n$/);
    const backwards = await kliv('verify', join(outbox, b1 ?? ''), '--venue-key', key, '--previous', join(outbox, b2 ?? ''));
    expect(backwards.err).toMatch(/refused: batch 1 of V[0-9A-F]+ cannot follow batch 2\n$/);
    const m = join(outbox, b2 ?? '', 'manifest.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace('"batch": 2', '"batch": 2 '));

    const verified = await kliv('verify', join(outbox, b2 ?? ''), '--venue-key', join(keysDir, `${venueId}.pub`));
    expect(verified.code).toBe(1);
    expect(verified.err).toBe(`kliv: ${join(outbox, b2 ?? '')} refused: manifest.json does not match its signature: it was changed after signing, or signed by another key\n`);

    const db = join(work.path, 'central.sqlite');
    const collected = await kliv('collect', '--inbox', outbox, '--db', db, '--identity', muni.identityFile, '--venue-keys', keysDir);
    expect(collected.code).toBe(1);
    expect(collected.out).toBe(`${b1}: collected 2 events (1–2)\n${b2}: REFUSED: manifest.json does not match its signature: it was changed after signing, or signed by another key\n1 collected, 0 already collected, 1 refused.\n`);
    expect(collected.err).toBe('kliv: 1 bundle(s) refused (see above); the others were collected\n');
    expect(existsSync(db)).toBe(true);

    const missing = await kliv('collect', '--inbox', join(work.path, 'nope'), '--db', db, '--identity', muni.identityFile, '--venue-keys', keysDir);
    expect(missing).toMatchObject({ code: 1, err: `kliv: the inbox ${join(work.path, 'nope')} does not exist\n` });
    const noIdentity = await kliv('collect', '--inbox', outbox, '--db', db, '--identity', join(keysDir, `${venueId}.pub`), '--venue-keys', keysDir);
    expect(noIdentity.err).toMatch(/^kliv: the identity file .* is not an age identity file: .*\n$/);
  });
});
