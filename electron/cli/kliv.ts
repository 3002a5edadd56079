/**
 * `kliv`: the administrator's and the municipality's tool. It drives the
 * same services as the kiosk, without a window. Every command takes
 * --data-dir (or KLIV_DATA_DIR), exits 0 on success and prints a one-line
 * error with a non-zero exit code otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { KlivError } from '../../shared/errors';
import { isValidTimeZone } from '../../shared/time';
import { openApp, type KlivApp } from '../api/app';
import { dataDirOf, print, UsageError, withApp } from './common';
import { createDispatcher } from '../api/dispatch';
import { startHttpTransport } from '../api/http';
import { createDemoVenue, type DemoResult } from '../services/demo';
import { enrolParticipant } from '../services/participants';
import { initVenue } from '../services/venue';
import { getVenue } from '../db/venue';
import { addPaperVisit } from '../services/attendance';
import { auditKey, verifyAuditChain } from '../services/audit';
import { describeSetting, SETTINGS, writeSetting, type SettingKey } from '../services/settings';
import { addStaff, CLI_ACTOR, findStaffByNameOrId, staffAccounts, unlockAccount } from '../services/staff';
import { registerParticipantCommands } from './participant-commands';
import { registerExportCommands } from './export-commands';
import { registerReportCommands } from './report-commands';
import { registerMaintenanceCommands } from './maintenance-commands';
import { startMaintenanceScheduler } from '../services/maintenance';
import { startExportScheduler } from '../services/exportScheduler';
import { STAFF_ROLES, manualReason, type StaffRole } from '../../shared/api';
import { isLocalDate, isLocalTime, zonedTimeToInstant } from '../../shared/time';

export { UsageError };

/** Set by a command that succeeded but has a meaningful non-zero outcome (a refused card). */
let commandExitCode = 0;

