/**
 * Shared scaffolding of the export and central tests: a municipality key
 * pair, a venue with a realistic day of activity (every kind of event), and
 * small helpers to look at bundles on disk.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { KlivApp } from '../../../electron/api/app';
import { addPaperVisit, confirmDay, correctCheck, correctVisit, manualCheckIn, recordCheck } from '../../../electron/services/attendance';
import { exportNow, exportOutboxDir, venueSigningKey, type ExportOptions, type ExportResult } from '../../../electron/services/export';
import { publicKeyText } from '../../../electron/services/exportCrypto';
import { enrolParticipant, issueCardFor } from '../../../electron/services/participants';
import { writeSetting } from '../../../electron/services/settings';
import { addStaff, CLI_ACTOR, type Actor } from '../../../electron/services/staff';
import { requireVenue } from '../../../electron/services/venue';
import { localDateOf, zonedTimeToInstant } from '../../../shared/time';
import type { TestApp } from '../../helpers';

export const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };
export const noSleep = (): Promise<void> => Promise.resolve();

/** Display names nobody would use as a code or a word in JSON, so a search for them is meaningful. */
export const NAMES = ['Zelmira Quistgård', 'Bartholomew', 'Östen Ärlig'];

export interface Municipality {
  identity: string;
  recipient: string;
  identityFile: string;
}

export async function municipality(dir: string): Promise<Municipality> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const identityFile = join(dir, 'municipality.key');
  writeFileSync(identityFile, `# created: 2026-03-01T00:00:00Z\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
  return { identity, recipient, identityFile };
}

/** The venue's public key as `kliv keys show` prints it, saved where `kliv collect --venue-keys` looks. */
export function saveVenueKey(app: KlivApp, keysDir: string): string {
  const venueId = requireVenue(app.ctx).venueId;
  const file = join(keysDir, `${venueId}.pub`);
  writeFileSync(file, `${publicKeyText(venueSigningKey(app.ctx).publicKey)} ${venueId}\n`);
  return file;
}

export interface Activity {
  codes: string[];
  staff: Actor;
  payloads: string[];
}

/**
 * A day at the venue touching every kind of event: card check-in and out,
 * checks and a corrected check, a manual visit, a corrected visit, an
 * auto-closed visit at day confirmation, a paper visit, a reissued card.
 */
export function venueDay(t: TestApp, options: { codePrefix?: string } = {}): Activity {
  const { app, clock } = t;
  const ctx = app.ctx;
  const prefix = options.codePrefix ?? 'K';
  const { account } = addStaff(ctx, CLI_ACTOR, { name: 'Coordinator Kim', role: 'coordinator', pin: '482915' }, FAST_SCRYPT);
  const staff: Actor = { staffId: account.staffId, role: 'coordinator' };
  const enrolled = NAMES.map((name, i) => enrolParticipant(ctx, { displayName: name, code: `${prefix}-${100 + i}` }));
  const [a, b, c] = enrolled;
  if (!a || !b || !c) throw new Error('enrol failed');
  const visitOf = (participantId: number): number => (app.db.prepare('SELECT max(id) AS id FROM visits WHERE participant_id = ?').get(participantId) as { id: number }).id;
  const checkOf = (visitId: number): number => (app.db.prepare('SELECT max(id) AS id FROM checks WHERE visit_id = ?').get(visitId) as { id: number }).id;

  // A: card in, checked ready, card out.
  app.kiosk.scan(a.issued.payload);
  clock.advance(10 * 60_000);
  recordCheck(ctx, staff, visitOf(a.participant.id), 'ready', undefined);
  clock.advance(2 * 3600_000);
  const out = app.kiosk.scan(a.issued.payload);
  if (out.outcome === 'checkout-pending') app.kiosk.confirmCheckout(out.ticket, true);

  // B: checked in by hand, "not today" (ends the visit), then corrected to ready.
  manualCheckIn(ctx, staff, b.participant.id, 'no_card');
  const bVisit = visitOf(b.participant.id);
  clock.advance(5 * 60_000);
  recordCheck(ctx, staff, bVisit, 'not_today', 'unwell');
  clock.advance(5 * 60_000);
  correctCheck(ctx, staff, checkOf(bVisit), 'ready', undefined, 'wrong_check');

  // C: card in, times corrected, left open and auto-closed when the day is confirmed.
  clock.advance(15 * 60_000);
  app.kiosk.scan(c.issued.payload);
  const cVisit = visitOf(c.participant.id);
  recordCheck(ctx, staff, cVisit, 'ready', undefined);
  const venue = requireVenue(ctx);
  const day = localDateOf(clock.now(), venue.timeZone);
  correctVisit(ctx, staff, cVisit, '09:30', null, 'wrong_time');
  clock.set(zonedTimeToInstant(day, '17:00', venue.timeZone));
  confirmDay(ctx, staff, day, true);

  // A paper visit from the day before, and C's lost card replaced.
  const yesterday = zonedTimeToInstant(day, '10:00', venue.timeZone) - 24 * 3600_000;
  const paper = addPaperVisit(ctx, CLI_ACTOR, { code: `${prefix}-100`, checkedIn: yesterday, checkedOut: yesterday + 3 * 3600_000, reason: 'kiosk_problem' });
  recordCheck(ctx, staff, paper.id, 'ready', undefined);
  const reissued = issueCardFor(ctx, c.participant, 'lost');
  return { codes: enrolled.map((e) => e.participant.code), staff, payloads: [a.issued.payload, b.issued.payload, reissued.payload] };
}

export function configureRecipient(app: KlivApp, recipient: string): void {
  writeSetting(app.ctx, 'export.recipient', recipient);
}

export function runExport(app: KlivApp, options: Partial<ExportOptions> = {}): Promise<ExportResult> {
  return exportNow(app.ctx, { outboxDir: exportOutboxDir(app.dataDir), trigger: 'cli', actor: 'cli', sleep: noSleep, tries: 2, ...options });
}

/** Bundle folders in a destination, in name order (temporary names excluded). */
export function bundlesIn(folder: string): string[] {
  return readdirSync(folder).filter((n) => !n.startsWith('.')).sort();
}

/** Every file under a folder, recursively, hidden ones included. */
export function allFiles(folder: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, e.name);
    if (e.isDirectory()) out.push(...allFiles(path));
    else out.push(path);
  }
  return out;
}

export async function decryptFile(file: string, identity: string): Promise<string> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(new Uint8Array(readFileSync(file)), 'text');
}

export function eventCount(app: KlivApp): number {
  return (app.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
}
