/**
 * The nightly export to the municipality (format: docs/export-format.md).
 *
 * Exactly once, from the append-only event log:
 * 1. A batch is made once, in one transaction: the next number, the event
 *    range after the previous batch, the previous manifest's hash and the
 *    audit chain head. Its number and range never change.
 * 2. The bundle is built once into the outbox in the data folder (written
 *    under a temporary name, synced, renamed) and its manifest recorded. Every
 *    destination and every retry then gets these same bytes, which is what
 *    lets batch N+1 chain to batch N's manifest hash.
 * 3. Each destination gets a copy under a temporary name, synced and renamed
 *    (folder) or one POST (HTTPS). Only when every destination holds the
 *    bundle is the batch acknowledged: that is the watermark.
 * A crash at any point leaves either no batch (nothing happened), a batch to
 * build again with the same number and range, or a built bundle to deliver
 * again; a destination that already holds it is recognised by its manifest
 * hash, so nothing is duplicated and nothing skipped.
 *
 * Only codes leave the venue: events carry participant codes, and any key
 * that names a person is dropped from event data on the way out.
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { createReadStream, existsSync, openAsBlob } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Encrypter } from 'age-encryption';
import { Cron } from 'croner';
import { z } from 'zod';
import type { ExportAttemptView, ExportStatusView } from '../../shared/contract/export';
import { KlivError } from '../../shared/errors';
import { countAudit, lastAuditRow } from '../db/audit';
import {
  acknowledgeBatch, acquireLease, countBatches, countEventsInRange, eventPage, exportedThroughSeq, finishAttempt, insertAttempt, insertBatch, insertDelivery,
  isDelivered, lastBatch, lastSuccessfulAttempt, markInterruptedAttempts, pendingBatch, recentAttempts, recordManifest, releaseLease, seqOfNthEventAfter,
  type DestinationKind, type ExportAttempt, type ExportBatch, type ExportTrigger, type RawEventRow,
} from '../db/export';
import type { Venue } from '../db/venue';
import { audit, auditKey, verifyAuditChain } from './audit';
import type { ServiceContext } from './context';
import { isAgeRecipientList, isExportUrl, parseRecipientList, publicKeyFingerprint, rawPublicKey, signDetached, signingKeyFromSeed } from './exportCrypto';
import { readSetting } from './settings';
import { requireVenue } from './venue';

export type { ExportTrigger } from '../db/export';

export const BUNDLE_FORMAT = 'kliv-export-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const DATA_FILE = 'events.jsonl.age';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const BUNDLE_FILES = [DATA_FILE, MANIFEST_FILE, SIGNATURE_FILE] as const;
/** previousManifestSha256 of batch 1. */
export const GENESIS_MANIFEST_SHA256 = '0'.repeat(64);
export const OUTBOX_DIR_NAME = 'export-outbox';
/** Staff see a warning when the last successful export is older than this. */
export const EXPORT_OVERDUE_MS = 36 * 3600_000;
export const DEFAULT_MAX_EVENTS_PER_BATCH = 50_000;
const PAGE_SIZE = 1000;
const LEASE_MS = 15 * 60_000;

export function bundleName(venueId: string, batch: number): string {
  return `${venueId}-${String(batch).padStart(6, '0')}`;
}

/** `<venueId>-<batch, at least 6 digits>`; venue ids are letters and digits. */
export const BUNDLE_NAME_RE = /^([A-Za-z0-9]{1,40})-(\d{6,9})$/;

export function exportOutboxDir(dataDir: string): string {
  return join(dataDir, OUTBOX_DIR_NAME);
}

