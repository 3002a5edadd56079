/**
 * `kliv participant list|deactivate|reactivate`, `kliv card reissue|revoke`,
 * `kliv cards print` and `kliv schedule set|end`: the participant and card
 * administration of the staff screens, for administrators and scripts.
 * Every command acts as the CLI actor and is audited like a staff action.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CARD_REVOKE_REASONS, WEEKDAYS, type ParticipantSummary, type RevokeReason, type Weekday } from '../../shared/api';
import { KlivError } from '../../shared/errors';
import { isLocalDate, isLocalTime } from '../../shared/time';
import {
  cardsOf, listForStaff, participantByCode, printCards, reissueCard, revokeActiveCardsFor, revokeCardFor, setActiveFor,
} from '../services/participants';
import { endSchedule, setSchedule } from '../services/schedules';
import { CLI_ACTOR } from '../services/staff';
import { print, withApp } from './common';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** "mon,wed,fri" (also "mån,ons,fre" and 1–7 with Monday = 1) → weekdays. */
export function parseDays(text: string): Weekday[] {
  const swedish: Record<string, Weekday> = { 'mån': 'mon', tis: 'tue', ons: 'wed', tor: 'thu', fre: 'fri', 'lör': 'sat', 'sön': 'sun' };
  const days = text.split(/[\s,]+/).filter(Boolean).map((raw) => {
    const d = raw.toLowerCase().slice(0, 3);
    if ((WEEKDAYS as readonly string[]).includes(d)) return d as Weekday;
    if (d in swedish) return swedish[d] as Weekday;
    if (/^[1-7]$/.test(d)) return WEEKDAYS[Number(d) - 1] as Weekday;
    throw new KlivError('BAD_INPUT', `unknown weekday "${raw}" (use mon,tue,wed,thu,fri,sat,sun)`);
  });
  if (days.length === 0) throw new KlivError('BAD_INPUT', 'give at least one weekday, e.g. --days mon,wed,fri');
  return [...new Set(days)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b));
}

function summaryLine(p: ParticipantSummary): string {
  const schedule = p.schedule ? `${p.schedule.days.join(',')} ${p.schedule.start}-${p.schedule.end} from ${p.schedule.validFrom}${p.schedule.validTo ? ` to ${p.schedule.validTo}` : ''}` : '-';
  return [p.code, p.active ? 'active' : 'inactive', p.mode, p.hasActiveCard ? 'card' : 'no-card', schedule, p.displayName].join('\t');
}

function writePdf(out: string, pdf: Buffer): string {
  const file = resolve(out);
  writeFileSync(file, pdf, { mode: 0o600 });
  pdf.fill(0);
  return file;
}

const reasonOption = (description: string): Option => new Option('--reason <reason>', description).choices([...CARD_REVOKE_REASONS]);
const layoutOption = (fallback: 'single' | 'sheet'): Option =>
  new Option('--layout <layout>', 'single: one ID-1 card (85.6 × 54 mm) per page; sheet: ten cards on A4 with cut marks').choices(['single', 'sheet']).default(fallback);

