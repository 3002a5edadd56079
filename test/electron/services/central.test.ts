/**
 * The municipality's side: bundles from venues, verified and collected into
 * the central database, and the `report_visits` view the cross-venue report
 * reads. Every kind of tampering is refused with its own message while the
 * other bundles are still collected.
 */
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvent } from '../../../electron/db/events';
import { REPORT_VIEW_COLUMNS, type ReportVisitRow } from '../../../electron/db/reportView';
import {
  BundleRefused, checkChain, collectInbox, collectIntoFile, openCentralDatabase, readBundleEvents, verifyBundle, type CollectReport,
} from '../../../electron/services/central';
import { bundleName, sha256Of } from '../../../electron/services/export';
import { parsePublicKey, publicKeyFingerprint, rawPublicKey, signDetached } from '../../../electron/services/exportCrypto';
import { writeSetting } from '../../../electron/services/settings';
import { requireVenue } from '../../../electron/services/venue';
import { tempDir, testApp, type TestApp } from '../../helpers';
import { bundlesIn, configureRecipient, eventCount, municipality, runExport, saveVenueKey, venueDay, type Municipality } from './exportFixture';

let work: ReturnType<typeof tempDir>;
let muni: Municipality;
let inbox: string;
let keys: string;
let centralFile: string;
let venues: TestApp[];

async function newVenue(options: { timeZone?: string; codePrefix?: string } = {}): Promise<TestApp> {
  const t = testApp({ timeZone: options.timeZone });
  venues.push(t);
  configureRecipient(t.app, muni.recipient);
  writeSetting(t.app.ctx, 'export.folder', inbox);
  saveVenueKey(t.app, keys);
  venueDay(t, { codePrefix: options.codePrefix ?? 'K' });
  return t;
}

const venueIdOf = (t: TestApp): string => requireVenue(t.app.ctx).venueId;

async function collect(): Promise<CollectReport> {
  return collectIntoFile(centralFile, { inbox, identities: [muni.identity], venueKeysDir: keys });
}