// ---- the manifest -----------------------------------------------------------

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  bundle: z.string().regex(BUNDLE_NAME_RE),
  venue: z.object({ id: z.string().regex(/^[A-Za-z0-9]{1,40}$/), timeZone: z.string().min(1).max(64), mode: z.enum(['structured', 'dropin']) }).strict(),
  batch: z.number().int().min(1),
  seq: z.object({ first: z.number().int().min(1), last: z.number().int().min(1) }).strict(),
  counts: z.object({ events: z.number().int().min(0) }).strict(),
  files: z.array(z.object({
    name: z.literal(DATA_FILE),
    sha256: sha256Hex,
    bytes: z.number().int().min(0),
    rows: z.number().int().min(0),
    content: z.literal('application/x-ndjson'),
    encryption: z.literal('age'),
  }).strict()).length(1),
  previousManifestSha256: sha256Hex,
  auditChain: z.object({ entries: z.number().int().min(0), head: z.string().regex(/^[0-9a-f]{64}$/), intact: z.boolean() }).strict(),
  createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  signature: z.object({ algorithm: z.literal('Ed25519'), file: z.literal(SIGNATURE_FILE), publicKeyFingerprint: z.string().regex(/^[0-9a-f]{16}$/) }).strict(),
}).strict()
  .refine((m) => m.seq.last >= m.seq.first, 'seq.last is before seq.first')
  .refine((m) => m.files.reduce((n, f) => n + f.rows, 0) === m.counts.events, 'counts.events is not the sum of the files\' rows')
  .refine((m) => m.bundle === bundleName(m.venue.id, m.batch), 'bundle is not <venue id>-<batch>');

export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** The manifest's bytes: fixed key order, two-space indent, LF, one trailing newline. */
export function serializeManifest(m: BundleManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

export function sha256Of(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ---- exported event lines -------------------------------------------------

/** One line of events.jsonl: the event as stored, data without anything that names a person. */
export interface ExportedEvent {
  seq: number;
  at: number;
  type: string;
  participantCode: string | null;
  data: Record<string, unknown>;
}

// Events are written with codes only; this is the second line of defence for
// a future event type that carries a name by mistake.
const NAME_KEY = /^(display_?name|name|first_?name|last_?name|full_?name|nick_?name|given_?name|family_?name|staff_?name)$/i;

function withoutNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNames);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!NAME_KEY.test(k)) out[k] = withoutNames(v);
    return out;
  }
  return value;
}

export function exportedEventOf(row: RawEventRow): ExportedEvent {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    data = {};
  }
  const clean = withoutNames(data);
  return { seq: row.seq, at: row.at, type: row.type, participantCode: row.participant_code, data: clean !== null && typeof clean === 'object' && !Array.isArray(clean) ? clean as Record<string, unknown> : {} };
}

// ---- configuration ------------------------------------------------------------

export type Destination =
  | { kind: 'folder'; target: string }
  | { kind: 'url'; target: string; token: string };

export interface ExportConfig {
  recipients: string[];
  destinations: Destination[];
}

/**
 * What the export will do, or EXPORT_NOT_CONFIGURED saying what to set.
 * `to` (kliv export --to DIR) replaces the configured destinations for one run.
 */
export function exportConfig(ctx: Pick<ServiceContext, 'db'>, to?: string): ExportConfig {
  const recipient = readSetting(ctx, 'export.recipient');
  if (!recipient || !isAgeRecipientList(recipient)) {
    throw new KlivError('EXPORT_NOT_CONFIGURED', "Export is not set up: no recipient. Set the municipality's age public key with `kliv config set export.recipient age1…`.");
  }
  const destinations: Destination[] = [];
  if (to !== undefined) {
    destinations.push({ kind: 'folder', target: resolve(to) });
  } else {
    const folder = readSetting(ctx, 'export.folder');
    const url = readSetting(ctx, 'export.url');
    const token = readSetting(ctx, 'export.token');
    if (folder && isAbsolute(folder)) destinations.push({ kind: 'folder', target: folder });
    if (url && isExportUrl(url)) {
      if (!token) throw new KlivError('EXPORT_NOT_CONFIGURED', 'Export is not set up: export.url is set but export.token is not. Set it with `kliv config set export.token TOKEN`.');
      destinations.push({ kind: 'url', target: url, token });
    }
    if (destinations.length === 0) {
      throw new KlivError('EXPORT_NOT_CONFIGURED', 'Export is not set up: no destination. Set `kliv config set export.folder /path/on/the/share` or `kliv config set export.url https://…` (or run `kliv export --to DIR`).');
    }
  }
  return { recipients: parseRecipientList(recipient), destinations };
}

function isConfigured(ctx: Pick<ServiceContext, 'db'>): boolean {
  try {
    exportConfig(ctx);
    return true;
  } catch {
    return false;
  }
}

