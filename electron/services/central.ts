/**
 * The municipality's side of the export: `kliv verify` checks one bundle,
 * `kliv collect` verifies and ingests every new bundle of every venue from an
 * inbox folder into the central database (format: docs/export-format.md).
 *
 * A bundle is collected only when all of this holds, else it is refused with
 * one line saying why and the others are still collected:
 * - manifest.json is signed (manifest.sig) by the venue's key, as kept by the
 *   municipality in the venue-keys folder (`<venueId>.pub`);
 * - the manifest is format 1, names this folder, and every file matches its
 *   size and SHA-256 (and nothing unsigned lies beside them);
 * - it is the venue's next batch: its previous-manifest hash is the last
 *   collected one's and its event range starts right after it;
 * - the data file decrypts with the municipality's identity and holds exactly
 *   the events the manifest promises, in order.
 * A bundle that was already collected is recognised by its manifest hash and
 * skipped, so running collect again adds nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { Decrypter } from 'age-encryption';
import type { Database } from 'better-sqlite3';
import { isValidTimeZone } from '../../shared/time';
import {
  collectedManifestSha256, eventWriter, getCentralVenue, insertCollectedBundle, openCentralDatabase, upsertCentralVenue, type CentralVenue,
} from '../db/central/database';
import {
  BUNDLE_NAME_RE, bundleManifestSchema, GENESIS_MANIFEST_SHA256, MANIFEST_FILE, sha256Of, SIGNATURE_FILE, type BundleManifest,
} from './export';
import { parsePublicKey, publicKeyFingerprint, verifyDetached, type ParsedPublicKey } from './exportCrypto';

export { openCentralDatabase } from '../db/central/database';

/** Why a bundle is not accepted: one line, for the person running collect. */
export class BundleRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleRefused';
  }
}

export interface VerifiedBundle {
  dir: string;
  name: string;
  manifest: BundleManifest;
  manifestText: string;
  manifestSha256: string;
  /** manifest.sig as stored (base64 line). */
  signature: string;
}

/** Reads a venue public key file (`kliv keys show` output, or PEM). */
export async function readVenueKey(file: string): Promise<ParsedPublicKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new BundleRefused(`the venue key ${file} cannot be read`);
  }
  try {
    return parsePublicKey(text);
  } catch (err) {
    throw new BundleRefused(`the venue key ${file} is not usable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A venue key given on the command line: the key text itself, or a file holding it. */
export async function venueKeyFromArgument(arg: string): Promise<ParsedPublicKey> {
  if (arg.trim().startsWith('kliv-ed25519:')) {
    try {
      return parsePublicKey(arg);
    } catch (err) {
      throw new BundleRefused(`the venue key is not usable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return readVenueKey(arg);
}

async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Checks one bundle folder against a venue key: signature, manifest format,
 * file hashes. Does not look at the chain (that needs the previous bundle or
 * the central database) and does not decrypt.
 */
export async function verifyBundle(dir: string, key: ParsedPublicKey): Promise<VerifiedBundle> {
  const name = basename(dir);
  try {
    if (!(await stat(dir)).isDirectory()) throw new BundleRefused(`${dir} is not a bundle folder`);
  } catch (err) {
    if (err instanceof BundleRefused) throw err;
    throw new BundleRefused(`${dir} does not exist`);
  }
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(join(dir, MANIFEST_FILE));
  } catch {
    throw new BundleRefused(`no ${MANIFEST_FILE}: incomplete, or not a bundle`);
  }
  let signatureText: string;
  try {
    signatureText = await readFile(join(dir, SIGNATURE_FILE), 'utf8');
  } catch {
    throw new BundleRefused(`unsigned: ${SIGNATURE_FILE} is missing`);
  }
  const sigLine = signatureText.trim();
  const signature = /^[A-Za-z0-9+/]{86}==$/.test(sigLine) ? Buffer.from(sigLine, 'base64') : null;
  if (!signature || signature.length !== 64) throw new BundleRefused(`${SIGNATURE_FILE} does not hold an Ed25519 signature (64 bytes, base64)`);

  let loose: unknown = null;
  try {
    loose = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    // reported below, after the signature: an unsigned change is the first thing to say
  }
  if (!verifyDetached(key.key, manifestBytes, signature)) {
    const claimed = (loose as { signature?: { publicKeyFingerprint?: unknown } } | null)?.signature?.publicKeyFingerprint;
    const ours = publicKeyFingerprint(key.raw);
    if (typeof claimed === 'string' && claimed !== ours) {
      throw new BundleRefused(`forged or wrong key: signed by key ${claimed}, not by the venue's key ${ours}`);
    }
    throw new BundleRefused(`${MANIFEST_FILE} does not match its signature: it was changed after signing, or signed by another key`);
  }
  if (loose === null) throw new BundleRefused(`${MANIFEST_FILE} is not JSON`);
  const version = (loose as { formatVersion?: unknown }).formatVersion;
  if (version !== 1) throw new BundleRefused(`manifest format version ${String(version)} is not supported by this Kliv (it reads version 1)`);
  const parsed = bundleManifestSchema.safeParse(loose);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleRefused(`${MANIFEST_FILE} is not a valid format-1 manifest (${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'})`);
  }
  const manifest = parsed.data;
  if (manifest.bundle !== name) throw new BundleRefused(`the folder is named ${name} but holds bundle ${manifest.bundle} (renamed or replayed)`);
  if (key.venueId !== null && key.venueId !== manifest.venue.id) throw new BundleRefused(`the key given is venue ${key.venueId}'s, the bundle is from venue ${manifest.venue.id}`);
  if (!isValidTimeZone(manifest.venue.timeZone)) throw new BundleRefused(`unknown time zone ${manifest.venue.timeZone} in the manifest`);

  const expected = new Set<string>([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.files.map((f) => f.name)]);
  for (const entry of await readdir(dir)) {
    if (!expected.has(entry)) throw new BundleRefused(`unexpected file ${entry} in the bundle, not covered by the signature`);
  }
  for (const f of manifest.files) {
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new BundleRefused(`${f.name} is missing`);
    const actual = await fileDigest(path);
    if (actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) throw new BundleRefused(`${f.name} was changed after signing (its SHA-256 does not match the manifest)`);
  }
  return { dir, name, manifest, manifestText: manifestBytes.toString('utf8'), manifestSha256: sha256Of(manifestBytes), signature: sigLine };
}

