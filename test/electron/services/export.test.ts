import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/api/dispatch';
import type { Caller } from '../../../electron/api/caller';
import { appendEvent } from '../../../electron/db/events';
import { acquireLease, getBatch, pendingBatch } from '../../../electron/db/export';
import { auditKey, verifyAuditChain } from '../../../electron/services/audit';
import { collectInbox, openCentralDatabase } from '../../../electron/services/central';
import {
  bundleManifestSchema, bundleName, exportConfig, exportOutboxDir, exportStatus, GENESIS_MANIFEST_SHA256, isExportRunning, sha256Of, venueSigningKey,
} from '../../../electron/services/export';
import { isAgeX25519Recipient, parsePublicKey, publicKeyText, verifyDetached } from '../../../electron/services/exportCrypto';
import { createFileSecretStore } from '../../../electron/services/secrets';
import { describeSetting, writeSetting } from '../../../electron/services/settings';
import { KlivError } from '../../../shared/errors';
import { tempDir, testApp, type TestApp } from '../../helpers';
import {
  allFiles, bundlesIn, configureRecipient, decryptFile, eventCount, municipality, NAMES, runExport, saveVenueKey, venueDay, type Municipality,
} from './exportFixture';

let t: TestApp;
let work: ReturnType<typeof tempDir>;
let muni: Municipality;
let share: string;
let keys: string;

beforeEach(async () => {
  t = testApp();
  work = tempDir('kliv-export-');
  muni = await municipality(work.path);
  share = join(work.path, 'share');
  keys = join(work.path, 'venue-keys');
  mkdirSync(share);
  mkdirSync(keys);
  saveVenueKey(t.app, keys);
});

afterEach(() => {
  t.close();
  work.cleanup();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof KlivError ? err.code : `not a KlivError: ${String(err)}`;
  }
  return undefined;
}

async function collect(central = join(work.path, 'central.sqlite')) {
  const db = openCentralDatabase(central);
  try {
    return await collectInbox(db, { inbox: share, identities: [muni.identity], venueKeysDir: keys });
  } finally {
    db.close();
  }
}

