import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../../electron/api/caller';
import { createDispatcher } from '../../../electron/api/dispatch';
import { setPdfPrinter } from '../../../electron/api/handlers/participants';
import { listCardsOf } from '../../../electron/db/cards';
import { eventsAfter } from '../../../electron/db/events';
import { getParticipant } from '../../../electron/db/participants';
import { schedulesOf } from '../../../electron/db/schedules';
import { auditKey, verifyAuditChain } from '../../../electron/services/audit';
import {
  badgesOf, cardsOf, enrolDetails, enrolForStaff, enrolParticipant, listForStaff, participantDetails, printBadges, printCards, reissueCard,
  revokeActiveCardsFor, revokeBadgeFor, revokeCardFor, setActiveFor, updateParticipantFor,
} from '../../../electron/services/participants';
import { setSchedule, slotOn } from '../../../electron/services/schedules';
import { addStaff, CLI_ACTOR, login, type Actor } from '../../../electron/services/staff';
import { KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

// Lets one test make the PDF fail, to prove nothing is issued without a printout.
const fonts = vi.hoisted(() => ({ broken: false }));
vi.mock('../../../electron/services/fonts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../electron/services/fonts')>();
  return { fontPath: (name: string) => { if (fonts.broken) throw new Error('font gone'); return real.fontPath(name); } };
});

const FAST = { logN: 10, r: 8, p: 1 };
let t: TestApp;
let kim: Actor;
beforeEach(() => {
  t = testApp({ mode: 'structured' }); // 2026-03-02 09:00 Stockholm, a Monday
  kim = { staffId: addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, FAST).account.staffId, role: 'staff' };
});
afterEach(() => {
  fonts.broken = false;
  t.close();
});

const ctx = () => t.app.ctx;
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlivError) return err.code;
    throw err;
  }
  return undefined;
}
const auditRows = (): { actor: string; action: string; subject: string | null; detail: string }[] =>
  t.app.db.prepare('SELECT actor, action, subject, detail FROM audit_log ORDER BY seq').all() as never;
const auditText = (): string => JSON.stringify(auditRows());
const eventTypes = (): string[] => eventsAfter(t.app.db, 0).map((e) => e.type);

