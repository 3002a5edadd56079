/**
 * The export commands of `kliv`:
 *   venue side:        kliv export [--to DIR] [--status], kliv keys show
 *   municipality side: kliv verify BUNDLE --venue-key PUB, kliv collect …
 * Settings (export.recipient, export.folder, export.url, export.token,
 * export.time) go through `kliv config get|set`. Errors leave as one line
 * through kliv.ts main().
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { KlivError } from '../../shared/errors';
import { collectIntoFile, readBundleEvents, verifyBundle, venueKeyFromArgument, checkChain, BundleRefused } from '../services/central';
import { exportNow, exportOutboxDir, exportStatus, venueSigningKey } from '../services/export';
import { parseIdentityFile, publicKeyFingerprint, publicKeyPem, publicKeyText } from '../services/exportCrypto';
import { requireVenue } from '../services/venue';
import { print, withAppAsync as withApp } from './common';

function readIdentities(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`the identity file ${file} cannot be read`);
  }
  try {
    return parseIdentityFile(text);
  } catch (err) {
    throw new Error(`the identity file ${file} is not an age identity file: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function registerExportCommands(program: Command): void {
  program.command('export')
    .description('send everything not yet exported to the municipality now (signed, encrypted bundles)')
    .option('--to <dir>', 'write the bundles into this folder instead of the configured destinations (counts as delivered)')
    .option('--status', 'only show the export status and recent history')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { to?: string; status?: boolean; json?: boolean }) {
      if (opts.status) {
        const status = await withApp(this, (app) => exportStatus(app.ctx));
        if (opts.json) {
          print(JSON.stringify(status));
          return;
        }
        print(`configured: ${status.configured ? 'yes' : 'no'}; destinations: ${status.destinations.map((d) => `${d.kind} ${d.target}`).join(', ') || 'none'}`);
        print(`nightly at ${status.exportTime} (${status.timeZone}); next run ${when(status.nextRunAt)}`);
        print(`last success: ${when(status.lastSuccessAt)}${status.warning ? `  WARNING: ${status.problem === 'not_configured' ? 'export is not set up' : 'more than 36 hours without a successful export'}` : ''}`);
        print(`exported through event ${status.exportedThroughSeq} (batch ${status.lastBatch}); ${status.pendingEvents} event(s) waiting`);
        for (const a of status.history) print(`  ${when(a.startedAt)}  ${a.trigger.padEnd(8)} ${a.outcome.padEnd(11)} ${a.message}`);
        return;
      }
      const result = await withApp(this, (app) => exportNow(app.ctx, {
        outboxDir: exportOutboxDir(app.dataDir), trigger: 'cli', actor: 'cli', ...(opts.to ? { to: opts.to } : {}),
      }));
      if (opts.json) print(JSON.stringify(result));
      else {
        for (const b of result.batches) print(`Batch ${b.batch} ${b.name}: events ${b.firstSeq}–${b.lastSeq} (${b.events}) delivered to ${b.destinations.join(' and ')}.`);
        if (result.outcome !== 'failed') print(result.outcome === 'nothing' ? `Nothing new to export (everything through event ${result.exportedThroughSeq} is delivered).` : result.message);
      }
      if (result.outcome === 'failed') throw new KlivError('EXPORT_FAILED', result.message);
    });

  const keys = program.command('keys').description("the venue's export signing key");
  keys.command('show')
    .description("print the venue's public key; give it to the municipality (it verifies bundles with it)")
    .option('--pem', 'print it as a PEM public key (for openssl)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { pem?: boolean; json?: boolean }) {
      const { venueId, raw } = await withApp(this, (app) => ({ venueId: requireVenue(app.ctx).venueId, raw: venueSigningKey(app.ctx).publicKey }));
      if (opts.json) print(JSON.stringify({ venueId, publicKey: publicKeyText(raw), fingerprint: publicKeyFingerprint(raw), pem: publicKeyPem(raw) }));
      else if (opts.pem) process.stdout.write(publicKeyPem(raw));
      else print(`${publicKeyText(raw)} ${venueId}`);
    });

  program.command('verify')
    .description('municipality: check a bundle\'s signature, manifest and file hashes (and its place in the chain with --previous)')
    .argument('<bundle>', 'the bundle folder (<venueId>-<batch>)')
    .requiredOption('--venue-key <pub>', 'the venue\'s public key: a file with `kliv keys show` output (or PEM), or the key text itself')
    .option('--previous <bundle>', 'the venue\'s previous bundle: also check that this one follows it')
    .option('--identity <file>', 'an age identity file: also decrypt the data and count its events')
    .option('--json', 'print JSON')
    .action(async function (this: Command, bundleDir: string, opts: { venueKey: string; previous?: string; identity?: string; json?: boolean }) {
      try {
        const key = await venueKeyFromArgument(opts.venueKey);
        const bundle = await verifyBundle(resolve(bundleDir), key);
        const m = bundle.manifest;
        if (opts.previous) {
          const prev = await verifyBundle(resolve(opts.previous), key);
          checkChain({ ...prev.manifest, manifestSha256: prev.manifestSha256 }, m);
        }
        let decrypted: number | null = null;
        if (opts.identity) decrypted = await readBundleEvents(bundle, readIdentities(opts.identity), () => undefined);
        if (opts.json) {
          print(JSON.stringify({ ok: true, bundle: bundle.name, venueId: m.venue.id, batch: m.batch, seq: m.seq, events: m.counts.events, manifestSha256: bundle.manifestSha256, chainChecked: Boolean(opts.previous), decrypted }));
        } else {
          print(`OK ${bundle.name}: venue ${m.venue.id}, batch ${m.batch}, events ${m.seq.first}–${m.seq.last} (${m.counts.events}), signed by ${publicKeyFingerprint(key.raw)}`
            + `${opts.previous ? ', follows the previous bundle' : ''}${decrypted !== null ? `, decrypted ${decrypted} events` : ''}.`);
        }
      } catch (err) {
        if (err instanceof BundleRefused) throw new Error(`${resolve(bundleDir)} refused: ${err.message}`);
        throw err;
      }
    });

  program.command('collect')
    .description('municipality: verify and collect every new bundle of every venue into the central database (a re-run adds nothing)')
    .requiredOption('--inbox <dir>', 'folder the venues deliver to (bundles directly inside, or in a folder per venue)')
    .requiredOption('--db <file>', 'the central database (created on first use)')
    .requiredOption('--identity <file>', 'the municipality\'s age identity file (age-keygen -o)')
    .requiredOption('--venue-keys <dir>', 'folder with each venue\'s public key as <venueId>.pub')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { inbox: string; db: string; identity: string; venueKeys: string; json?: boolean }) {
      const report = await collectIntoFile(resolve(opts.db), {
        inbox: resolve(opts.inbox), identities: readIdentities(opts.identity), venueKeysDir: resolve(opts.venueKeys),
      });
      if (opts.json) print(JSON.stringify(report));
      else {
        for (const v of report.verdicts) {
          if (v.status === 'already') continue;
          print(`${v.bundle}: ${v.status === 'collected' ? v.message : `REFUSED: ${v.message}`}`);
        }
        print(`${report.collected} collected, ${report.already} already collected, ${report.refused} refused.`);
      }
      if (report.refused > 0) throw new Error(`${report.refused} bundle(s) refused (see above); the others were collected`);
    });
}