function centralEventSeqs(central = join(work.path, 'central.sqlite')): number[] {
  const db = openCentralDatabase(central, { readonly: true });
  try {
    return (db.prepare('SELECT seq FROM events ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
  } finally {
    db.close();
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('migration 0004', () => {
  it('adds the export tables; a batch keeps its range and at most one batch is unacknowledged', () => {
    const db = t.app.db;
    const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'export_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(['export_attempts', 'export_batches', 'export_deliveries', 'export_lease']);
    const insert = db.prepare("INSERT INTO export_batches (batch, first_seq, last_seq, rows, created_at, previous_manifest_sha256, audit_head, audit_entries, audit_intact) VALUES (?, ?, ?, 1, 0, ?, 'x', 0, 1)");
    insert.run(1, 1, 5, GENESIS_MANIFEST_SHA256);
    expect(() => insert.run(2, 6, 9, GENESIS_MANIFEST_SHA256)).toThrow(/UNIQUE/);
    expect(() => db.prepare('UPDATE export_batches SET last_seq = 7 WHERE batch = 1').run()).toThrow(/keeps its number and range/);
    expect(() => db.prepare('UPDATE export_batches SET acknowledged_at = 1 WHERE batch = 1').run()).toThrow(/CHECK/); // not built yet
  });
});

describe('the venue signing key', () => {
  it('is made at init, kept owner-only in the keys folder, and its public text form parses back', () => {
    const file = join(t.dataDir, 'keys', 'signing.key');
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const { publicKey } = venueSigningKey(t.app.ctx);
    const text = publicKeyText(publicKey);
    expect(text).toMatch(/^kliv-ed25519:[A-Za-z0-9_-]{43}$/);
    expect(parsePublicKey(`# Testgården\n${text} VABC\n`).raw.equals(publicKey)).toBe(true);
    expect(venueSigningKey(t.app.ctx).publicKey.equals(publicKey)).toBe(true);
  });

  it('is refused rather than silently replaced once bundles were signed with it', async () => {
    configureRecipient(t.app, muni.recipient);
    t.app.kiosk.scan('nothing'); // a rejected scan: no event
    venueDay(t);
    await runExport(t.app, { to: share });
    rmSync(join(t.dataDir, 'keys', 'signing.key'));
    const fresh = { ...t.app.ctx, secrets: createFileSecretStore(join(t.dataDir, 'keys')) };
    expect(codeOf(() => venueSigningKey(fresh))).toBe('KEY_UNAVAILABLE');
  });
});

describe('export settings', () => {
  it('accept an age X25519 recipient and refuse a mistyped one with an example of a good one', () => {
    expect(isAgeX25519Recipient(muni.recipient)).toBe(true);
    writeSetting(t.app.ctx, 'export.recipient', muni.recipient);
    const typo = muni.recipient.slice(0, -1) + (muni.recipient.endsWith('q') ? 'p' : 'q');
    for (const bad of [typo, 'age1abc', muni.identity, 'ssh-ed25519 AAAA']) {
      expect(() => writeSetting(t.app.ctx, 'export.recipient', bad)).toThrow(/expected .*e\.g\. age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p/);
    }
    writeSetting(t.app.ctx, 'export.recipient', `${muni.recipient}, age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p`);
    expect(exportConfig(t.app.ctx, share).recipients).toHaveLength(2);
  });

  it('take https URLs, http only to this machine, never user:password; a folder must be absolute; the time is HH:MM', () => {
    writeSetting(t.app.ctx, 'export.url', 'https://kliv.kommun.example/bundles');
    writeSetting(t.app.ctx, 'export.url', 'http://127.0.0.1:8080/in');
    for (const bad of ['http://kliv.kommun.example/bundles', 'https://user:pw@kliv.kommun.example/', 'ftp://x', 'kommun.example']) {
      expect(() => writeSetting(t.app.ctx, 'export.url', bad)).toThrow(/e\.g\. https:\/\//);
    }
    expect(() => writeSetting(t.app.ctx, 'export.folder', 'relative/path')).toThrow(/absolute path/);
    writeSetting(t.app.ctx, 'export.folder', share);
    expect(() => writeSetting(t.app.ctx, 'export.time', '2:00')).toThrow(/HH:MM \(e\.g\. 02:00\)/);
    writeSetting(t.app.ctx, 'export.time', '03:15');
    expect(describeSetting(t.app.ctx, 'export.time').value).toBe('03:15');
  });

  it('never print the token in full, not even when refusing it', () => {
    const token = 'S3cr3t-Token-0123456789abcdef';
    writeSetting(t.app.ctx, 'export.token', token);
    expect(describeSetting(t.app.ctx, 'export.token').value).toBe('S3cr…');
    let message = '';
    try {
      writeSetting(t.app.ctx, 'export.token', 'short secret');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Refused export\.token="…": expected/);
    expect(message).not.toContain('short secret');
  });
});

describe('without configuration', () => {
  it('refuses with EXPORT_NOT_CONFIGURED and says how to set the recipient, then the destination', async () => {
    venueDay(t);
    await expect(runExport(t.app)).rejects.toMatchObject({ code: 'EXPORT_NOT_CONFIGURED', message: expect.stringContaining('kliv config set export.recipient') });
    configureRecipient(t.app, muni.recipient);
    await expect(runExport(t.app)).rejects.toMatchObject({ code: 'EXPORT_NOT_CONFIGURED', message: expect.stringContaining('export.folder') });
    writeSetting(t.app.ctx, 'export.url', 'https://kliv.kommun.example/bundles');
    await expect(runExport(t.app)).rejects.toMatchObject({ code: 'EXPORT_NOT_CONFIGURED', message: expect.stringContaining('export.token') });
    expect(readdirSync(share)).toEqual([]);
    expect(exportStatus(t.app.ctx)).toMatchObject({ configured: false, warning: true, problem: 'not_configured' });
  });
});

describe('a bundle', () => {
  beforeEach(() => {
    configureRecipient(t.app, muni.recipient);
    writeSetting(t.app.ctx, 'export.folder', share);
  });

  it('holds the signed manifest and the encrypted events, exactly the event log', async () => {
    venueDay(t);
    const total = eventCount(t.app);
    const result = await runExport(t.app);
    expect(result).toMatchObject({ outcome: 'ok', events: total, exportedThroughSeq: total });
    const venueId = t.app.db.prepare('SELECT venue_id FROM venue').pluck().get() as string;
    const name = bundleName(venueId, 1);
    expect(bundlesIn(share)).toEqual([name]);
    const dir = join(share, name);
    expect(readdirSync(dir).sort()).toEqual(['events.jsonl.age', 'manifest.json', 'manifest.sig']);

    const manifestBytes = readFileSync(join(dir, 'manifest.json'));
    const manifest = bundleManifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
    expect(manifest).toMatchObject({
      format: 'kliv-export-bundle', formatVersion: 1, bundle: name, batch: 1,
      venue: { id: venueId, timeZone: 'Europe/Stockholm', mode: 'dropin' },
      seq: { first: 1, last: total }, counts: { events: total },
      previousManifestSha256: GENESIS_MANIFEST_SHA256,
    });
    const head = verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets));
    expect(manifest.auditChain.intact).toBe(true);
    expect(manifest.auditChain.entries).toBeGreaterThan(0);
    expect(head.ok).toBe(true);
    const data = readFileSync(join(dir, 'events.jsonl.age'));
    expect(manifest.files[0]).toMatchObject({ sha256: sha256Of(data), bytes: data.length, rows: total });
    expect(data.subarray(0, 21).toString()).toBe('age-encryption.org/v1');

    const sig = Buffer.from(readFileSync(join(dir, 'manifest.sig'), 'utf8').trim(), 'base64');
    const pub = parsePublicKey(readFileSync(join(keys, `${venueId}.pub`), 'utf8'));
    expect(verifyDetached(pub.key, manifestBytes, sig)).toBe(true);
    expect(verifyDetached(pub.key, Buffer.concat([manifestBytes, Buffer.from(' ')]), sig)).toBe(false);

    const lines = (await decryptFile(join(dir, 'events.jsonl.age'), muni.identity)).split('\n');
    expect(lines.pop()).toBe('');
    const stored = t.app.db.prepare('SELECT seq, at, type, participant_code, data FROM events ORDER BY seq').all() as { seq: number; at: number; type: string; participant_code: string | null; data: string }[];
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(stored.map((r) => ({ seq: r.seq, at: r.at, type: r.type, participantCode: r.participant_code, data: JSON.parse(r.data) as unknown })));
    expect(new Set(stored.map((r) => r.type))).toEqual(new Set([
      'participant.enrolled', 'card.issued', 'card.revoked', 'visit.checked_in', 'visit.checked_out', 'visit.manual_in', 'check.recorded', 'check.corrected',
      'visit.corrected', 'visit.auto_closed', 'day.confirmed', 'visit.paper',
    ]));
    // The outbox copy is gone once every destination has it.
    expect(readdirSync(exportOutboxDir(t.dataDir))).toEqual([]);
  });

  it('carries no display name in any byte: not in the files, not in the decrypted data, not even from an event that has one', async () => {
    venueDay(t);
    appendEvent(t.app.db, { at: t.clock.now(), type: 'participant.deactivated', participantCode: 'K-100', data: { displayName: NAMES[0], note: { name: NAMES[1] }, ok: 1 } });
    await runExport(t.app);
    const names = [...NAMES, ...NAMES.map((n) => n.split(' ')[0] ?? n)].filter((n) => n.length >= 5);
    const haystacks: Buffer[] = allFiles(share).map((f) => readFileSync(f));
    const dir = join(share, bundlesIn(share)[0] ?? '');
    const plain = await decryptFile(join(dir, 'events.jsonl.age'), muni.identity);
    haystacks.push(Buffer.from(plain, 'utf8'));
    for (const hay of haystacks) {
      for (const n of names) {
        expect(hay.includes(Buffer.from(n, 'utf8')), n).toBe(false);
        expect(hay.includes(Buffer.from(n.toLowerCase(), 'utf8')), n).toBe(false);
        expect(hay.includes(Buffer.from(JSON.stringify(n).slice(1, -1), 'utf8')), n).toBe(false); // \u-escaped form
      }
    }
    const last = JSON.parse(plain.trim().split('\n').pop() ?? '{}') as { data: unknown };
    expect(last.data).toEqual({ note: {}, ok: 1 });
    expect(plain).toContain('"participantCode":"K-100"');
  });

  it('is decrypted by the standard age tool', async (ctx) => {
    if (!existsSync('/usr/bin/age')) {
      ctx.skip('the age command is not installed (/usr/bin/age; apt-get install age): the standard-tool decryption is not checked here');
      return;
    }
    venueDay(t);
    await runExport(t.app);
    const dir = join(share, bundlesIn(share)[0] ?? '');
    const res = spawnSync('/usr/bin/age', ['-d', '-i', muni.identityFile, join(dir, 'events.jsonl.age')], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(eventCount(t.app));
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ seq: 1, type: 'participant.enrolled', participantCode: 'K-100' });
  });

  it('is incremental: nothing new makes no bundle; new events make the next batch, chained to the last', async () => {
    venueDay(t);
    const first = await runExport(t.app);
    const firstCount = eventCount(t.app);
    expect(await runExport(t.app)).toMatchObject({ outcome: 'nothing', batches: [] });
    expect(bundlesIn(share)).toHaveLength(1);
    t.clock.advance(24 * 3600_000);
    appendEvent(t.app.db, { at: t.clock.now(), type: 'day.reopened', participantCode: null, data: { day: '2026-03-02' } });
    const second = await runExport(t.app);
    expect(second.batches).toHaveLength(1);
    expect(second.batches[0]).toMatchObject({ batch: 2, firstSeq: firstCount + 1, lastSeq: firstCount + 1, events: 1 });
    const [b1, b2] = bundlesIn(share).map((n) => JSON.parse(readFileSync(join(share, n, 'manifest.json'), 'utf8')) as { previousManifestSha256: string; seq: { first: number } });
    expect(b2?.previousManifestSha256).toBe(first.batches[0]?.manifestSha256);
    expect(b2?.previousManifestSha256).toBe(sha256Of(readFileSync(join(share, bundlesIn(share)[0] ?? '', 'manifest.json'))));
    expect(b1?.seq.first).toBe(1);
  });

  it('splits a large backlog into contiguous batches, reading it a page at a time', async () => {
    t.app.db.transaction(() => {
      for (let i = 0; i < 2500; i++) appendEvent(t.app.db, { at: t.clock.now() + i, type: 'card.issued', participantCode: `P-${i % 50}`, data: { cardId: i } });
    })();
    const result = await runExport(t.app, { maxEventsPerBatch: 1000 });
    expect(result.batches.map((b) => [b.batch, b.firstSeq, b.lastSeq, b.events])).toEqual([[1, 1, 1000, 1000], [2, 1001, 2000, 1000], [3, 2001, 2500, 500]]);
    const report = await collect();
    expect(report).toMatchObject({ collected: 3, refused: 0 });
    expect(centralEventSeqs()).toEqual(range(2500));
  });

  it('is audited, each run, and shown in the status and history', async () => {
    venueDay(t);
    await runExport(t.app);
    await runExport(t.app);
    const runs = t.app.db.prepare("SELECT actor, subject, detail FROM audit_log WHERE action = 'export.run' ORDER BY seq").all() as { actor: string; subject: string | null; detail: string }[];
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ actor: 'cli', subject: 'batch:1' });
    expect(JSON.parse(runs[0]?.detail ?? '{}')).toMatchObject({ trigger: 'cli', outcome: 'ok', batches: [1], destinations: ['folder'] });
    expect(JSON.parse(runs[1]?.detail ?? '{}')).toMatchObject({ outcome: 'nothing', batches: [] });
    const status = exportStatus(t.app.ctx);
    expect(status).toMatchObject({ configured: true, warning: false, problem: null, lastBatch: 1, pendingEvents: 0 });
    expect(status.history.map((h) => h.outcome)).toEqual(['nothing', 'ok']);
    expect(status.lastSuccessAt).toBe(t.clock.now());
    expect(status.nextRunAt).toBe(Date.parse('2026-03-03T01:00:00Z')); // 02:00 in Stockholm, the night after the test day
  });
});