/** Checks that `next` follows `previous` in one venue's chain. */
export function checkChain(previous: Pick<BundleManifest, 'venue' | 'batch' | 'seq'> & { manifestSha256: string } | null, next: BundleManifest): void {
  const venueId = next.venue.id;
  if (previous && previous.venue.id !== venueId) throw new BundleRefused(`the previous bundle is venue ${previous.venue.id}'s, this one is venue ${venueId}'s`);
  const expectedBatch = (previous?.batch ?? 0) + 1;
  if (next.batch !== expectedBatch) {
    throw new BundleRefused(next.batch > expectedBatch
      ? `out of order: batch ${expectedBatch} of ${venueId} has not been collected (missing or refused), this is batch ${next.batch}`
      : `batch ${next.batch} of ${venueId} cannot follow batch ${previous?.batch ?? 0}`);
  }
  const previousSha = previous?.manifestSha256 ?? GENESIS_MANIFEST_SHA256;
  if (next.previousManifestSha256 !== previousSha) {
    throw new BundleRefused(`chain broken: it does not follow batch ${previous?.batch ?? 0} of ${venueId} (previous-manifest hash differs)`);
  }
  const expectedFirst = (previous?.seq.last ?? 0) + 1;
  if (next.seq.first !== expectedFirst) {
    throw new BundleRefused(next.seq.first > expectedFirst
      ? `sequence gap: events ${expectedFirst}–${next.seq.first - 1} of ${venueId} are in no bundle`
      : `sequence overlap: events from ${next.seq.first} of ${venueId} were already collected`);
  }
}

// ---- decrypting ---------------------------------------------------------------

export interface BundleEvent {
  seq: number;
  at: number;
  type: string;
  participantCode: string | null;
  data: Record<string, unknown>;
}

function parseEventLine(line: string, lineNo: number, manifest: BundleManifest, previousSeq: number): BundleEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new BundleRefused(`line ${lineNo} of the data is not JSON`);
  }
  const e = raw as Partial<BundleEvent> | null;
  if (!e || typeof e !== 'object' || !Number.isInteger(e.seq) || typeof e.at !== 'number' || typeof e.type !== 'string'
    || !(e.participantCode === null || typeof e.participantCode === 'string') || !e.data || typeof e.data !== 'object' || Array.isArray(e.data)) {
    throw new BundleRefused(`line ${lineNo} of the data is not an event`);
  }
  const seq = e.seq as number;
  if (seq <= previousSeq || seq < manifest.seq.first || seq > manifest.seq.last) throw new BundleRefused(`event ${seq} on line ${lineNo} is out of order or outside the range ${manifest.seq.first}–${manifest.seq.last}`);
  return { seq, at: e.at, type: e.type, participantCode: e.participantCode ?? null, data: e.data };
}

/**
 * Decrypts the data file as a stream and hands over each event in order.
 * The ciphertext is hashed as it is read, so a file swapped after
 * verifyBundle checked it is still caught.
 */
