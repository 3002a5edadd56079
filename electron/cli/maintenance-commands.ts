/**
 * The maintenance commands of `kliv` (docs/operations.md):
 *   kliv backup [--to DIR]          an online, encrypted, checked backup now
 *   kliv restore FILE               put a backup back (the current database is kept aside)
 *   kliv retention run [--dry-run]  purge attendance older than retention.months
 *   kliv doctor                     one report: integrity, keys, export, backups, disk, clock
 * Settings (backup.time, backup.keep, retention.months) go through `kliv config`.
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { KlivError } from '../../shared/errors';
import { databasePath } from '../api/app';
import { isPlaintextDatabase } from '../db/connection';
import { backupDatabase, restoreBackup, type DatabaseFacts } from '../services/backup';
import { systemClock } from '../services/context';
import { runDoctor, type DoctorLine } from '../services/doctor';
import { runRetention } from '../services/retention';
import { createFileSecretStore } from '../services/secrets';
import { dataDirOf, print, withApp } from './common';

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const LABEL: Record<DoctorLine['level'], string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

function describeFacts(f: DatabaseFacts): string {
  return `events up to #${f.lastEventSeq}${f.lastEventAt ? ` (newest ${new Date(f.lastEventAt).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''}, export batch ${f.lastBatch}`;
}

export function registerMaintenanceCommands(program: Command): void {
  program.command('backup')
    .description('take an online backup of the database now: encrypted with the database key, checked with integrity_check; into <data>/backups (rotated, keeps backup.keep days) or --to DIR')
    .option('--to <dir>', 'write the backup into this existing folder (e.g. a USB stick) instead; not rotated')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { to?: string; json?: boolean }) {
      const result = withApp(this, (app) => backupDatabase(app.ctx, { dataDir: app.dataDir, actor: 'cli', ...(opts.to !== undefined ? { to: opts.to } : {}) }));
      if (opts.json) {
        print(JSON.stringify(result));
        return;
      }
      print(`Backup written: ${result.file} (${megabytes(result.bytes)}), encrypted with the database key, integrity_check ok.`);
      if (result.removed.length > 0) print(`Removed by rotation: ${result.removed.join(', ')}.`);
      if (opts.to !== undefined) print('To read it elsewhere you also need the keys folder: keep a copy of it apart from the backups.');
    });

  program.command('restore')
    .description('replace the database with a backup; refuses unless the backup opens with the key and passes integrity_check, and keeps the current database aside as kliv.sqlite.before-restore-<time>')
    .argument('<file>', 'the backup, e.g. <data>/backups/kliv-20260302-013000.sqlite')
    .option('--json', 'print JSON')
    .action(function (this: Command, file: string, opts: { json?: boolean }) {
      const dataDir = dataDirOf(this);
      const secrets = createFileSecretStore(join(dataDir, 'keys'));
      let key = secrets.get('database');
      if (!key) {
        // Only a plaintext backup (from before encryption) can come back without the old key.
        if (!isPlaintextDatabase(resolve(file))) {
          throw new KlivError('KEY_UNAVAILABLE', `there is no database key in ${join(dataDir, 'keys')}: copy the keys folder that belongs to this backup there first; nothing was changed`);
        }
        key = secrets.getOrCreate('database');
      }
      const result = restoreBackup({ dataDir, databaseFile: databasePath(dataDir), file, key, secrets, clock: systemClock, actor: 'cli' });
      if (opts.json) {
        print(JSON.stringify(result));
        return;
      }
      print(`Restored ${result.from}: ${describeFacts(result.restored)}.`);
      if (result.keptAs) print(`The database it replaced is kept as ${result.keptAs}; delete it once you are sure you do not need it (it holds attendance).`);
      const r = result.replaced;
      if (r && (r.lastEventSeq > result.restored.lastEventSeq || r.lastBatch > result.restored.lastBatch)) {
        print(`WARNING: the replaced database was newer (${describeFacts(r)}). What was recorded after the backup is not in the restored database: enter visits from the paper list with \`kliv visit add\`.`);
        if (r.lastBatch > result.restored.lastBatch) {
          print(`WARNING: batches ${result.restored.lastBatch + 1}–${r.lastBatch} were already sent to the municipality; the next export will number new batches from ${result.restored.lastBatch + 1} again. Tell the municipality before the next export (docs/operations.md).`);
        }
      }
    });

  const retention = program.command('retention').description('purging attendance older than retention.months');
  retention.command('run')
    .description('delete visits, checks, corrections, rejected-scan counts and exported events older than retention.months (whole months), then vacuum; audited')
    .option('--dry-run', 'only count what would be deleted')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { dryRun?: boolean; json?: boolean }) {
      const r = withApp(this, (app) => runRetention(app.ctx, { actor: 'cli', dryRun: opts.dryRun ?? false }));
      if (opts.json) {
        print(JSON.stringify(r));
        return;
      }
      if (r.months === 0) {
        print('retention.months is 0: attendance is kept forever; nothing was deleted.');
        return;
      }
      const d = r.deleted;
      print(`${r.dryRun ? 'Would delete' : 'Deleted'} everything before ${r.cutoffDay} (keep ${r.months} months): ${d.visits} visit(s), ${d.checks} check(s), ${d.corrections} correction(s), ${d.rejectedScanDays} day(s) of rejected-scan counts, ${d.dayConfirmations} day confirmation(s), ${d.events} exported event(s).`);
      if (r.keptUnexported.events > 0 || r.keptUnexported.visits > 0) {
        print(`Kept because not yet exported: ${r.keptUnexported.events} event(s), ${r.keptUnexported.visits} visit(s). They go once the export has delivered them (exported through event #${r.exportedThroughSeq}).`);
      }
      if (!r.dryRun) print(r.vacuumed ? 'The space was given back to the disk (VACUUM).' : 'Nothing to give back to the disk.');
    });

  program.command('doctor')
    .description('check integrity, schema, keys, audit chain, export, backups, disk space, clock and time zone; exit code 0 when all is OK, 1 otherwise')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { json?: boolean }) {
      const dataDir = dataDirOf(this);
      const report = runDoctor({ dataDir, databaseFile: databasePath(dataDir), secrets: createFileSecretStore(join(dataDir, 'keys')), clock: systemClock });
      if (opts.json) {
        print(JSON.stringify(report));
      } else {
        print(`Kliv doctor: ${dataDir}`);
        const width = Math.max(...report.lines.map((l) => l.check.length));
        for (const l of report.lines) {
          print(`${LABEL[l.level]}  ${l.check.padEnd(width)}  ${l.summary}`);
          if (l.action) print(`      ${' '.repeat(width)}  → ${l.action}`);
        }
      }
      const fails = report.lines.filter((l) => l.level === 'fail').length;
      const warns = report.lines.filter((l) => l.level === 'warn').length;
      if (!report.ok) throw new Error(`${fails + warns} problem(s) found: ${fails} FAIL, ${warns} WARN`);
      if (!opts.json) print('All OK.');
    });
}