function central<T>(fn: (db: ReturnType<typeof openCentralDatabase>) => T): T {
  const db = openCentralDatabase(centralFile);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function addEvent(t: TestApp): Promise<void> {
  t.clock.advance(3600_000);
  appendEvent(t.app.db, { at: t.clock.now(), type: 'day.reopened', participantCode: null, data: { day: '2026-03-02' } });
  await runExport(t.app);
}

const refusedMessages = (r: CollectReport): Record<string, string> => Object.fromEntries(r.verdicts.filter((v) => v.status === 'refused').map((v) => [v.bundle, v.message]));

beforeEach(async () => {
  work = tempDir('kliv-central-');
  muni = await municipality(work.path);
  inbox = join(work.path, 'inbox');
  keys = join(work.path, 'venue-keys');
  centralFile = join(work.path, 'central.sqlite');
  mkdirSync(inbox);
  mkdirSync(keys);
  venues = [];
});

afterEach(() => {
  for (const v of venues) v.close();
  work.cleanup();
});

describe('collect', () => {
  it('round trip: venue → bundle → collect → report_visits rows with exactly the report view columns', async () => {
    const t = await newVenue();
    await runExport(t.app);
    const report = await collect();
    expect(report).toMatchObject({ collected: 1, already: 0, refused: 0 });

    central((db) => {
      const columns = (db.prepare('SELECT * FROM report_visits LIMIT 0').columns() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(REPORT_VIEW_COLUMNS);
      const rows = db.prepare('SELECT * FROM report_visits ORDER BY visit_id').all() as ReportVisitRow[];
      // The venue's own view (migration 0005) gives the same rows, except the display name.
      const venueRows = (t.app.db.prepare('SELECT * FROM report_visits ORDER BY visit_id').all() as ReportVisitRow[]).map((r) => ({ ...r, display_name: null }));
      expect(rows).toEqual(venueRows);
      expect(rows).toHaveLength(4);
      const [a, b, c, paper] = rows;
      expect(a).toMatchObject({ participant_code: 'K-100', display_name: null, source: 'card', corrected: 0, check_outcome: 'ready', auto_closed: 0, time_zone: 'Europe/Stockholm', venue_id: venueIdOf(t) });
      expect(b).toMatchObject({ participant_code: 'K-101', source: 'manual', corrected: 1, check_outcome: 'ready' });
      expect(b?.checked_out_at).not.toBeNull();
      expect(c).toMatchObject({ participant_code: 'K-102', source: 'card', corrected: 1, auto_closed: 1 });
      expect(paper).toMatchObject({ participant_code: 'K-100', source: 'paper', day: '2026-03-01' });
      const counts = db.prepare('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM bundles) AS bundles').get();
      expect(counts).toEqual({ events: eventCount(t.app), bundles: 1 });
    });
  });

  it('is idempotent: a re-run adds nothing; new bundles of several venues are all collected, each into its own chain', async () => {
    const v1 = await newVenue();
    const v2 = await newVenue({ timeZone: 'Europe/Helsinki', codePrefix: 'H' });
    await runExport(v1.app);
    await runExport(v2.app);
    expect(await collect()).toMatchObject({ collected: 2, refused: 0 });
    const snapshot = central((db) => db.prepare('SELECT count(*) AS n FROM events').get());
    expect(await collect()).toMatchObject({ collected: 0, already: 2, refused: 0 });
    expect(central((db) => db.prepare('SELECT count(*) AS n FROM events').get())).toEqual(snapshot);

    await addEvent(v1);
    await addEvent(v1);
    expect(await collect()).toMatchObject({ collected: 2, already: 2, refused: 0 });
    central((db) => {
      const zones = db.prepare('SELECT DISTINCT venue_id, time_zone FROM report_visits ORDER BY time_zone').all();
      expect(zones).toEqual([{ venue_id: venueIdOf(v2), time_zone: 'Europe/Helsinki' }, { venue_id: venueIdOf(v1), time_zone: 'Europe/Stockholm' }]);
      expect(db.prepare('SELECT last_batch FROM venues WHERE venue_id = ?').pluck().get(venueIdOf(v1))).toBe(3);
    });
  });

  it('also finds bundles in a folder per venue, and ignores writes in progress', async () => {
    const t = await newVenue();
    await runExport(t.app);
    const name = bundlesIn(inbox)[0] ?? '';
    mkdirSync(join(inbox, 'venue-a'));
    renameSync(join(inbox, name), join(inbox, 'venue-a', name));
    mkdirSync(join(inbox, `.${bundleName(venueIdOf(t), 2)}.tmp-123`));
    expect(await collect()).toMatchObject({ collected: 1, refused: 0 });
  });
});

describe('tampering', () => {
  let t: TestApp;
  let other: TestApp;
  let names: string[];

  beforeEach(async () => {
    t = await newVenue();
    other = await newVenue({ codePrefix: 'O' });
    await runExport(t.app);
    await addEvent(t);
    await addEvent(t);
    await runExport(other.app);
    names = bundlesIn(inbox).filter((n) => n.startsWith(venueIdOf(t)));
    expect(names).toHaveLength(3);
  });

  const dirOf = (name: string): string => join(inbox, name);

  it('a changed data file is refused; the chain stops there; the other venue is still collected', async () => {
    const file = join(dirOf(names[1] ?? ''), 'events.jsonl.age');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const report = await collect();
    expect(report).toMatchObject({ collected: 2, refused: 2 });
    expect(refusedMessages(report)).toEqual({
      [names[1] ?? '']: 'events.jsonl.age was changed after signing (its SHA-256 does not match the manifest)',
      [names[2] ?? '']: `out of order: batch 2 of ${venueIdOf(t)} has not been collected (missing or refused), this is batch 3`,
    });
    expect(report.verdicts.find((v) => v.venueId === venueIdOf(other))?.status).toBe('collected');
  });

  it('a changed manifest is refused', async () => {
    const file = join(dirOf(names[0] ?? ''), 'manifest.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"events": (\d+)/, (_m, n: string) => `"events": ${Number(n) + 1}`));
    const report = await collect();
    expect(refusedMessages(report)[names[0] ?? '']).toBe('manifest.json does not match its signature: it was changed after signing, or signed by another key');
  });

  it('a bundle signed with another key (forged) is refused', async () => {
    const dir = dirOf(names[0] ?? '');
    const forger = generateKeyPairSync('ed25519').privateKey;
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { signature: { publicKeyFingerprint: string } };
    manifest.signature.publicKeyFingerprint = publicKeyFingerprint(rawPublicKey(forger));
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(dir, 'manifest.json'), text);
    writeFileSync(join(dir, 'manifest.sig'), `${signDetached(forger, Buffer.from(text)).toString('base64')}\n`);
    const report = await collect();
    expect(refusedMessages(report)[names[0] ?? '']).toMatch(/^forged or wrong key: signed by key [0-9a-f]{16}, not by the venue's key [0-9a-f]{16}$/);
  });

  it('a bundle verified against the wrong venue key is refused', async () => {
    writeFileSync(join(keys, `${venueIdOf(t)}.pub`), readFileSync(join(keys, `${venueIdOf(other)}.pub`), 'utf8').replace(venueIdOf(other), venueIdOf(t)));
    const report = await collect();
    expect(refusedMessages(report)[names[0] ?? '']).toMatch(/^forged or wrong key: signed by key [0-9a-f]{16}, not by the venue's key [0-9a-f]{16}$/);
    expect(report.collected).toBe(1); // the other venue
  });

  it('an unsigned bundle is refused', async () => {
    rmSync(join(dirOf(names[0] ?? ''), 'manifest.sig'));
    expect(refusedMessages(await collect())[names[0] ?? '']).toBe('unsigned: manifest.sig is missing');
  });

  it('a removed bundle makes the later ones out of order, until it arrives; then all are collected once', async () => {
    const kept = join(work.path, 'kept');
    renameSync(dirOf(names[1] ?? ''), kept);
    const report = await collect();
    expect(refusedMessages(report)[names[2] ?? '']).toBe(`out of order: batch 2 of ${venueIdOf(t)} has not been collected (missing or refused), this is batch 3`);
    expect(report).toMatchObject({ collected: 2, refused: 1 });
    renameSync(kept, dirOf(names[1] ?? ''));
    expect(await collect()).toMatchObject({ collected: 2, already: 2, refused: 0 });
    expect(central((db) => db.prepare('SELECT count(*) FROM events WHERE venue_id = ?').pluck().get(venueIdOf(t)))).toBe(eventCount(t.app));
  });

  it('a replayed bundle is refused: renamed to a later batch, under another venue, or re-issued with different content', async () => {
    expect(await collect()).toMatchObject({ collected: 4, refused: 0 });
    // batch 1 copied in as batch 4
    cpSync(dirOf(names[0] ?? ''), dirOf(bundleName(venueIdOf(t), 4)), { recursive: true });
    // the other venue's bundle claimed for this venue
    cpSync(dirOf(bundlesIn(inbox).find((n) => n.startsWith(venueIdOf(other))) ?? ''), dirOf(bundleName(venueIdOf(t), 5)), { recursive: true });
    const report = await collect();
    expect(refusedMessages(report)).toEqual({
      [bundleName(venueIdOf(t), 4)]: `the folder is named ${bundleName(venueIdOf(t), 4)} but holds bundle ${names[0]} (renamed or replayed)`,
      [bundleName(venueIdOf(t), 5)]: expect.stringMatching(/does not match its signature|forged or wrong key/),
    });
    // batch 2 again, re-encrypted: same range, different bytes
    const dir2 = dirOf(names[1] ?? '');
    const reissued = join(work.path, 'reissued');
    cpSync(dir2, reissued, { recursive: true });
    rmSync(dir2, { recursive: true });
    rmSync(dirOf(bundleName(venueIdOf(t), 4)), { recursive: true });
    rmSync(dirOf(bundleName(venueIdOf(t), 5)), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(reissued, 'manifest.json'), 'utf8')) as { createdAt: string };
    manifest.createdAt = '2030-01-01T00:00:00.000Z';
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(reissued, 'manifest.json'), text);
    const seed = t.app.ctx.secrets.get('signing');
    if (!seed) throw new Error('no key');
    const { signingKeyFromSeed } = await import('../../../electron/services/exportCrypto');
    writeFileSync(join(reissued, 'manifest.sig'), `${signDetached(signingKeyFromSeed(seed), Buffer.from(text)).toString('base64')}\n`);
    renameSync(reissued, dir2);
    expect(refusedMessages(await collect())[names[1] ?? '']).toBe(`batch 2 of ${venueIdOf(t)} was already collected with different content (replayed or re-issued bundle)`);
  });

  it('a file slipped into a bundle, or data for another identity, is refused', async () => {
    writeFileSync(join(dirOf(names[0] ?? ''), 'extra.txt'), 'hello');
    const report = await collect();
    expect(refusedMessages(report)[names[0] ?? '']).toBe('unexpected file extra.txt in the bundle, not covered by the signature');
    rmSync(join(dirOf(names[0] ?? ''), 'extra.txt'));
    const stranger = await municipality(join(work.path));
    const wrong = await collectIntoFile(centralFile, { inbox, identities: [stranger.identity], venueKeysDir: keys });
    expect(refusedMessages(wrong)[names[0] ?? '']).toMatch(/^events\.jsonl\.age cannot be decrypted with the identity given/);
    expect(central((db) => db.prepare('SELECT count(*) FROM events WHERE venue_id = ?').pluck().get(venueIdOf(t)))).toBe(0);
  });

  it('a venue without a public key in the keys folder is refused with where to put it', async () => {
    rmSync(join(keys, `${venueIdOf(t)}.pub`));
    const report = await collect();
    expect(refusedMessages(report)[names[0] ?? '']).toBe(`no public key for venue ${venueIdOf(t)}: put the output of its \`kliv keys show\` in ${join(keys, `${venueIdOf(t)}.pub`)}`);
  });
});

describe('verify', () => {
  it('checks one bundle, its place after the previous one, and its decrypted count', async () => {
    const t = await newVenue();
    await runExport(t.app);
    await addEvent(t);
    const [n1, n2] = bundlesIn(inbox);
    const key = parsePublicKey(readFileSync(join(keys, `${venueIdOf(t)}.pub`), 'utf8'));
    const b1 = await verifyBundle(join(inbox, n1 ?? ''), key);
    const b2 = await verifyBundle(join(inbox, n2 ?? ''), key);
    expect(b2.manifest.previousManifestSha256).toBe(sha256Of(readFileSync(join(inbox, n1 ?? '', 'manifest.json'))));
    expect(() => checkChain({ ...b1.manifest, manifestSha256: b1.manifestSha256 }, b2.manifest)).not.toThrow();
    expect(() => checkChain(null, b2.manifest)).toThrow(BundleRefused);
    expect(() => checkChain({ ...b2.manifest, manifestSha256: b2.manifestSha256 }, b1.manifest)).toThrow(/batch 1 of V[0-9A-F]+ cannot follow batch 2/);
    expect(await readBundleEvents(b1, [muni.identity], () => undefined)).toBe(b1.manifest.counts.events);
  });
});

describe('the central database', () => {
  it('has its own schema and refuses a venue database given by mistake', async () => {
    const t = await newVenue();
    const venueFile = join(t.dataDir, 'kliv.sqlite');
    expect(() => openCentralDatabase(venueFile)).toThrow(/not a Kliv central database/);
    const db = openCentralDatabase(centralFile);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
    const plain = new BetterSqlite3(join(work.path, 'other.sqlite'));
    plain.exec('CREATE TABLE x (a)');
    plain.close();
    expect(() => openCentralDatabase(join(work.path, 'other.sqlite'))).toThrow(/not a Kliv central database/);
    expect(() => openCentralDatabase(join(work.path, 'missing.sqlite'), { readonly: true })).toThrow(/kliv collect/);
  });

  it('collectInbox reports, per bundle, what happened', async () => {
    const t = await newVenue();
    await runExport(t.app);
    const db = openCentralDatabase(centralFile);
    try {
      const report = await collectInbox(db, { inbox, identities: [muni.identity], venueKeysDir: keys, now: () => 42 });
      expect(report.verdicts).toEqual([{
        bundle: bundleName(venueIdOf(t), 1), path: join(inbox, bundleName(venueIdOf(t), 1)), venueId: venueIdOf(t), batch: 1, status: 'collected',
        events: eventCount(t.app), message: `collected ${eventCount(t.app)} events (1–${eventCount(t.app)})`,
      }]);
      expect(db.prepare('SELECT collected_at FROM bundles').pluck().get()).toBe(42);
    } finally {
      db.close();
    }
  });
});