/** How a destination is shown on screen and in messages: never the token, no query string. */
export function describeDestination(d: { kind: DestinationKind; target: string }): string {
  if (d.kind === 'folder') return `folder ${d.target}`;
  try {
    const u = new URL(d.target);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'the export address';
  }
}

// ---- the venue's signing key --------------------------------------------------

/**
 * The venue's Ed25519 key. It is made at `kliv init`; a venue made before
 * exports existed gets it on first use. Once a bundle has been signed the key
 * is never silently replaced: the municipality trusts that one.
 */
export function venueSigningKey(ctx: ServiceContext): { privateKey: KeyObject; publicKey: Buffer } {
  let seed = ctx.secrets.get('signing');
  if (!seed) {
    if (countBatches(ctx.db) > 0) {
      throw new KlivError('KEY_UNAVAILABLE', `The venue's signing key is missing (${ctx.secrets.describe()}) although bundles were signed with it; restore it from backup (the municipality would not trust a new key).`);
    }
    seed = ctx.secrets.getOrCreate('signing');
  }
  const privateKey = signingKeyFromSeed(seed);
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

// ---- running an export --------------------------------------------------------

export interface ExportHooks {
  /** After the bundle is built in the outbox, before any delivery. */
  afterStaged?(batch: number): void | Promise<void>;
  /** After a destination holds the whole bundle (renamed into place / 2xx), before that is recorded. */
  beforeAcknowledge?(batch: number, destination: Destination['kind']): void | Promise<void>;
  /** Before anything is written into a destination folder (tests use it to stand in for a read-only share). */
  beforeFolderWrite?(folder: string): void | Promise<void>;
}

export interface ExportOptions {
  /** Where bundles are built: exportOutboxDir(dataDir). */
  outboxDir: string;
  trigger: ExportTrigger;
  /** Who is recorded in the audit log: 'scheduler', 'cli', 'staff:<id>'. */
  actor?: string;
  /** Deliver to this folder instead of the configured destinations (kliv export --to). */
  to?: string;
  /** Tries per destination and batch within one run (default 4). */
  tries?: number;
  /** Wait before the second try; doubles each time (default 2 s). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  /** Per POST (default 120 s). */
  httpTimeoutMs?: number;
  maxEventsPerBatch?: number;
  hooks?: ExportHooks;
}

export interface ExportedBatch {
  batch: number;
  name: string;
  firstSeq: number;
  lastSeq: number;
  events: number;
  manifestSha256: string;
  destinations: string[];
}

export interface ExportResult {
  attemptId: number;
  outcome: 'ok' | 'nothing' | 'failed';
  batches: ExportedBatch[];
  events: number;
  message: string;
  exportedThroughSeq: number;
}

const running = new WeakMap<object, Promise<ExportResult>>();

export function isExportRunning(db: object): boolean {
  return running.has(db);
}

/**
 * Exports everything not yet acknowledged. Resolves with the outcome (a
 * failed delivery is an outcome, recorded in the history); rejects only when
 * the export is not configured or another process is exporting. A second call
 * while one runs in this process joins it.
 */
export function exportNow(ctx: ServiceContext, options: ExportOptions): Promise<ExportResult> {
  const current = running.get(ctx.db);
  if (current) return current;
  let config: ExportConfig;
  let venue: Venue;
  try {
    config = exportConfig(ctx, options.to);
    venue = requireVenue(ctx);
  } catch (err) {
    return Promise.reject(err);
  }
  const run = runExport(ctx, venue, config, options).finally(() => running.delete(ctx.db));
  running.set(ctx.db, run);
  return run;
}

class DeliveryError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

async function runExport(ctx: ServiceContext, venue: Venue, config: ExportConfig, o: ExportOptions): Promise<ExportResult> {
  const { db } = ctx;
  const actor = o.actor ?? (o.trigger === 'cli' ? 'cli' : 'scheduler');
  const owner = randomBytes(9).toString('base64url');
  if (!acquireLease(db, owner, ctx.clock.now(), LEASE_MS)) {
    const id = insertAttempt(db, { startedAt: ctx.clock.now(), trigger: o.trigger, actor });
    const message = 'Another export is running (in the kiosk or in `kliv export`); this one did not start. Try again in a few minutes.';
    finishAttempt(db, id, { finishedAt: ctx.clock.now(), outcome: 'failed', firstBatch: null, lastBatch: null, events: 0, message });
    throw new KlivError('EXPORT_FAILED', message);
  }
  const attemptId = insertAttempt(db, { startedAt: ctx.clock.now(), trigger: o.trigger, actor });
  markInterruptedAttempts(db, attemptId, ctx.clock.now());
  const done: ExportedBatch[] = [];
  let outcome: ExportResult['outcome'] = 'nothing';
  let message = '';
  try {
    const { privateKey, publicKey } = venueSigningKey(ctx);
    for (;;) {
      // A long run (a big backlog, a slow server) keeps its lease alive batch by batch.
      if (!acquireLease(db, owner, ctx.clock.now(), LEASE_MS)) throw new KlivError('EXPORT_FAILED', 'Another export took over after this one stalled for 15 minutes; it carries on from here.');
      const batch = pendingBatch(db) ?? createNextBatch(ctx, o.maxEventsPerBatch ?? DEFAULT_MAX_EVENTS_PER_BATCH);
      if (!batch) break;
      const staged = await stageBundle(ctx, venue, batch, config.recipients, o.outboxDir, { privateKey, publicKey });
      await o.hooks?.afterStaged?.(batch.batch);
      const failures: string[] = [];
      for (const dest of config.destinations) {
        if (isDelivered(db, batch.batch, dest.kind, dest.target)) continue;
        const failure = await deliverWithRetries(dest, staged, o);
        if (failure) {
          failures.push(failure);
          continue;
        }
        await o.hooks?.beforeAcknowledge?.(batch.batch, dest.kind);
        insertDelivery(db, { batch: batch.batch, destination: dest.kind, target: dest.target, deliveredAt: ctx.clock.now() });
      }
      if (failures.length > 0) throw new DeliveryError(`Batch ${batch.batch} (${staged.name}) was not delivered: ${failures.join('; ')}. Nothing is lost: it is sent again on the next run.`, false);
      acknowledgeBatch(db, batch.batch, ctx.clock.now());
      await rm(staged.dir, { recursive: true, force: true });
      done.push({
        batch: batch.batch, name: staged.name, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq, events: staged.rows,
        manifestSha256: staged.manifestSha256, destinations: config.destinations.map(describeDestination),
      });
    }
    outcome = done.length > 0 ? 'ok' : 'nothing';
    message = done.length > 0
      ? `Delivered ${done.length === 1 ? `batch ${done[0]?.batch}` : `batches ${done[0]?.batch}–${done[done.length - 1]?.batch}`} (${done.reduce((n, b) => n + b.events, 0)} events) to ${config.destinations.map(describeDestination).join(' and ')}.`
      : 'Nothing new to export.';
  } catch (err) {
    outcome = 'failed';
    message = err instanceof KlivError || err instanceof DeliveryError ? err.message : `The export stopped: ${err instanceof Error ? err.message : String(err)}`;
    if (done.length > 0) message = `Delivered batches ${done[0]?.batch}–${done[done.length - 1]?.batch}, then: ${message}`;
  } finally {
    const events = done.reduce((n, b) => n + b.events, 0);
    const firstBatch = done[0]?.batch ?? null;
    const lastBatchNo = done[done.length - 1]?.batch ?? null;
    try {
      audit(ctx, {
        actor, action: 'export.run', subject: firstBatch === null ? null : `batch:${firstBatch}${lastBatchNo !== firstBatch ? `-${lastBatchNo}` : ''}`,
        detail: { trigger: o.trigger, outcome, batches: done.map((b) => b.batch), events, destinations: config.destinations.map((d) => d.kind) },
      });
    } catch (err) {
      message = `${message} (The audit log could not be written: ${err instanceof Error ? err.message : String(err)})`;
    }
    try {
      finishAttempt(db, attemptId, { finishedAt: ctx.clock.now(), outcome: outcome === 'failed' ? 'failed' : outcome, firstBatch, lastBatch: lastBatchNo, events, message });
    } finally {
      releaseLease(db, owner);
    }
  }
  return { attemptId, outcome, batches: done, events: done.reduce((n, b) => n + b.events, 0), message, exportedThroughSeq: exportedThroughSeq(db) };
}

interface AuditState { entries: number; head: string; intact: boolean }

function auditChainState(ctx: ServiceContext): AuditState {
  const last = lastAuditRow(ctx.db);
  const entries = countAudit(ctx.db);
  if (!last) return { entries: 0, head: GENESIS_MANIFEST_SHA256, intact: true };
  try {
    const verdict = verifyAuditChain(ctx.db, auditKey(ctx.db, ctx.secrets));
    if (verdict.ok) return { entries: verdict.entries, head: verdict.head, intact: true };
  } catch {
    // A missing audit key must not stop the export; the manifest says the chain could not be vouched for.
  }
  return { entries, head: last.mac, intact: false };
}

function createNextBatch(ctx: ServiceContext, maxEvents: number): ExportBatch | undefined {
  const { db } = ctx;
  return db.transaction(() => {
    const pending = pendingBatch(db);
    if (pending) return pending;
    const previous = lastBatch(db);
    const after = previous?.lastSeq ?? 0;
    const upTo = seqOfNthEventAfter(db, after, Math.max(1, maxEvents));
    if (upTo === undefined) return undefined;
    const chain = auditChainState(ctx);
    return insertBatch(db, {
      batch: (previous?.batch ?? 0) + 1,
      firstSeq: after + 1,
      lastSeq: upTo,
      rows: countEventsInRange(db, after, upTo),
      createdAt: ctx.clock.now(),
      previousManifestSha256: previous?.manifestSha256 ?? GENESIS_MANIFEST_SHA256,
      auditHead: chain.head,
      auditEntries: chain.entries,
      auditIntact: chain.intact,
    });
  }).immediate();
}

// ---- building the bundle --------------------------------------------------------

interface StagedBundle {
  name: string;
  dir: string;
  manifestSha256: string;
  rows: number;
}

function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

async function fsyncPath(path: string, dir: boolean): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch (err) {
    // Windows cannot open or sync a directory; the rename is still atomic there.
    if (!(dir && process.platform === 'win32')) throw err;
  } finally {
    await fh?.close();
  }
}