describe('a destination that is away', () => {
  beforeEach(() => {
    configureRecipient(t.app, muni.recipient);
  });

  it('missing: loses nothing, never creates the folder, and the next run delivers everything once', async () => {
    const away = join(work.path, 'not-mounted');
    writeSetting(t.app.ctx, 'export.folder', away);
    venueDay(t);
    const failed = await runExport(t.app);
    expect(failed.outcome).toBe('failed');
    expect(failed.message).toMatch(/is not there \(is the share mounted\?\).*Nothing is lost/);
    expect(existsSync(away)).toBe(false);
    expect(exportStatus(t.app.ctx)).toMatchObject({ exportedThroughSeq: 0, problem: 'last_failed', lastSuccessAt: null });
    // more happens while the share is away
    t.clock.advance(3600_000);
    appendEvent(t.app.db, { at: t.clock.now(), type: 'day.reopened', participantCode: null, data: { day: '2026-03-02' } });
    expect(await runExport(t.app)).toMatchObject({ outcome: 'failed' });

    mkdirSync(away);
    const ok = await runExport(t.app);
    expect(ok.outcome).toBe('ok');
    expect(ok.batches.map((b) => b.batch)).toEqual([1, 2]);
    expect(await runExport(t.app)).toMatchObject({ outcome: 'nothing' });
    writeSetting(t.app.ctx, 'export.folder', share);
    share = away;
    const report = await collect();
    expect(report).toMatchObject({ collected: 2, refused: 0 });
    expect(centralEventSeqs()).toEqual(range(eventCount(t.app)));
  });

  it('read-only: loses nothing, leaves nothing half-written, and the next run delivers everything once', async () => {
    writeSetting(t.app.ctx, 'export.folder', share);
    venueDay(t);
    // A real read-only folder where the machine allows it: permission bits for
    // a normal user; for root (who ignores them) a read-only tmpfs mount; and
    // where neither works, the EROFS error the OS would report, injected.
    let how: 'chmod' | 'mount' | 'injected' = 'injected';
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      spawnSync('chmod', ['0555', share]);
      how = 'chmod';
    } else if (process.platform === 'linux' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=16m', 'kliv-test', share]).status === 0) {
      how = 'mount';
    }
    let readOnly = true;
    const hooks = { beforeFolderWrite: () => {
      if (how === 'injected' && readOnly) throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    } };
    try {
      const failed = await runExport(t.app, { hooks, tries: 3 });
      expect(failed.outcome, how).toBe('failed');
      expect(failed.message).toMatch(/cannot be written \(read-only or no permission\) \(tried 3 times\)/);
      expect(readdirSync(share)).toEqual([]);
      expect(pendingBatch(t.app.db)?.batch).toBe(1);
      expect(exportStatus(t.app.ctx).exportedThroughSeq).toBe(0);

      readOnly = false;
      if (how === 'chmod') spawnSync('chmod', ['0755', share]);
      if (how === 'mount') expect(spawnSync('mount', ['-o', 'remount,rw', share]).status).toBe(0);
      const ok = await runExport(t.app, { hooks });
      expect(ok.batches.map((b) => b.batch)).toEqual([1]);
      expect(bundlesIn(share)).toHaveLength(1);
      expect(await collect()).toMatchObject({ collected: 1, refused: 0 });
      expect(centralEventSeqs()).toEqual(range(eventCount(t.app)));
    } finally {
      if (how === 'mount') spawnSync('umount', [share]);
    }
  });

  it('holding a different bundle of the same name: refuses to overwrite it and acknowledges nothing', async () => {
    writeSetting(t.app.ctx, 'export.folder', share);
    venueDay(t);
    const venueId = t.app.db.prepare('SELECT venue_id FROM venue').pluck().get() as string;
    mkdirSync(join(share, bundleName(venueId, 1)));
    writeFileSync(join(share, bundleName(venueId, 1), 'manifest.json'), '{}');
    const result = await runExport(t.app, { tries: 4 });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/already holds a different .*-000001; it was not overwritten/);
    expect(result.message).not.toMatch(/tried/); // permanent: not retried
    expect(pendingBatch(t.app.db)?.acknowledgedAt).toBeNull();
  });
});