export function buildProgram(): Command {
  const program = new Command('kliv')
    .description('Kliv attendance kiosk: administration and municipality tools')
    .addOption(new Option('-d, --data-dir <dir>', 'data folder (or KLIV_DATA_DIR)'))
    .showHelpAfterError(false)
    .exitOverride();

  program.command('init')
    .description('create a venue in an empty data folder')
    .requiredOption('--name <name>', 'venue name')
    .addOption(new Option('--mode <mode>', 'structured (individual schedules) or dropin').choices(['structured', 'dropin']).default('dropin'))
    .option('--time-zone <tz>', 'IANA time zone of the venue', 'Europe/Stockholm')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { name: string; mode: 'structured' | 'dropin'; timeZone: string; json?: boolean }) {
      if (!isValidTimeZone(opts.timeZone)) throw new UsageError(`unknown time zone "${opts.timeZone}" (expected e.g. Europe/Stockholm)`);
      const venue = withApp(this, (app) => initVenue(app.ctx, { name: opts.name, mode: opts.mode, timeZone: opts.timeZone }));
      print(opts.json ? JSON.stringify(venue) : `Venue ${venue.venueId} "${venue.name}" (${venue.mode}, ${venue.timeZone}) created.`);
    });

  const participant = program.command('participant').description('participants');
  participant.command('add')
    .description('enrol a participant and issue their card')
    .requiredOption('--name <displayName>', 'first name or nickname the person chooses')
    .option('--code <code>', 'the municipality\'s pseudonymous code (generated if left out)')
    .addOption(new Option('--mode <mode>', 'structured or dropin (default: the venue\'s)').choices(['structured', 'dropin']))
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { name: string; code?: string; mode?: 'structured' | 'dropin'; json?: boolean }) {
      const { participant: p, issued } = withApp(this, (app) => enrolParticipant(app.ctx, { displayName: opts.name, code: opts.code, mode: opts.mode }));
      if (opts.json) print(JSON.stringify({ code: p.code, mode: p.mode, payload: issued.payload }));
      else print(`Enrolled ${p.code}. Card payload (print it now; it is not stored): ${issued.payload}`);
    });

  program.command('scan')
    .description('apply the kiosk scan rules to a card payload (a check-out is confirmed automatically)')
    .requiredOption('--payload <payload>', 'the card payload')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { payload: string; json?: boolean }) {
      const result = withApp(this, (app) => {
        const first = app.kiosk.scan(opts.payload);
        return first.outcome === 'checkout-pending' ? app.kiosk.confirmCheckout(first.ticket, true) : first;
      });
      if (opts.json) print(JSON.stringify(result));
      else print(describeScan(result));
      if (result.outcome === 'rejected') commandExitCode = 3;
    });

  program.command('demo')
    .description('create a sample venue with participants and a few months of visits')
    .option('--months <n>', 'months of history', '3')
    .option('--seed <n>', 'random seed', '42')
    .action(function (this: Command, opts: { months: string; seed: string }) {
      const dir = dataDirOf(this);
      const result = withApp(this, (app) => {
        if (getVenue(app.db) && app.db.prepare('SELECT count(*) AS n FROM participants').pluck().get() !== 0) throw new UsageError('this data folder already has participants; use an empty folder for the demo');
        return createDemoVenue(app.ctx, { months: Number(opts.months), seed: Number(opts.seed) });
      });
      writeDemoCards(dir, result.participants, result.staff);
      print(`Demo venue ready: ${result.participants.length} participants, ${result.visits} visits. Sample card payloads: ${join(dir, 'demo-cards.txt')}`);
    });

  program.command('serve')
    .description('browser mode: serve the kiosk on 127.0.0.1 and print the URL to open')
    .option('--port <n>', 'port (default: any free port)', '0')
    .option('--host <addr>', 'loopback address to bind', '127.0.0.1')
    .option('--demo', 'create the demo venue first if the data folder is empty')
    .action(async function (this: Command, opts: { port: string; host: string; demo?: boolean }) {
      const dir = dataDirOf(this);
      const app = openApp({ dataDir: dir });
      if (!getVenue(app.db)) {
        if (!opts.demo) {
          app.close();
          throw new UsageError('no venue in this data folder: run `kliv init` first (or pass --demo)');
        }
        const demo = createDemoVenue(app.ctx);
        writeDemoCards(dir, demo.participants, demo.staff);
        print(`Created the demo venue in ${dir} (sample cards: ${join(dir, 'demo-cards.txt')}).`);
      }
      const transport = await startHttpTransport({
        dispatch: createDispatcher(app),
        staticDir: resolve(__dirname, '..', 'renderer'),
        host: opts.host,
        port: Number(opts.port),
      });
      print(`Kliv is serving ${getVenue(app.db)?.name ?? ''} in browser mode.`);
      print(`Open: ${transport.launchUrl}`);
      print(`e.g. chromium --kiosk --app='${transport.launchUrl}'`);
      const exportScheduler = startExportScheduler(app, { log: (m) => process.stderr.write(`kliv: ${m}\n`) });
      const maintenance = startMaintenanceScheduler(app, { log: (m) => process.stderr.write(`kliv: ${m}\n`) });
      const stop = (): void => {
        exportScheduler.stop();
        maintenance.stop();
        void transport.close().then(() => {
          app.close();
          process.exit(0);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  const staff = program.command('staff').description('staff accounts');
  staff.command('add')
    .description('add a staff account and print its badge payload (print the badge at once: it is not stored)')
    .requiredOption('--name <name>', 'staff member\'s name')
    .addOption(new Option('--role <role>', 'staff, coordinator or admin').choices([...STAFF_ROLES]).makeOptionMandatory())
    .option('--pin <pin>', 'PIN of 6–12 digits (or use --pin-stdin to keep it out of the shell history)')
    .option('--pin-stdin', 'read the PIN from standard input')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { name: string; role: StaffRole; pin?: string; pinStdin?: boolean; json?: boolean }) {
      const pin = opts.pinStdin ? readStdin().trim() : opts.pin;
      if (!pin) throw new UsageError('give the PIN with --pin or --pin-stdin');
      const { account, badgePayload } = withApp(this, (app) => addStaff(app.ctx, CLI_ACTOR, { name: opts.name, role: opts.role, pin }));
      if (opts.json) print(JSON.stringify({ staffId: account.staffId, name: account.name, role: account.role, badgePayload }));
      else print(`Added ${account.role} ${account.name} (id ${account.staffId}). Badge payload (print it now; it is not stored): ${badgePayload}`);
    });
  staff.command('unlock')
    .description('unlock an account locked after too many wrong PINs')
    .argument('<staff>', 'name or id')
    .action(function (this: Command, ref: string) {
      const account = withApp(this, (app) => unlockAccount(app.ctx, CLI_ACTOR, findStaffByNameOrId(app.ctx, ref).id));
      print(`Unlocked ${account.name}.`);
    });
  staff.command('list')
    .description('list staff accounts')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { json?: boolean }) {
      const accounts = withApp(this, (app) => staffAccounts(app.ctx, CLI_ACTOR));
      if (opts.json) print(JSON.stringify(accounts));
      else for (const a of accounts) print(`${a.staffId}\t${a.role}\t${a.locked ? 'LOCKED' : 'ok'}\t${a.name}`);
    });

  const auditCmd = program.command('audit').description('the hash-chained audit log');
  auditCmd.command('verify')
    .description('check every entry of the audit chain; names the first bad entry')
    .action(function (this: Command) {
      const verdict = withApp(this, (app) => verifyAuditChain(app.db, auditKey(app.db, app.ctx.secrets)));
      if (verdict.ok) {
        print(`Audit chain intact: ${verdict.entries} entries, head ${verdict.head.slice(0, 16)}…`);
      } else {
        throw new UsageError(`audit chain broken at entry ${verdict.badSeq}: ${verdict.problem}`);
      }
    });

  const visit = program.command('visit').description('visits');
  visit.command('add')
    .description('enter a visit from a paper list (when the kiosk was down)')
    .requiredOption('--code <code>', 'participant code')
    .requiredOption('--in <time>', 'check-in, venue local time "YYYY-MM-DD HH:MM"')
    .option('--out <time>', 'check-out, venue local time "YYYY-MM-DD HH:MM" (or HH:MM on the same day)')
    .addOption(new Option('--reason <reason>', 'why it is entered by hand').choices([...manualReason.options]).default('kiosk_problem'))
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { code: string; in: string; out?: string; reason: (typeof manualReason.options)[number]; json?: boolean }) {
      const v = withApp(this, (app) => {
        const venue = getVenue(app.db);
        if (!venue) throw new UsageError('no venue here yet: run `kliv init` first');
        const inAt = parseLocal(opts.in, null, venue.timeZone);
        const outAt = opts.out ? parseLocal(opts.out, opts.in.slice(0, 10), venue.timeZone) : null;
        return addPaperVisit(app.ctx, CLI_ACTOR, { code: opts.code, checkedIn: inAt, checkedOut: outAt, reason: opts.reason });
      });
      print(opts.json ? JSON.stringify({ visitId: v.id, day: v.day }) : `Visit ${v.id} entered for ${v.day}.`);
    });

  const config = program.command('config').description('venue settings');
  config.command('get')
    .description('show one setting, or all of them')
    .argument('[key]', 'setting name')
    .option('--json', 'print JSON')
    .action(function (this: Command, key: string | undefined, opts: { json?: boolean }) {
      const keys = key ? [key] : Object.keys(SETTINGS);
      const rows = withApp(this, (app) => keys.map((k) => {
        if (!(k in SETTINGS)) throw new UsageError(`unknown setting "${k}"; known: ${Object.keys(SETTINGS).join(', ')}`);
        return describeSetting(app.ctx, k as SettingKey);
      }));
      if (opts.json) print(JSON.stringify(key ? rows[0] : rows));
      else for (const r of rows) print(key ? r.value : `${r.key} = ${r.value}${r.isDefault ? ' (default)' : ''}`);
    });
  config.command('set')
    .description('change a setting; a bad value is refused with what a good one looks like')
    .argument('<key>', 'setting name')
    .argument('<value>', 'new value')
    .action(function (this: Command, key: string, value: string) {
      withApp(this, (app) => writeSetting(app.ctx, key, value));
      print(`${key} set.`);
    });
  config.command('unset')
    .description('return a setting to its default')
    .argument('<key>', 'setting name')
    .action(function (this: Command, key: string) {
      withApp(this, (app) => writeSetting(app.ctx, key, null));
      print(`${key} back to its default.`);
    });

  registerParticipantCommands(program);
  registerExportCommands(program);
  registerReportCommands(program);
  registerMaintenanceCommands(program);
  return program;
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