export async function readBundleEvents(bundle: VerifiedBundle, identities: string[], onEvent: (e: BundleEvent) => void): Promise<number> {
  const file = bundle.manifest.files[0];
  if (!file) throw new BundleRefused('the manifest lists no data file');
  const decrypter = new Decrypter();
  for (const id of identities) decrypter.addIdentity(id);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const source = createReadStream(join(bundle.dir, file.name)).pipe(hashing);
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await decrypter.decrypt(Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>);
  } catch (err) {
    source.destroy();
    throw new BundleRefused(`${file.name} cannot be decrypted with the identity given (${err instanceof Error ? err.message : String(err)})`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = plain.getReader();
  let pending = '';
  let lineNo = 0;
  let previousSeq = 0;
  let count = 0;
  const take = (line: string): void => {
    lineNo++;
    const e = parseEventLine(line, lineNo, bundle.manifest, previousSeq);
    previousSeq = e.seq;
    count++;
    onEvent(e);
  };
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw new BundleRefused(`${file.name} is damaged: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (chunk.done) break;
      pending += decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        take(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    }
    pending += decoder.decode();
  } catch (err) {
    source.destroy();
    if (err instanceof BundleRefused) throw err;
    throw new BundleRefused(`the data is not UTF-8 JSON lines (${err instanceof Error ? err.message : String(err)})`);
  }
  if (pending !== '') throw new BundleRefused('the data ends in the middle of a line');
  if (hash.digest('hex') !== file.sha256) throw new BundleRefused(`${file.name} changed while it was read`);
  if (count !== file.rows || count !== bundle.manifest.counts.events) throw new BundleRefused(`the data holds ${count} events, the manifest says ${bundle.manifest.counts.events}`);
  return count;
}

// ---- collecting -----------------------------------------------------------------

export interface CollectOptions {
  inbox: string;
  /** age identities (AGE-SECRET-KEY-1…). */
  identities: string[];
  /** Folder of `<venueId>.pub` (or .pem) files. */
  venueKeysDir: string;
  now?: () => number;
}

export interface CollectVerdict {
  bundle: string;
  path: string;
  venueId: string | null;
  batch: number | null;
  status: 'collected' | 'already' | 'refused';
  events: number;
  message: string;
}

export interface CollectReport {
  verdicts: CollectVerdict[];
  collected: number;
  already: number;
  refused: number;
}

interface Candidate { path: string; name: string; venueId: string | null; batch: number | null }

async function looksLikeBundle(path: string, name: string): Promise<boolean> {
  return BUNDLE_NAME_RE.test(name) || existsSync(join(path, MANIFEST_FILE));
}

/** Bundle folders in the inbox, or one level down (a folder per venue). Names starting with "." are writes in progress. */
async function findCandidates(inbox: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (await looksLikeBundle(path, e.name)) {
        const m = BUNDLE_NAME_RE.exec(e.name);
        let venueId = m?.[1] ?? null;
        let batch = m ? Number(m[2]) : null;
        if (!m) {
          try {
            const loose = JSON.parse(await readFile(join(path, MANIFEST_FILE), 'utf8')) as { venue?: { id?: unknown }; batch?: unknown };
            venueId = typeof loose.venue?.id === 'string' ? loose.venue.id : null;
            batch = typeof loose.batch === 'number' ? loose.batch : null;
          } catch {
            // refused below as not a bundle
          }
        }
        found.push({ path, name: e.name, venueId, batch });
      } else if (depth === 0) {
        await visit(path, 1);
      }
    }
  };
  await visit(inbox, 0);
  return found;
}

async function venueKeyIn(dir: string, venueId: string): Promise<ParsedPublicKey> {
  for (const ext of ['.pub', '.pem']) {
    const file = join(dir, `${venueId}${ext}`);
    if (existsSync(file)) return readVenueKey(file);
  }
  throw new BundleRefused(`no public key for venue ${venueId}: put the output of its \`kliv keys show\` in ${join(dir, `${venueId}.pub`)}`);
}

/** Verifies and ingests one bundle, all or nothing. */
async function collectOne(db: Database, c: Candidate & { venueId: string }, key: ParsedPublicKey, options: CollectOptions): Promise<CollectVerdict> {
  const base = { bundle: c.name, path: c.path, venueId: c.venueId, batch: c.batch };
  const bundle = await verifyBundle(c.path, key);
  const m = bundle.manifest;
  if (m.venue.id !== c.venueId) throw new BundleRefused(`the folder says venue ${c.venueId}, the manifest venue ${m.venue.id}`);
  db.exec('BEGIN IMMEDIATE');
  try {
    const state = getCentralVenue(db, m.venue.id);
    if (state && m.batch <= state.lastBatch) {
      const stored = collectedManifestSha256(db, m.venue.id, m.batch);
      db.exec('ROLLBACK');
      if (stored === bundle.manifestSha256) return { ...base, batch: m.batch, status: 'already', events: 0, message: 'already collected' };
      throw new BundleRefused(`batch ${m.batch} of ${m.venue.id} was already collected with different content (replayed or re-issued bundle)`);
    }
    const previous = state ? { venue: { id: state.venueId }, batch: state.lastBatch, seq: { last: state.lastSeq }, manifestSha256: state.lastManifestSha256 } : null;
    checkChain(previous as Parameters<typeof checkChain>[0], m);
    const write = eventWriter(db);
    const venueId = m.venue.id;
    const events = await readBundleEvents(bundle, options.identities, (e) => write({ venueId, seq: e.seq, batch: m.batch, at: e.at, type: e.type, participantCode: e.participantCode, data: e.data }));
    const now = (options.now ?? Date.now)();
    const next: CentralVenue = {
      venueId, timeZone: m.venue.timeZone, mode: m.venue.mode, publicKeyFingerprint: publicKeyFingerprint(key.raw),
      lastBatch: m.batch, lastSeq: m.seq.last, lastManifestSha256: bundle.manifestSha256,
    };
    upsertCentralVenue(db, next, now);
    insertCollectedBundle(db, {
      venueId, batch: m.batch, name: bundle.name, firstSeq: m.seq.first, lastSeq: m.seq.last, events, manifestSha256: bundle.manifestSha256,
      previousManifestSha256: m.previousManifestSha256, auditHead: m.auditChain.head, auditEntries: m.auditChain.entries, auditIntact: m.auditChain.intact,
      createdAt: m.createdAt, collectedAt: now, manifest: bundle.manifestText, signature: bundle.signature,
    });
    db.exec('COMMIT');
    const warning = m.auditChain.intact ? '' : ' (note: the venue reported its audit chain as broken)';
    return { ...base, batch: m.batch, status: 'collected', events, message: `collected ${events} events (${m.seq.first}–${m.seq.last})${warning}` };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/**
 * Collects every new bundle in the inbox. Never throws for a bad bundle:
 * each gets a verdict, and the others go on.
 */
export async function collectInbox(db: Database, options: CollectOptions): Promise<CollectReport> {
  if (!existsSync(options.inbox)) throw new Error(`the inbox ${options.inbox} does not exist`);
  if (!existsSync(options.venueKeysDir)) throw new Error(`the venue-keys folder ${options.venueKeysDir} does not exist`);
  const candidates = await findCandidates(options.inbox);
  const verdicts: CollectVerdict[] = [];
  const byVenue = new Map<string, (Candidate & { venueId: string })[]>();
  for (const c of candidates) {
    if (c.venueId === null || c.batch === null) {
      verdicts.push({ bundle: c.name, path: c.path, venueId: null, batch: null, status: 'refused', events: 0, message: 'not a bundle: the name is not <venue>-<batch> and there is no readable manifest.json' });
      continue;
    }
    const list = byVenue.get(c.venueId) ?? [];
    list.push({ ...c, venueId: c.venueId });
    byVenue.set(c.venueId, list);
  }
  for (const [venueId, list] of [...byVenue.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => (a.batch ?? 0) - (b.batch ?? 0) || a.path.localeCompare(b.path));
    let key: ParsedPublicKey | null = null;
    let keyProblem = '';
    try {
      key = await venueKeyIn(options.venueKeysDir, venueId);
    } catch (err) {
      keyProblem = err instanceof Error ? err.message : String(err);
    }
    for (const c of list) {
      if (!key) {
        verdicts.push({ bundle: c.name, path: c.path, venueId, batch: c.batch, status: 'refused', events: 0, message: keyProblem });
        continue;
      }
      try {
        verdicts.push(await collectOne(db, c, key, options));
      } catch (err) {
        const message = err instanceof BundleRefused ? err.message : `could not be collected: ${err instanceof Error ? err.message : String(err)}`;
        verdicts.push({ bundle: c.name, path: c.path, venueId, batch: c.batch, status: 'refused', events: 0, message });
      }
    }
  }
  return {
    verdicts,
    collected: verdicts.filter((v) => v.status === 'collected').length,
    already: verdicts.filter((v) => v.status === 'already').length,
    refused: verdicts.filter((v) => v.status === 'refused').length,
  };
}

/** Opens the central database file and collects into it (the `kliv collect` command). */
export async function collectIntoFile(file: string, options: CollectOptions): Promise<CollectReport> {
  const db = openCentralDatabase(file);
  try {
    return await collectInbox(db, options);
  } finally {
    db.close();
  }
}