describe('a crash', () => {
  beforeEach(() => {
    configureRecipient(t.app, muni.recipient);
    writeSetting(t.app.ctx, 'export.folder', share);
  });

  it('between renaming the bundle into place and acknowledging it duplicates nothing and skips nothing', async () => {
    venueDay(t);
    const crash = await runExport(t.app, { hooks: { beforeAcknowledge: () => { throw new Error('power cut'); } } });
    expect(crash.outcome).toBe('failed');
    expect(bundlesIn(share)).toHaveLength(1);
    const manifestBefore = readFileSync(join(share, bundlesIn(share)[0] ?? '', 'manifest.json'));
    expect(getBatch(t.app.db, 1)?.acknowledgedAt).toBeNull();

    const again = await runExport(t.app);
    expect(again.outcome).toBe('ok');
    expect(again.batches.map((b) => b.batch)).toEqual([1]);
    expect(bundlesIn(share)).toHaveLength(1);
    expect(readFileSync(join(share, bundlesIn(share)[0] ?? '', 'manifest.json')).equals(manifestBefore)).toBe(true);

    appendEvent(t.app.db, { at: t.clock.now(), type: 'day.reopened', participantCode: null, data: { day: '2026-03-02' } });
    expect((await runExport(t.app)).batches.map((b) => b.batch)).toEqual([2]);
    expect(await collect()).toMatchObject({ collected: 2, refused: 0 });
    expect(centralEventSeqs()).toEqual(range(eventCount(t.app)));
  });

  it('after building the bundle, before delivering it, sends the same bytes on the next run', async () => {
    venueDay(t);
    await runExport(t.app, { hooks: { afterStaged: () => { throw new Error('killed'); } } });
    expect(readdirSync(share)).toEqual([]);
    const recorded = getBatch(t.app.db, 1)?.manifestSha256;
    expect(recorded).toMatch(/^[0-9a-f]{64}$/);
    await runExport(t.app);
    expect(sha256Of(readFileSync(join(share, bundlesIn(share)[0] ?? '', 'manifest.json')))).toBe(recorded);
  });

  it('after building the bundle but before recording its manifest adopts the built bundle (same batch, same range)', async () => {
    venueDay(t);
    await runExport(t.app, { hooks: { afterStaged: () => { throw new Error('killed'); } } });
    const built = getBatch(t.app.db, 1)?.manifestSha256;
    t.app.db.prepare('UPDATE export_batches SET manifest = NULL, manifest_sha256 = NULL WHERE batch = 1').run();
    const result = await runExport(t.app);
    expect(result.batches[0]).toMatchObject({ batch: 1, manifestSha256: built });
  });

  it('with the folder write cut half-way leaves only a temporary name, which collect ignores and the next run clears', async () => {
    venueDay(t);
    const venueId = t.app.db.prepare('SELECT venue_id FROM venue').pluck().get() as string;
    const leftover = join(share, `.${bundleName(venueId, 1)}.tmp-deadbeef0000`);
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'events.jsonl.age'), 'half');
    expect(await collect()).toMatchObject({ collected: 0, refused: 0 });
    await runExport(t.app);
    expect(readdirSync(share)).toEqual([bundleName(venueId, 1)]);
  });
});