/** Renders a PDF and reads every QR on it with zbarimg, the independent decoder. */
function decodePdf(pdf: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kliv-pdf-'));
  try {
    writeFileSync(join(dir, 'cards.pdf'), pdf);
    const r = spawnSync('pdftoppm', ['-r', '200', '-png', join(dir, 'cards.pdf'), join(dir, 'page')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pdftoppm: ${r.stderr}`);
    const out: string[] = [];
    for (const png of readdirSync(dir).filter((f) => f.endsWith('.png')).sort()) {
      const z = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', join(dir, png)], { encoding: 'utf8' });
      out.push(...z.stdout.split('\n').filter(Boolean));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('enrolment by staff', () => {
  it('creates the participant without a card (the first card is issued when printed), with an event and an audit entry without the name', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'k-1001' });
    expect(p).toMatchObject({ code: 'K-1001', displayName: 'Anna', mode: 'structured', active: true });
    expect(listCardsOf(t.app.db, p.id)).toEqual([]);
    expect(eventsAfter(t.app.db, 0).filter((e) => e.type === 'participant.enrolled')).toMatchObject([{ participantCode: 'K-1001', data: { mode: 'structured' } }]);
    expect(auditRows().find((r) => r.action === 'participant.enrolled')).toMatchObject({ actor: `staff:${kim.staffId}`, subject: `participant:${p.id}` });
    expect(auditText()).not.toContain('Anna');
    expect(JSON.stringify(eventsAfter(t.app.db, 0))).not.toContain('Anna');
  });

  it('generates a code when none is given, and refuses a code that is taken', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    expect(p.code).toMatch(/^P[0-9A-Z]{7}$/);
    expect(codeOf(() => enrolForStaff(ctx(), kim, { displayName: 'Bo', code: p.code.toLowerCase() }))).toBe('CONFLICT');
  });

  it.each([
    ['a personal number as the code', { displayName: 'Anna', code: '19850101-1234' }],
    ['a 10-digit personal number as the code', { displayName: 'Anna', code: '8501011234' }],
    ['a personal number with a space as the code', { displayName: 'Anna', code: '850101 1234' }],
    ['a coordination number as the code', { displayName: 'Anna', code: '850161-1234' }],
    ['a personal number in the name', { displayName: 'Anna 850101-1234', code: 'K-1' + '002' }],
    ['a name that is only a personal number', { displayName: '198501011234' }],
  ])('refuses %s with PERSONAL_NUMBER_REFUSED and stores nothing', (_label, input) => {
    expect(codeOf(() => enrolForStaff(ctx(), kim, input))).toBe('PERSONAL_NUMBER_REFUSED');
    expect(t.app.db.prepare('SELECT count(*) FROM participants').pluck().get()).toBe(0);
    expect(auditText()).not.toMatch(/850101|8501011234|850161/);
  });

  it('enrols with a weekly schedule in the same step; a schedule for a drop-in participant is refused', () => {
    const d = enrolDetails(ctx(), kim, { displayName: 'Anna', code: 'K-1001', schedule: { days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00' } });
    expect(d.schedule).toMatchObject({ days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00', validFrom: '2026-03-02', validTo: null });
    expect(d.todaySlot).toEqual({ start: '09:00', end: '12:00' });
    expect(eventTypes()).toEqual(['participant.enrolled', 'participant.schedule_set']);
    expect(codeOf(() => enrolForStaff(ctx(), kim, { displayName: 'Bo', mode: 'dropin', schedule: { days: ['mon'], start: '09:00', end: '12:00' } }))).toBe('BAD_INPUT');
    expect(codeOf(() => enrolForStaff(ctx(), kim, { displayName: 'Bo', schedule: { days: ['mon'], start: '09:00', end: '12:00', validFrom: '2026-03-01' } }))).toBe('BAD_INPUT');
    expect(t.app.db.prepare('SELECT count(*) FROM participants').pluck().get()).toBe(1);
  });
});

describe('editing, deactivating and reactivating', () => {
  it('renames (audited without either name, no event: names never leave the kiosk) and refuses a personal number', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'K-1001' });
    const before = eventTypes().length;
    const d = updateParticipantFor(ctx(), kim, p.id, { displayName: 'Annie' });
    expect(d.displayName).toBe('Annie');
    expect(eventTypes()).toHaveLength(before);
    expect(auditRows().find((r) => r.action === 'participant.updated')).toMatchObject({ subject: `participant:${p.id}` });
    expect(auditText()).not.toMatch(/Anna|Annie/);
    expect(codeOf(() => updateParticipantFor(ctx(), kim, p.id, { displayName: '850101-1234' }))).toBe('PERSONAL_NUMBER_REFUSED');
    expect(getParticipant(t.app.db, p.id)?.displayName).toBe('Annie');
  });

  it('moving a structured participant to drop-in ends their schedule after today', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna', schedule: { days: ['mon', 'tue'], start: '09:00', end: '12:00' } });
    const d = updateParticipantFor(ctx(), kim, p.id, { mode: 'dropin' });
    expect(d.mode).toBe('dropin');
    expect(schedulesOf(t.app.db, p.id)).toMatchObject([{ validFrom: '2026-03-02', validTo: '2026-03-02' }]);
    expect(d.todaySlot).toBeNull(); // drop-in participants are shown no slot
    expect(d.schedule).toMatchObject({ validTo: '2026-03-02' });
  });

  it('deactivating refuses the card at the kiosk and ends the schedule; reactivating makes the same card work again', () => {
    const { participant, issued } = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1001' });
    t.clock.set('2026-02-27T08:00:00Z'); // schedule set the Friday before
    setSchedule(ctx(), kim, participant.id, { days: ['mon', 'wed'], start: '09:00', end: '12:00' });
    t.clock.set('2026-03-02T08:00:00Z');
    const off = setActiveFor(ctx(), kim, participant.id, false);
    expect(off.active).toBe(false);
    expect(schedulesOf(t.app.db, participant.id)).toMatchObject([{ validFrom: '2026-02-27', validTo: '2026-03-02' }]);
    expect(t.app.kiosk.scan(issued.payload)).toEqual({ outcome: 'rejected', reason: 'inactive' });
    expect(eventTypes()).toContain('participant.deactivated');
    // deactivating twice changes nothing
    const events = eventTypes().length;
    setActiveFor(ctx(), kim, participant.id, false);
    expect(eventTypes()).toHaveLength(events);

    t.clock.advance(60_000);
    const on = setActiveFor(ctx(), kim, participant.id, true);
    expect(on.active).toBe(true);
    expect(eventTypes().at(-1)).toBe('participant.reactivated');
    // The schedule ran through today (Monday), so today's slot still shows; Wednesday has none.
    expect(t.app.kiosk.scan(issued.payload)).toMatchObject({ outcome: 'checked-in', displayName: 'Anna', schedule: { start: '09:00', end: '12:00' } });
    expect(slotOn(t.app.db, participant.id, '2026-03-04')).toBeNull();
    expect(auditRows().map((r) => r.action)).toEqual(expect.arrayContaining(['participant.deactivated', 'schedule.ended', 'participant.reactivated']));
  });
});

describe('reading participant data is audited', () => {
  it('list, search, details and cards each write an audit entry; a search logs only the query length', () => {
    enrolForStaff(ctx(), kim, { displayName: 'Anna', code: 'K-1001' });
    const bo = enrolForStaff(ctx(), kim, { displayName: 'Bo', code: 'K-2002' });
    setActiveFor(ctx(), kim, bo.id, false);
    expect(listForStaff(ctx(), kim).map((p) => p.code)).toEqual(['K-1001']);
    expect(listForStaff(ctx(), kim, { includeInactive: true }).map((p) => p.code)).toEqual(['K-1001', 'K-2002']);
    expect(listForStaff(ctx(), kim, { query: 'ann' }).map((p) => p.displayName)).toEqual(['Anna']);
    expect(listForStaff(ctx(), kim, { query: '2002', includeInactive: true }).map((p) => p.displayName)).toEqual(['Bo']);
    expect(listForStaff(ctx(), kim, { query: '2002' })).toEqual([]);
    participantDetails(ctx(), kim, bo.id);
    cardsOf(ctx(), kim, bo.id);
    const reads = auditRows().filter((r) => r.action.startsWith('read.'));
    expect(reads.map((r) => r.action)).toEqual(['read.participants', 'read.participants', 'read.participants', 'read.participants', 'read.participants', 'read.participant', 'read.cards']);
    expect(JSON.parse(reads[2]!.detail)).toMatchObject({ queryLength: 3, hits: 1 });
    expect(auditText()).not.toMatch(/ann|Anna|"Bo"/);
    expect(verifyAuditChain(t.app.db, auditKey(t.app.db, t.app.ctx.secrets))).toMatchObject({ ok: true });
  });

  it('an unknown participant is NOT_FOUND', () => {
    expect(codeOf(() => participantDetails(ctx(), kim, 999))).toBe('NOT_FOUND');
  });
});

describe('cards', () => {
  it('printing issues a new card; the PDF scans to it; the previous card is revoked with the reason given', () => {
    const { participant, issued: first } = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1001' });
    t.clock.advance(60_000);
    const printed = printCards(ctx(), kim, { participantIds: [participant.id], layout: 'single', reason: 'lost' });
    expect(printed.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(printed.filename).toBe('kliv-kort-2026-03-02-0901.pdf');
    const cards = listCardsOf(t.app.db, participant.id);
    expect(cards).toHaveLength(2);
    expect(cards[0]).toMatchObject({ id: printed.issued[0]!.cardId, revokedAt: null });
    expect(cards[1]).toMatchObject({ id: first.card.id, revokedAt: t.clock.now(), revokeReason: 'lost' });

    const [payload] = decodePdf(printed.pdf);
    expect(payload).toMatch(/^KLIV1P[0-9A-Z]{27}$/);
    expect(t.app.kiosk.scan(first.payload)).toEqual({ outcome: 'rejected', reason: 'revoked' });
    expect(t.app.kiosk.scan(payload!)).toMatchObject({ outcome: 'checked-in', displayName: 'Anna' });
    // the clear payload is nowhere in the database
    const everything = JSON.stringify([t.app.db.prepare('SELECT * FROM events').all(), t.app.db.prepare('SELECT * FROM audit_log').all()]);
    expect(everything).not.toContain(payload);
    expect(auditRows().find((r) => r.action === 'card.printed')).toMatchObject({ subject: `participant:${participant.id}` });
  });

  it('a sheet holds everyone chosen; the first card of a new participant replaces nothing', () => {
    const ids = ['Anna', 'Bo', 'Cai'].map((n, i) => enrolForStaff(ctx(), kim, { displayName: n, code: `K-10${i}` }).id);
    const printed = printCards(ctx(), kim, { participantIds: [...ids, ids[0]!], layout: 'sheet' });
    expect(printed.issued.map((c) => c.participantId)).toEqual(ids);
    const payloads = decodePdf(printed.pdf);
    expect(payloads).toHaveLength(3);
    for (const p of payloads) expect(t.app.kiosk.scan(p).outcome).toBe('checked-in');
    expect(eventTypes().filter((e) => e === 'card.revoked')).toEqual([]);
  });

  it('if the PDF cannot be made, no card is issued and the old card keeps working', () => {
    const { participant, issued } = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1001' });
    fonts.broken = true;
    expect(() => printCards(ctx(), kim, { participantIds: [participant.id], layout: 'single' })).toThrow();
    fonts.broken = false;
    expect(listCardsOf(t.app.db, participant.id)).toHaveLength(1);
    expect(t.app.kiosk.scan(issued.payload).outcome).toBe('checked-in');
  });

  it('refuses to print for a deactivated participant', () => {
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    setActiveFor(ctx(), kim, p.id, false);
    expect(codeOf(() => printCards(ctx(), kim, { participantIds: [p.id], layout: 'single' }))).toBe('PARTICIPANT_INACTIVE');
    expect(codeOf(() => reissueCard(ctx(), kim, p.id))).toBe('PARTICIPANT_INACTIVE');
    expect(listCardsOf(t.app.db, p.id)).toEqual([]);
  });

  it('revoking one card stops it at once, with a reason, an event and an audit entry; it cannot be revoked twice or un-revoked', () => {
    const { participant, issued } = enrolParticipant(ctx(), { displayName: 'Anna', code: 'K-1001' });
    const view = revokeCardFor(ctx(), kim, participant.id, issued.card.id, 'stolen');
    expect(view).toEqual({ cardId: issued.card.id, issuedAt: issued.card.issuedAt, status: 'revoked', revokedAt: t.clock.now(), revokeReason: 'stolen' });
    expect(t.app.kiosk.scan(issued.payload)).toEqual({ outcome: 'rejected', reason: 'revoked' });
    expect(eventsAfter(t.app.db, 0).at(-1)).toMatchObject({ type: 'card.revoked', participantCode: 'K-1001', data: { cardId: issued.card.id, reason: 'stolen' } });
    expect(auditRows().at(-1)).toMatchObject({ action: 'card.revoked', subject: `participant:${participant.id}` });
    expect(codeOf(() => revokeCardFor(ctx(), kim, participant.id, issued.card.id, 'lost'))).toBe('CONFLICT');
    expect(() => t.app.db.prepare('UPDATE cards SET revoked_at = NULL WHERE id = ?').run(issued.card.id)).toThrow(/stays revoked/);
    // another participant's card id is not found through this participant
    const other = enrolParticipant(ctx(), { displayName: 'Bo' });
    expect(codeOf(() => revokeCardFor(ctx(), kim, participant.id, other.issued.card.id, 'lost'))).toBe('NOT_FOUND');
    expect(revokeActiveCardsFor(ctx(), kim, participant.id, 'lost')).toEqual([]);
  });

  it('cards are listed newest first with their status', () => {
    const { participant } = enrolParticipant(ctx(), { displayName: 'Anna' });
    t.clock.advance(1000);
    reissueCard(ctx(), kim, participant.id, 'damaged');
    const cards = cardsOf(ctx(), kim, participant.id);
    expect(cards.map((c) => [c.status, c.revokeReason])).toEqual([['active', null], ['revoked', 'damaged']]);
    expect(participantDetails(ctx(), kim, participant.id)).toMatchObject({ hasActiveCard: true, cards });
  });
});

describe('staff badges', () => {
  it('printing issues a new badge (the old one stops logging in), listing shows status, revoking needs a reason', () => {
    const admin: Actor = { staffId: addStaff(ctx(), CLI_ACTOR, { name: 'Lo', role: 'admin', pin: '583920' }, FAST).account.staffId, role: 'admin' };
    const { badgePayload, account } = addStaff(ctx(), CLI_ACTOR, { name: 'Sam', role: 'staff', pin: '719352' }, FAST);
    const printed = printBadges(ctx(), admin, { staffIds: [account.staffId], layout: 'single' });
    const [payload] = decodePdf(printed.pdf);
    expect(payload).toMatch(/^KLIV1S/);
    expect(printed.filename).toMatch(/^kliv-personalkort-2026-03-02-\d{4}\.pdf$/);
    expect(codeOf(() => login(ctx(), { badge: badgePayload, pin: '719352' }))).toBe('LOGIN_FAILED');
    expect(login(ctx(), { badge: payload!, pin: '719352' }).name).toBe('Sam');
    const badges = badgesOf(ctx(), admin, account.staffId);
    expect(badges.map((b) => b.status)).toEqual(['active', 'revoked']);
    const revoked = revokeBadgeFor(ctx(), admin, account.staffId, badges[0]!.badgeId, 'lost');
    expect(revoked).toMatchObject({ status: 'revoked', revokeReason: 'lost' });
    expect(codeOf(() => login(ctx(), { badge: payload!, pin: '719352' }))).toBe('LOGIN_FAILED');
    expect(auditRows().map((r) => r.action)).toEqual(expect.arrayContaining(['badge.printed', 'read.badges', 'badge.revoked']));
  });
});

describe('over the contract (dispatch, roles, delivery)', () => {
  const staffCaller = (actor: Actor, role: 'staff' | 'admin' = 'staff'): Caller => ({ session: { staffId: actor.staffId as number, staffName: 'Kim', role, lastActive: t.clock.now() } });

  it('every participant method needs a staff login; staff badges need an admin', async () => {
    const dispatch = createDispatcher(t.app);
    const kiosk: Caller = { session: null };
    for (const method of ['participants.list', 'participants.enrol', 'cards.print', 'schedules.set', 'cards.revoke']) {
      const res = await dispatch(kiosk, method, {});
      expect(res, method).toMatchObject({ ok: false, error: { code: 'NOT_LOGGED_IN' } });
    }
    const res = await dispatch(staffCaller(kim), 'staffBadges.print', { staffIds: [kim.staffId], layout: 'single', deliver: 'download' });
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('a personal number typed as a code comes back as PERSONAL_NUMBER_REFUSED, not as a shape error', async () => {
    const dispatch = createDispatcher(t.app);
    const res = await dispatch(staffCaller(kim), 'participants.enrol', { displayName: 'Anna', code: '850101 1234' });
    expect(res).toMatchObject({ ok: false, error: { code: 'PERSONAL_NUMBER_REFUSED' } });
    expect(JSON.stringify(res)).not.toContain('850101');
  });

  it('enrol with a schedule, then print: the PDF comes back for download in browser mode', async () => {
    const dispatch = createDispatcher(t.app);
    const caller = staffCaller(kim);
    const enrolled = await dispatch(caller, 'participants.enrol', { displayName: 'Anna', code: 'K-1001', schedule: { days: ['mon'], start: '09:00', end: '12:00' } });
    expect(enrolled).toMatchObject({ ok: true, value: { code: 'K-1001', todaySlot: { start: '09:00', end: '12:00' }, hasActiveCard: false } });
    const id = (enrolled as { value: { participantId: number } }).value.participantId;
    const printed = await dispatch(caller, 'cards.print', { participantIds: [id], layout: 'single', deliver: 'download' });
    expect(printed).toMatchObject({ ok: true, value: { sentToPrinter: false, cards: [{ participantId: id }] } });
    const pdf = Buffer.from((printed as { value: { pdfBase64: string } }).value.pdfBase64, 'base64');
    const [payload] = decodePdf(pdf);
    expect(t.app.kiosk.scan(payload!)).toMatchObject({ outcome: 'checked-in', schedule: { start: '09:00', end: '12:00' } });
  });

  it('"printer" delivery hands the PDF to the desktop printer and returns no PDF; without a printer nothing is issued', async () => {
    const dispatch = createDispatcher(t.app);
    const caller = staffCaller(kim);
    const p = enrolForStaff(ctx(), kim, { displayName: 'Anna' });
    const refused = await dispatch(caller, 'cards.print', { participantIds: [p.id], layout: 'single', deliver: 'printer' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(listCardsOf(t.app.db, p.id)).toEqual([]);

    const jobs: { pdf: Buffer; name: string }[] = [];
    setPdfPrinter(t.app, (pdf, name) => jobs.push({ pdf: Buffer.from(pdf), name }));
    const sent = await dispatch(caller, 'cards.print', { participantIds: [p.id], layout: 'sheet', deliver: 'printer' });
    expect(sent).toMatchObject({ ok: true, value: { sentToPrinter: true, pdfBase64: null } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.name).toMatch(/^kliv-kort-2026-03-02-\d{4}\.pdf$/);
    expect(decodePdf(jobs[0]!.pdf)).toHaveLength(1);
    setPdfPrinter(t.app, null);
  });

  it('an admin prints a staff badge over the contract', async () => {
    const admin: Actor = { staffId: addStaff(ctx(), CLI_ACTOR, { name: 'Lo', role: 'admin', pin: '583920' }, FAST).account.staffId, role: 'admin' };
    const dispatch = createDispatcher(t.app);
    const res = await dispatch(staffCaller(admin, 'admin'), 'staffBadges.print', { staffIds: [kim.staffId], layout: 'single', deliver: 'download' });
    expect(res).toMatchObject({ ok: true, value: { badges: [{ staffId: kim.staffId }] } });
    const [badge] = decodePdf(Buffer.from((res as { value: { pdfBase64: string } }).value.pdfBase64, 'base64'));
    expect(login(ctx(), { badge: badge!, pin: '482913' }).id).toBe(kim.staffId);
  });
});