export function registerParticipantCommands(program: Command): void {
  const participant = program.commands.find((c) => c.name() === 'participant') ?? program.command('participant').description('participants');

  participant.command('list')
    .description('list participants: code, status, mode, card, schedule, display name')
    .option('--all', 'include deactivated participants')
    .option('--search <text>', 'only those whose display name or code contains this')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { all?: boolean; search?: string; json?: boolean }) {
      const rows = withApp(this, (app) => listForStaff(app.ctx, CLI_ACTOR, { query: opts.search, includeInactive: opts.all === true }));
      if (opts.json) print(JSON.stringify(rows));
      else for (const r of rows) print(summaryLine(r));
    });

  for (const [name, active] of [['deactivate', false], ['reactivate', true]] as const) {
    participant.command(name)
      .description(active
        ? 'reactivate a participant: their card works again (set a new schedule if they follow one)'
        : 'deactivate a participant: their card is refused at the kiosk and their schedule ends after today')
      .requiredOption('--code <code>', 'participant code')
      .action(function (this: Command, opts: { code: string }) {
        const p = withApp(this, (app) => setActiveFor(app.ctx, CLI_ACTOR, participantByCode(app.ctx, opts.code).id, active));
        print(`${p.code} is ${p.active ? 'active' : 'deactivated'}.`);
      });
  }

  const card = program.command('card').description('one participant\'s card');
  card.command('reissue')
    .description('issue a NEW card for a participant; their current card stops working at once. Writes the card as a PDF with --out, else prints the payload once (it is not stored)')
    .requiredOption('--code <code>', 'participant code')
    .addOption(reasonOption('why the current card is replaced (default: reissued)'))
    .option('--out <file>', 'write the printable card (PDF) here')
    .addOption(layoutOption('single'))
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { code: string; reason?: RevokeReason; out?: string; layout: 'single' | 'sheet'; json?: boolean }) {
      if (opts.out) {
        const out = opts.out;
        const result = withApp(this, (app) => {
          const p = participantByCode(app.ctx, opts.code);
          return { code: p.code, printed: printCards(app.ctx, CLI_ACTOR, { participantIds: [p.id], layout: opts.layout, reason: opts.reason }) };
        });
        const cardId = result.printed.issued[0]?.cardId;
        const file = writePdf(out, result.printed.pdf);
        if (opts.json) print(JSON.stringify({ code: result.code, cardId, file }));
        else print(`New card ${cardId} for ${result.code} written to ${file}. Print it, then delete the file: it holds a working card.`);
        return;
      }
      // Without --out the payload is the only copy: show it once, as `participant add` does.
      const r = withApp(this, (app) => {
        const p = participantByCode(app.ctx, opts.code);
        return { code: p.code, issued: reissueCard(app.ctx, CLI_ACTOR, p.id, opts.reason) };
      });
      if (opts.json) print(JSON.stringify({ code: r.code, cardId: r.issued.card.id, payload: r.issued.payload }));
      else print(`New card ${r.issued.card.id} for ${r.code}. Card payload (print it now; it is not stored): ${r.issued.payload}`);
    });
  card.command('revoke')
    .description('revoke a participant\'s card at once (all their working cards, or one with --card)')
    .requiredOption('--code <code>', 'participant code')
    .addOption(reasonOption('why').makeOptionMandatory())
    .option('--card <id>', 'only this card id (see `kliv card list`)')
    .action(function (this: Command, opts: { code: string; reason: RevokeReason; card?: string }) {
      const revoked = withApp(this, (app) => {
        const p = participantByCode(app.ctx, opts.code);
        if (opts.card !== undefined) {
          if (!/^\d+$/.test(opts.card)) throw new KlivError('BAD_INPUT', `bad card id "${opts.card}"`);
          return [revokeCardFor(app.ctx, CLI_ACTOR, p.id, Number(opts.card), opts.reason)];
        }
        return revokeActiveCardsFor(app.ctx, CLI_ACTOR, p.id, opts.reason);
      });
      if (revoked.length === 0) throw new KlivError('NOT_FOUND', `${opts.code.toUpperCase()} has no working card to revoke`);
      print(`Revoked card ${revoked.map((c) => c.cardId).join(', ')} of ${opts.code.toUpperCase()} (${opts.reason}).`);
    });
  card.command('list')
    .description('a participant\'s cards with their status')
    .requiredOption('--code <code>', 'participant code')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { code: string; json?: boolean }) {
      const cards = withApp(this, (app) => {
        const p = participantByCode(app.ctx, opts.code);
        return cardsOf(app.ctx, CLI_ACTOR, p.id);
      });
      if (opts.json) print(JSON.stringify(cards));
      else for (const c of cards) print([c.cardId, c.status, new Date(c.issuedAt).toISOString(), c.revokeReason ?? ''].join('\t'));
    });

  program.command('cards')
    .description('printable cards')
    .command('print')
    .description('print NEW cards into a PDF. This ISSUES new cards: each listed participant\'s current card stops working at once. '
      + 'Without --code: every active participant who has no working card (nobody\'s card is replaced).')
    .requiredOption('--out <file>', 'where to write the PDF (delete it once printed: it holds working cards)')
    .option('--code <code>', 'participant code; repeat for more (their current cards are revoked)', collect, [] as string[])
    .addOption(layoutOption('sheet'))
    .addOption(reasonOption('why the current cards are replaced (default: reissued)'))
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { out: string; code: string[]; layout: 'single' | 'sheet'; reason?: RevokeReason; json?: boolean }) {
      const printed = withApp(this, (app) => {
        const ids = opts.code.length > 0
          ? opts.code.map((c) => participantByCode(app.ctx, c).id)
          : listForStaff(app.ctx, CLI_ACTOR, {}).filter((p) => !p.hasActiveCard).map((p) => p.participantId);
        if (ids.length === 0) throw new KlivError('NOT_FOUND', 'every active participant already has a working card; name them with --code to replace theirs');
        return printCards(app.ctx, CLI_ACTOR, { participantIds: ids, layout: opts.layout, reason: opts.reason });
      });
      const file = writePdf(opts.out, printed.pdf);
      if (opts.json) print(JSON.stringify({ file, cards: printed.issued }));
      else print(`${printed.issued.length} new card(s) written to ${file}. Print it, then delete the file: it holds working cards.`);
    });

  const schedule = program.command('schedule').description('weekly schedules (structured venues)');
  schedule.command('set')
    .description('set a participant\'s weekly schedule; the one before it ends the day before --from')
    .requiredOption('--code <code>', 'participant code')
    .requiredOption('--days <days>', 'weekdays, e.g. mon,wed,fri')
    .requiredOption('--start <HH:MM>', 'start time, e.g. 09:00')
    .requiredOption('--end <HH:MM>', 'end time, e.g. 12:00')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: today)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: until further notice)')
    .option('--json', 'print JSON')
    .action(function (this: Command, opts: { code: string; days: string; start: string; end: string; from?: string; to?: string; json?: boolean }) {
      if (!isLocalTime(opts.start) || !isLocalTime(opts.end)) throw new KlivError('BAD_INPUT', 'times are HH:MM, e.g. --start 09:00 --end 12:00');
      for (const d of [opts.from, opts.to]) if (d !== undefined && !isLocalDate(d)) throw new KlivError('BAD_INPUT', `bad date "${d}": expected YYYY-MM-DD`);
      const days = parseDays(opts.days);
      const s = withApp(this, (app) => {
        const p = participantByCode(app.ctx, opts.code);
        return { code: p.code, schedule: setSchedule(app.ctx, CLI_ACTOR, p.id, { days, start: opts.start, end: opts.end, validFrom: opts.from, validTo: opts.to ?? null }) };
      });
      if (opts.json) print(JSON.stringify({ code: s.code, days: s.schedule.days, start: s.schedule.start, end: s.schedule.end, validFrom: s.schedule.validFrom, validTo: s.schedule.validTo }));
      else print(`${s.code}: ${s.schedule.days.join(',')} ${s.schedule.start}–${s.schedule.end} from ${s.schedule.validFrom}${s.schedule.validTo ? ` to ${s.schedule.validTo}` : ''}.`);
    });
  schedule.command('end')
    .description('end a participant\'s schedule after today')
    .requiredOption('--code <code>', 'participant code')
    .action(function (this: Command, opts: { code: string }) {
      const changed = withApp(this, (app) => endSchedule(app.ctx, CLI_ACTOR, participantByCode(app.ctx, opts.code).id));
      print(changed ? `The schedule of ${opts.code.toUpperCase()} ends today.` : `${opts.code.toUpperCase()} has no schedule after today.`);
    });
}