describe('running', () => {
  beforeEach(() => {
    configureRecipient(t.app, muni.recipient);
    writeSetting(t.app.ctx, 'export.folder', share);
  });

  it('twice at once in one process joins the run; another process holding the lease makes it refuse', async () => {
    venueDay(t);
    const a = runExport(t.app);
    expect(isExportRunning(t.app.db)).toBe(true);
    const b = runExport(t.app);
    expect(b).toBe(a);
    await a;
    expect(isExportRunning(t.app.db)).toBe(false);
    expect(bundlesIn(share)).toHaveLength(1);

    // what `kliv export` in another process holds while it runs
    expect(acquireLease(t.app.db, 'another-process', t.clock.now(), 60_000)).toBe(true);
    await expect(runExport(t.app)).rejects.toMatchObject({ code: 'EXPORT_FAILED', message: expect.stringContaining('Another export is running') });
    expect(exportStatus(t.app.ctx).history[0]).toMatchObject({ outcome: 'failed' });
    t.clock.advance(16 * 60_000); // a lease left by a process that died expires
    expect((await runExport(t.app)).outcome).toBe('nothing');
  });

  it('warns staff after 36 hours without a successful export', async () => {
    venueDay(t);
    await runExport(t.app);
    t.clock.advance(35 * 3600_000);
    expect(exportStatus(t.app.ctx)).toMatchObject({ warning: false, problem: null });
    writeSetting(t.app.ctx, 'export.folder', join(work.path, 'gone'));
    appendEvent(t.app.db, { at: t.clock.now(), type: 'day.reopened', participantCode: null, data: { day: '2026-03-02' } });
    await runExport(t.app);
    expect(exportStatus(t.app.ctx)).toMatchObject({ warning: false, problem: 'last_failed' });
    t.clock.advance(2 * 3600_000);
    expect(exportStatus(t.app.ctx)).toMatchObject({ warning: true, problem: 'overdue' });
  });

  it('through the API: status for staff, "export now" for coordinators only', async () => {
    const activity = venueDay(t);
    const dispatch = createDispatcher(t.app);
    const staffCaller: Caller = { session: { staffId: activity.staff.staffId ?? 0, staffName: 'Kim', role: 'staff', lastActive: t.clock.now() } } as Caller;
    const coordinator: Caller = { session: { staffId: activity.staff.staffId ?? 0, staffName: 'Kim', role: 'coordinator', lastActive: t.clock.now() } } as Caller;
    const status = await dispatch(staffCaller, 'export.status', {});
    expect(status).toMatchObject({ ok: true, value: { configured: true, lastSuccessAt: null } });
    expect(await dispatch(staffCaller, 'export.now', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const started = await dispatch(coordinator, 'export.now', {});
    expect(started).toMatchObject({ ok: true, value: { started: true, status: { running: true } } });
    while (isExportRunning(t.app.db)) await new Promise((r) => setTimeout(r, 10));
    const after = await dispatch(staffCaller, 'export.status', {});
    expect(after).toMatchObject({ ok: true, value: { running: false, lastBatch: 1, history: [{ outcome: 'ok', trigger: 'manual' }] } });
    const audited = t.app.db.prepare("SELECT actor FROM audit_log WHERE action = 'export.run'").pluck().all();
    expect(audited).toEqual([`staff:${activity.staff.staffId}`]);
    writeSetting(t.app.ctx, 'export.recipient', null);
    expect(await dispatch(coordinator, 'export.now', {})).toMatchObject({ ok: false, error: { code: 'EXPORT_NOT_CONFIGURED' } });
  });
});