async function writeFileSynced(path: string, bytes: Buffer | string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Removes what an interrupted earlier write left under a temporary name. */
async function removeLeftovers(dir: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
}

async function writeEncryptedEvents(db: ServiceContext['db'], batch: ExportBatch, recipients: string[], file: string): Promise<{ sha256: string; bytes: number; rows: number }> {
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const encoder = new TextEncoder();
  let after = batch.firstSeq - 1;
  let rows = 0;
  // Pulled a page at a time, so memory stays flat whatever the batch size.
  const plain = new ReadableStream<Uint8Array>({
    pull(controller) {
      const page = eventPage(db, after, batch.lastSeq, PAGE_SIZE);
      if (page.length === 0) {
        controller.close();
        return;
      }
      after = page[page.length - 1]?.seq ?? batch.lastSeq;
      rows += page.length;
      controller.enqueue(encoder.encode(page.map((r) => `${JSON.stringify(exportedEventOf(r))}\n`).join('')));
    },
  });
  const encrypted = await encrypter.encrypt(plain);
  const hash = createHash('sha256');
  let bytes = 0;
  const fh = await open(file, 'wx', 0o600);
  try {
    const reader = encrypted.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      bytes += value.length;
      await fh.write(value);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes, rows };
}

/**
 * A bundle already in the outbox is used as it is when it is this batch's
 * (recorded manifest, or — after a crash before it was recorded — a manifest
 * for exactly this batch) and its files are whole.
 */
async function usableStagedBundle(dir: string, batch: ExportBatch, venue: Venue, publicKey: Buffer): Promise<{ manifestText: string; manifest: BundleManifest } | null> {
  try {
    const manifestText = await readFile(join(dir, MANIFEST_FILE), 'utf8');
    if (batch.manifestSha256 !== null && sha256Of(manifestText) !== batch.manifestSha256) return null;
    const manifest = bundleManifestSchema.parse(JSON.parse(manifestText));
    if (manifest.batch !== batch.batch || manifest.venue.id !== venue.venueId || manifest.seq.first !== batch.firstSeq || manifest.seq.last !== batch.lastSeq
      || manifest.previousManifestSha256 !== batch.previousManifestSha256 || manifest.signature.publicKeyFingerprint !== publicKeyFingerprint(publicKey)) return null;
    for (const f of manifest.files) {
      const actual = await fileSha256(join(dir, f.name));
      if (actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) return null;
    }
    if (!existsSync(join(dir, SIGNATURE_FILE))) return null;
    return { manifestText, manifest };
  } catch {
    return null;
  }
}

async function stageBundle(ctx: ServiceContext, venue: Venue, batch: ExportBatch, recipients: string[], outboxDir: string, key: { privateKey: KeyObject; publicKey: Buffer }): Promise<StagedBundle> {
  const name = bundleName(venue.venueId, batch.batch);
  const dir = join(outboxDir, name);
  await mkdir(outboxDir, { recursive: true, mode: 0o700 });
  if (existsSync(dir)) {
    const usable = await usableStagedBundle(dir, batch, venue, key.publicKey);
    if (usable) {
      const sha = sha256Of(usable.manifestText);
      if (batch.manifestSha256 === null) recordManifest(ctx.db, batch.batch, usable.manifestText, sha, usable.manifest.counts.events);
      return { name, dir, manifestSha256: sha, rows: usable.manifest.counts.events };
    }
    await rm(dir, { recursive: true, force: true });
  }
  await removeLeftovers(outboxDir, `.${name}.build-`);
  const tmp = join(outboxDir, `.${name}.build-${randomSuffix()}`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    const data = await writeEncryptedEvents(ctx.db, batch, recipients, join(tmp, DATA_FILE));
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      bundle: name,
      venue: { id: venue.venueId, timeZone: venue.timeZone, mode: venue.mode },
      batch: batch.batch,
      seq: { first: batch.firstSeq, last: batch.lastSeq },
      counts: { events: data.rows },
      files: [{ name: DATA_FILE, sha256: data.sha256, bytes: data.bytes, rows: data.rows, content: 'application/x-ndjson', encryption: 'age' }],
      previousManifestSha256: batch.previousManifestSha256,
      auditChain: { entries: batch.auditEntries, head: batch.auditHead, intact: batch.auditIntact },
      createdAt: new Date(batch.createdAt).toISOString(),
      signature: { algorithm: 'Ed25519', file: SIGNATURE_FILE, publicKeyFingerprint: publicKeyFingerprint(key.publicKey) },
    };
    const manifestText = serializeManifest(manifest);
    const manifestBytes = Buffer.from(manifestText, 'utf8');
    await writeFileSynced(join(tmp, MANIFEST_FILE), manifestBytes);
    await writeFileSynced(join(tmp, SIGNATURE_FILE), `${signDetached(key.privateKey, manifestBytes).toString('base64')}\n`);
    await fsyncPath(tmp, true);
    await rename(tmp, dir);
    await fsyncPath(outboxDir, true);
    const sha = sha256Of(manifestBytes);
    recordManifest(ctx.db, batch.batch, manifestText, sha, data.rows);
    return { name, dir, manifestSha256: sha, rows: data.rows };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

// ---- delivering it --------------------------------------------------------------

const sleepFor = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function deliverWithRetries(dest: Destination, staged: StagedBundle, o: ExportOptions): Promise<string | null> {
  const tries = Math.max(1, o.tries ?? 4);
  let wait = o.backoffMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      if (dest.kind === 'folder') await deliverToFolder(dest.target, staged, o.hooks);
      else await deliverToUrl(dest, staged, o);
      return null;
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), false);
      if (e.permanent || attempt >= tries) return `${describeDestination(dest)}: ${e.message}${attempt > 1 ? ` (tried ${attempt} times)` : ''}`;
      await (o.sleep ?? sleepFor)(wait);
      wait *= 2;
    }
  }
}