/** "YYYY-MM-DD HH:MM" (or "HH:MM" on `sameDay`) in the venue's zone → UTC ms. */
export function parseLocal(text: string, sameDay: string | null, timeZone: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(text.trim());
  const date = m?.[1] ?? sameDay;
  const time = m?.[2] ?? (/^\d{2}:\d{2}$/.test(text.trim()) ? text.trim() : null);
  if (!date || !time || !isLocalDate(date) || !isLocalTime(time)) throw new UsageError(`bad time "${text}": expected "YYYY-MM-DD HH:MM" in the venue's time zone`);
  return zonedTimeToInstant(date, time, timeZone);
}

function writeDemoCards(dir: string, participants: { code: string; displayName: string; payload: string }[], staff: DemoResult['staff'] = null): void {
  const lines = ['# DEMO DATA ONLY: clear card payloads of the sample participants, for trying the kiosk.', '# A real venue never stores these; type one on a USB scanner or paste it with `kliv scan --payload`.'];
  if (staff) lines.push(`# Staff mode: tap the lock in the top corner, scan this badge and type PIN ${staff.pin} (or "Logga in med namn": ${staff.name})`, `STAFF\t${staff.name}\t${staff.badgePayload}`);
  for (const p of participants) lines.push(`${p.code}\t${p.displayName}\t${p.payload}`);
  writeFileSync(join(dir, 'demo-cards.txt'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

export function describeScan(result: ReturnType<KlivApp['kiosk']['scan']>): string {
  switch (result.outcome) {
    case 'checked-in': return `checked in at ${result.localTime}`;
    case 'checked-out': return `checked out at ${result.localTime} (${result.minutes} min)`;
    case 'checkout-pending': return 'check-out awaiting confirmation';
    case 'checkout-cancelled': return 'check-out cancelled';
    case 'double-scan': return `double scan ignored (still ${result.state === 'in' ? 'checked in' : 'checked out'})`;
    case 'staff-badge': return 'that is a staff badge';
    case 'rejected': return `card refused: ${result.reason}`;
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  commandExitCode = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return commandExitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // An explicit --help or --version succeeds; help shown because no command was given does not.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2;
    }
    const message = err instanceof KlivError || err instanceof UsageError ? err.message
      : err instanceof Error && err.name === 'DatabaseTooNewError' ? err.message
      : (err as { code?: string }).code === 'SQLITE_NOTADB' ? 'the database file is not a Kliv database or is encrypted with another key'
      : err instanceof Error ? err.message : String(err);
    process.stderr.write(`kliv: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