function folderError(err: unknown, folder: string): DeliveryError {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new DeliveryError(`the folder ${folder} cannot be written (read-only or no permission)`, false);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DeliveryError(`the folder ${folder} is full`, false);
  if (code === 'ENOENT') return new DeliveryError(`the folder ${folder} disappeared while writing (is the share still mounted?)`, false);
  return new DeliveryError(`writing to ${folder} failed (${code ?? (err instanceof Error ? err.message : 'unknown error')})`, false);
}

/** The destination already holds this bundle (an earlier run got this far), or a different one under the same name. */
async function sameBundleAlreadyThere(final: string, staged: StagedBundle): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(final, MANIFEST_FILE), 'utf8');
  } catch {
    return false;
  }
  if (sha256Of(text) !== staged.manifestSha256) return false;
  for (const f of [DATA_FILE, SIGNATURE_FILE]) {
    const [theirs, ours] = await Promise.all([fileSha256(join(final, f)).catch(() => null), fileSha256(join(staged.dir, f))]);
    if (!theirs || theirs.sha256 !== ours.sha256) return false;
  }
  return true;
}

async function deliverToFolder(folder: string, staged: StagedBundle, hooks: ExportHooks | undefined): Promise<void> {
  // The folder itself is never created: when the share is not mounted, its
  // mount point is an ordinary local folder (or nothing), and the bundle must
  // not quietly land on the kiosk's own disk.
  let info;
  try {
    info = await stat(folder);
  } catch {
    throw new DeliveryError(`the folder ${folder} is not there (is the share mounted?)`, false);
  }
  if (!info.isDirectory()) throw new DeliveryError(`${folder} is not a folder`, false);
  const final = join(folder, staged.name);
  if (existsSync(final)) {
    if (await sameBundleAlreadyThere(final, staged)) return;
    throw new DeliveryError(`${folder} already holds a different ${staged.name}; it was not overwritten (was the kiosk's data restored from an older backup?)`, true);
  }
  const tmp = join(folder, `.${staged.name}.tmp-${randomSuffix()}`);
  try {
    await hooks?.beforeFolderWrite?.(folder);
    await removeLeftovers(folder, `.${staged.name}.tmp-`);
    await mkdir(tmp);
    for (const f of BUNDLE_FILES) {
      await copyFile(join(staged.dir, f), join(tmp, f));
      // The outbox is owner-only; at the destination the municipality's collector must be able to read it (the data is encrypted).
      await chmod(join(tmp, f), 0o644).catch(() => undefined);
      await fsyncPath(join(tmp, f), false);
    }
    await fsyncPath(tmp, true);
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (existsSync(final) && await sameBundleAlreadyThere(final, staged)) return;
    throw err instanceof DeliveryError ? err : folderError(err, folder);
  }
  await fsyncPath(folder, true).catch(() => undefined);
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

async function deliverToUrl(dest: Extract<Destination, { kind: 'url' }>, staged: StagedBundle, o: ExportOptions): Promise<void> {
  if (!isExportUrl(dest.target)) throw new DeliveryError('export.url is not an https:// address', true);
  const form = new FormData();
  for (const f of BUNDLE_FILES) {
    const type = f === MANIFEST_FILE ? 'application/json' : f === SIGNATURE_FILE ? 'text/plain' : 'application/octet-stream';
    // File-backed blobs: the body is streamed from the outbox, not read into memory.
    form.append(f, (await openAsBlob(join(staged.dir, f), { type })) as unknown as Blob, f);
  }
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(dest.target, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${dest.token}`,
        'X-Kliv-Bundle': staged.name,
        'X-Kliv-Manifest-SHA256': staged.manifestSha256,
      },
      body: form,
      // A redirect could lead the token somewhere else, or to plain http.
      redirect: 'error',
      signal: AbortSignal.timeout(o.httpTimeoutMs ?? 120_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as { name?: string }).name === 'TimeoutError' ? 'no answer in time' : cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    throw new DeliveryError(`could not be reached (${why})`, false);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return;
  if (res.status === 401 || res.status === 403) throw new DeliveryError(`the server refused the token (HTTP ${res.status}); check export.token`, true);
  if (res.status === 409) throw new DeliveryError(`the server already holds a different ${staged.name} (HTTP 409)`, true);
  if (RETRYABLE_STATUS.has(res.status) || res.status >= 500) throw new DeliveryError(`the server answered HTTP ${res.status}`, false);
  throw new DeliveryError(`the server refused the bundle (HTTP ${res.status})`, true);
}

// ---- schedule arithmetic (croner) ------------------------------------------

/** export.time "HH:MM" as a daily cron pattern (minute hour * * *). */
export function exportCronPattern(time: string): string {
  const [h = '2', m = '0'] = time.split(':');
  return `${Number(m)} ${Number(h)} * * *`;
}

function withCron<T>(time: string, timeZone: string, fn: (job: Cron) => T): T {
  const job = new Cron(exportCronPattern(time), { timezone: timeZone, paused: true });
  try {
    return fn(job);
  } finally {
    job.stop();
  }
}

/**
 * The next export after `after`. On the night clocks go forward a time that
 * does not exist (02:30) runs at the first moment after the gap; on the night
 * they go back a repeated time runs once.
 */
export function nextExportRun(time: string, timeZone: string, after: Date): Date | null {
  return withCron(time, timeZone, (job) => job.nextRun(after));
}

/** The latest scheduled export at or before `now`. */
export function lastScheduledRun(time: string, timeZone: string, now: Date): Date | null {
  const runs = withCron(time, timeZone, (job) => job.nextRuns(4, new Date(now.getTime() - 50 * 3600_000)));
  return runs.filter((d) => d.getTime() <= now.getTime()).pop() ?? null;
}

/** A scheduled export was missed (the kiosk was off, or the run failed) and has not succeeded since. */
export function isCatchUpDue(lastSuccessAt: number | null, time: string, timeZone: string, now: number): boolean {
  const last = lastScheduledRun(time, timeZone, new Date(now));
  return last !== null && (lastSuccessAt === null || lastSuccessAt < last.getTime());
}

// ---- status ---------------------------------------------------------------------

const attemptView = (a: ExportAttempt): ExportAttemptView => ({
  id: a.id, startedAt: a.startedAt, finishedAt: a.finishedAt, trigger: a.trigger, outcome: a.outcome,
  firstBatch: a.firstBatch, lastBatch: a.lastBatch, events: a.events, message: a.message,
});

export function exportStatus(ctx: ServiceContext, historyLimit = 20): ExportStatusView {
  const venue = requireVenue(ctx);
  const now = ctx.clock.now();
  const configured = isConfigured(ctx);
  const folder = readSetting(ctx, 'export.folder');
  const url = readSetting(ctx, 'export.url');
  const destinations: { kind: DestinationKind; target: string }[] = [];
  if (folder) destinations.push({ kind: 'folder', target: folder });
  if (url) destinations.push({ kind: 'url', target: describeDestination({ kind: 'url', target: url }) });
  const time = readSetting(ctx, 'export.time');
  const history = recentAttempts(ctx.db, historyLimit);
  const lastSuccess = lastSuccessfulAttempt(ctx.db)?.finishedAt ?? null;
  const lastAttempt = history[0] ?? null;
  const since = lastSuccess ?? venue.createdAt;
  const overdue = now - since > EXPORT_OVERDUE_MS;
  const problem = !configured ? 'not_configured' as const
    : overdue ? 'overdue' as const
    : lastAttempt && (lastAttempt.outcome === 'failed' || lastAttempt.outcome === 'interrupted') ? 'last_failed' as const
    : null;
  const through = exportedThroughSeq(ctx.db);
  const pending = (ctx.db.prepare('SELECT count(*) AS n FROM events WHERE seq > ?').get(through) as { n: number }).n;
  const next = configured ? nextExportRun(time, venue.timeZone, new Date(now)) : null;
  return {
    configured,
    destinations,
    exportTime: time,
    timeZone: venue.timeZone,
    nextRunAt: next ? next.getTime() : null,
    running: isExportRunning(ctx.db),
    lastSuccessAt: lastSuccess,
    lastAttempt: lastAttempt ? attemptView(lastAttempt) : null,
    warning: problem === 'not_configured' || problem === 'overdue',
    problem,
    exportedThroughSeq: through,
    lastBatch: lastBatch(ctx.db)?.batch ?? 0,
    pendingEvents: pending,
    history: history.map(attemptView),
  };
}
