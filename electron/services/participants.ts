import { randomInt } from 'node:crypto';
import type { BadgeView, CardView, ParticipantDetails, ParticipantSummary, RevokeReason, ScheduleInput, VenueMode } from '../../shared/api';
import { generateCardPayload, TOKEN_ALPHABET } from '../../shared/card';
import { KlivError } from '../../shared/errors';
import { localDateOf, localTimeOf } from '../../shared/time';
import { hasForbiddenCharacters, looksLikePersonalNumber } from '../../shared/validation';
import { insertCard, listCardsOf, revokeActiveCardsOf, revokeCard, type Card } from '../db/cards';
import { appendEvent } from '../db/events';
import {
  getParticipant, getParticipantByCode, insertParticipant, listParticipants, searchParticipants, setParticipantActive, updateParticipant, type Participant,
} from '../db/participants';
import { findStaffBadge, getStaff, type StaffMember } from '../db/staff';
import { getStaffBadge, listStaffBadgesOf, revokeStaffBadge, type StaffBadge } from '../db/staffBadges';
import { audit } from './audit';
import { cardPdf, type CardLayout } from './cards-pdf';
import type { ServiceContext } from './context';
import { cardTokenHash, nodeRandomBytes } from './hash';
import {
  currentOrNextSchedule, endSchedule, scheduleSlotFor, schedulesForDisplay, setSchedule, toScheduleView, validateScheduleInput, venueToday,
} from './schedules';
import { actorName, issueBadge, type Actor } from './staff';
import { requireVenue } from './venue';

export interface EnrolInput { displayName: string; code?: string | undefined; mode?: VenueMode | undefined }

export interface IssuedCard {
  card: Card;
  /** The clear payload: handed to the printer and then forgotten. */
  payload: string;
}

const CODE_RE = /^[A-Z0-9-]{3,20}$/;

export function generateParticipantCode(): string {
  let code = 'P';
  for (let i = 0; i < 7; i++) code += TOKEN_ALPHABET.charAt(randomInt(TOKEN_ALPHABET.length));
  return code;
}

export function validateDisplayName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 40) throw new KlivError('BAD_INPUT', 'A display name is 1–40 characters.');
  if (hasForbiddenCharacters(trimmed)) throw new KlivError('BAD_INPUT', 'A display name cannot hold control or invisible characters.');
  if (looksLikePersonalNumber(trimmed)) throw new KlivError('PERSONAL_NUMBER_REFUSED', 'That looks like a personal identity number; use a first name or nickname.');
  return trimmed;
}

export function validateCode(code: string): string {
  const upper = code.trim().toUpperCase();
  if (looksLikePersonalNumber(upper)) throw new KlivError('PERSONAL_NUMBER_REFUSED', 'That looks like a personal identity number; use the pseudonymous code.');
  if (!CODE_RE.test(upper)) throw new KlivError('BAD_INPUT', 'A participant code is 3–20 letters, digits or dashes.');
  return upper;
}

export function enrolParticipant(ctx: ServiceContext, input: EnrolInput): { participant: Participant; issued: IssuedCard } {
  const venue = requireVenue(ctx);
  const displayName = validateDisplayName(input.displayName);
  return ctx.db.transaction(() => {
    let code = input.code ? validateCode(input.code) : generateParticipantCode();
    if (input.code && getParticipantByCode(ctx.db, code)) throw new KlivError('CONFLICT', `Code ${code} is already enrolled.`);
    while (!input.code && getParticipantByCode(ctx.db, code)) code = generateParticipantCode();
    const now = ctx.clock.now();
    const participant = insertParticipant(ctx.db, { code, displayName, mode: input.mode ?? venue.mode, createdAt: now });
    appendEvent(ctx.db, { at: now, type: 'participant.enrolled', participantCode: code, data: { mode: participant.mode } });
    const issued = issueCardFor(ctx, participant);
    return { participant, issued };
  })();
}

/** Issues a new card; any card the participant still holds is revoked in the same transaction. */
export function issueCardFor(ctx: ServiceContext, participant: Participant, reason = 'reissued'): IssuedCard {
  return ctx.db.transaction(() => {
    const now = ctx.clock.now();
    const revoked = revokeActiveCardsOf(ctx.db, participant.id, now, reason);
    if (revoked > 0) appendEvent(ctx.db, { at: now, type: 'card.revoked', participantCode: participant.code, data: { count: revoked, reason } });
    const payload = generateCardPayload('participant', nodeRandomBytes);
    const card = insertCard(ctx.db, { tokenHash: cardTokenHash(payload), participantId: participant.id, issuedAt: now });
    appendEvent(ctx.db, { at: now, type: 'card.issued', participantCode: participant.code, data: { cardId: card.id } });
    return { card, payload };
  })();
}

// ---- staff administration: enrol, edit, deactivate, cards and badges ------
//
// Everything below acts for a named actor (a logged-in staff member or the
// CLI): every change writes an event (for the export, codes only) and an
// audit entry, and every read of participant data writes an audit entry.
// Audit details hold codes and ids, never display names.

export function participantSummary(ctx: ServiceContext, p: Participant, today: string): ParticipantSummary {
  const schedule = currentOrNextSchedule(ctx.db, p.id, today);
  return {
    participantId: p.id, code: p.code, displayName: p.displayName, mode: p.mode, active: p.active,
    hasActiveCard: listCardsOf(ctx.db, p.id).some((c) => c.revokedAt === null),
    schedule: schedule ? toScheduleView(schedule) : null,
  };
}

export function toCardView(c: Card): CardView {
  return { cardId: c.id, issuedAt: c.issuedAt, status: c.revokedAt === null ? 'active' : 'revoked', revokedAt: c.revokedAt, revokeReason: c.revokeReason };
}

function requireParticipant(ctx: ServiceContext, participantId: number): Participant {
  const p = getParticipant(ctx.db, participantId);
  if (!p) throw new KlivError('NOT_FOUND', 'No such participant.');
  return p;
}

/** Resolves a participant code (CLI) to the participant. */
export function participantByCode(ctx: ServiceContext, code: string): Participant {
  const p = getParticipantByCode(ctx.db, code.trim().toUpperCase());
  if (!p) throw new KlivError('NOT_FOUND', `No participant with code ${code.trim().toUpperCase()}.`);
  return p;
}

function detailsOf(ctx: ServiceContext, p: Participant): ParticipantDetails {
  const today = venueToday(ctx);
  return {
    ...participantSummary(ctx, p, today),
    createdAt: p.createdAt,
    cards: listCardsOf(ctx.db, p.id).map(toCardView),
    schedules: schedulesForDisplay(ctx.db, p.id, today).map(toScheduleView),
    todaySlot: scheduleSlotFor(ctx, p, today),
  };
}

/** One participant with cards and schedules; an audited read. */
export function participantDetails(ctx: ServiceContext, actor: Actor, participantId: number): ParticipantDetails {
  const p = requireParticipant(ctx, participantId);
  audit(ctx, { actor: actorName(actor), action: 'read.participant', subject: `participant:${p.id}`, detail: { code: p.code } });
  return detailsOf(ctx, p);
}

/** The participant list, optionally filtered by a name or code fragment; an audited read. */
export function listForStaff(ctx: ServiceContext, actor: Actor, options: { query?: string | undefined; includeInactive?: boolean | undefined } = {}): ParticipantSummary[] {
  const query = options.query?.trim() ?? '';
  const found = query === ''
    ? listParticipants(ctx.db, { includeInactive: options.includeInactive === true })
    : searchParticipants(ctx.db, query, 500).filter((p) => options.includeInactive === true || p.active);
  // The query may be a name: only its length is logged.
  audit(ctx, { actor: actorName(actor), action: 'read.participants', detail: { queryLength: query.length, includeInactive: options.includeInactive === true, hits: found.length } });
  const today = venueToday(ctx);
  return found.map((p) => participantSummary(ctx, p, today));
}

export interface StaffEnrolInput extends EnrolInput { schedule?: ScheduleInput | undefined }

/**
 * Enrols a participant for staff. No card is issued here: the first card is
 * issued when it is printed, so no token ever exists that was not handed out.
 */
export function enrolForStaff(ctx: ServiceContext, actor: Actor, input: StaffEnrolInput): Participant {
  const venue = requireVenue(ctx);
  const displayName = validateDisplayName(input.displayName);
  const wanted = input.code?.trim() ? validateCode(input.code) : null;
  const mode = input.mode ?? venue.mode;
  if (input.schedule) {
    if (mode !== 'structured') throw new KlivError('BAD_INPUT', 'Only structured participants have a schedule.');
    validateScheduleInput(input.schedule, venueToday(ctx));
  }
  return ctx.db.transaction(() => {
    if (wanted && getParticipantByCode(ctx.db, wanted)) throw new KlivError('CONFLICT', `Code ${wanted} is already enrolled.`);
    let code = wanted ?? generateParticipantCode();
    while (!wanted && getParticipantByCode(ctx.db, code)) code = generateParticipantCode();
    const now = ctx.clock.now();
    const participant = insertParticipant(ctx.db, { code, displayName, mode, createdAt: now });
    appendEvent(ctx.db, { at: now, type: 'participant.enrolled', participantCode: code, data: { mode } });
    audit(ctx, { actor: actorName(actor), action: 'participant.enrolled', subject: `participant:${participant.id}`, detail: { code, mode, codeGiven: wanted !== null } });
    if (input.schedule) setSchedule(ctx, actor, participant.id, input.schedule);
    return participant;
  })();
}

export function enrolDetails(ctx: ServiceContext, actor: Actor, input: StaffEnrolInput): ParticipantDetails {
  return detailsOf(ctx, enrolForStaff(ctx, actor, input));
}

/**
 * Changes the display name and/or mode. Moving to drop-in ends the schedule
 * (after today). Display names never go to the event log, so a name change
 * is audited only.
 */
export function updateParticipantFor(ctx: ServiceContext, actor: Actor, participantId: number, patch: { displayName?: string | undefined; mode?: VenueMode | undefined }): ParticipantDetails {
  const p = requireParticipant(ctx, participantId);
  const displayName = patch.displayName === undefined ? undefined : validateDisplayName(patch.displayName);
  const changed: string[] = [];
  if (displayName !== undefined && displayName !== p.displayName) changed.push('displayName');
  if (patch.mode !== undefined && patch.mode !== p.mode) changed.push('mode');
  if (changed.length === 0) return detailsOf(ctx, p);
  ctx.db.transaction(() => {
    updateParticipant(ctx.db, p.id, { displayName, mode: patch.mode });
    audit(ctx, { actor: actorName(actor), action: 'participant.updated', subject: `participant:${p.id}`, detail: { code: p.code, changed, ...(changed.includes('mode') ? { mode: patch.mode } : {}) } });
    if (patch.mode === 'dropin' && p.mode === 'structured') endSchedule(ctx, actor, p.id, 'dropin');
  })();
  return detailsOf(ctx, requireParticipant(ctx, p.id));
}

/**
 * Deactivates or reactivates. A deactivated participant's card is refused
 * at the kiosk (but not revoked, so reactivating makes it work again) and
 * their schedule ends after today.
 */
export function setActiveFor(ctx: ServiceContext, actor: Actor, participantId: number, active: boolean): ParticipantDetails {
  const p = requireParticipant(ctx, participantId);
  if (p.active === active) return detailsOf(ctx, p);
  ctx.db.transaction(() => {
    const now = ctx.clock.now();
    setParticipantActive(ctx.db, p.id, active);
    appendEvent(ctx.db, { at: now, type: active ? 'participant.reactivated' : 'participant.deactivated', participantCode: p.code, data: {} });
    audit(ctx, { actor: actorName(actor), action: active ? 'participant.reactivated' : 'participant.deactivated', subject: `participant:${p.id}`, detail: { code: p.code } });
    if (!active) endSchedule(ctx, actor, p.id, 'deactivated');
  })();
  return detailsOf(ctx, requireParticipant(ctx, p.id));
}

/** A participant's cards, newest first; an audited read. */
export function cardsOf(ctx: ServiceContext, actor: Actor, participantId: number): CardView[] {
  const p = requireParticipant(ctx, participantId);
  audit(ctx, { actor: actorName(actor), action: 'read.cards', subject: `participant:${p.id}`, detail: { code: p.code } });
  return listCardsOf(ctx.db, p.id).map(toCardView);
}

/** Revokes one card at once: the kiosk refuses it from the next scan. */
export function revokeCardFor(ctx: ServiceContext, actor: Actor, participantId: number, cardId: number, reason: RevokeReason): CardView {
  const p = requireParticipant(ctx, participantId);
  const card = listCardsOf(ctx.db, p.id).find((c) => c.id === cardId);
  if (!card) throw new KlivError('NOT_FOUND', 'No such card for this participant.');
  if (card.revokedAt !== null) throw new KlivError('CONFLICT', 'This card is already revoked.');
  ctx.db.transaction(() => {
    const now = ctx.clock.now();
    revokeCard(ctx.db, card.id, now, reason);
    appendEvent(ctx.db, { at: now, type: 'card.revoked', participantCode: p.code, data: { cardId: card.id, count: 1, reason } });
    audit(ctx, { actor: actorName(actor), action: 'card.revoked', subject: `participant:${p.id}`, detail: { code: p.code, cardId: card.id, reason } });
  })();
  return toCardView(listCardsOf(ctx.db, p.id).find((c) => c.id === cardId) as Card);
}

/** Revokes every active card of a participant (CLI `kliv card revoke`). Returns the cards revoked. */
export function revokeActiveCardsFor(ctx: ServiceContext, actor: Actor, participantId: number, reason: RevokeReason): CardView[] {
  const p = requireParticipant(ctx, participantId);
  const active = listCardsOf(ctx.db, p.id).filter((c) => c.revokedAt === null);
  return active.map((c) => revokeCardFor(ctx, actor, p.id, c.id, reason));
}

/**
 * A new card without printing it (CLI without --out): the payload is handed
 * back once. The participant's current card stops working.
 */
export function reissueCard(ctx: ServiceContext, actor: Actor, participantId: number, reason?: RevokeReason): IssuedCard {
  const p = requireParticipant(ctx, participantId);
  if (!p.active) throw new KlivError('PARTICIPANT_INACTIVE', `${p.code} is deactivated; reactivate them before issuing a card.`);
  return ctx.db.transaction(() => {
    const replaced = listCardsOf(ctx.db, p.id).filter((c) => c.revokedAt === null).length;
    const issued = issueCardFor(ctx, p, reason ?? 'reissued');
    audit(ctx, { actor: actorName(actor), action: 'card.issued', subject: `participant:${p.id}`, detail: { code: p.code, cardId: issued.card.id, replaced, reason: replaced > 0 ? reason ?? 'reissued' : null } });
    return issued;
  })();
}

export interface PrintedCards<T> {
  pdf: Buffer;
  filename: string;
  issued: T[];
}

function printFilename(ctx: ServiceContext, stem: string): string {
  const venue = requireVenue(ctx);
  const now = ctx.clock.now();
  return `${stem}-${localDateOf(now, venue.timeZone)}-${localTimeOf(now, venue.timeZone).replace(':', '')}.pdf`;
}

/**
 * Issues a new card for each participant and lays them out as a PDF. Any
 * card a participant still holds is revoked in the same transaction, with
 * `reason` (default "reissued"). If the PDF cannot be made, nothing is
 * issued. The clear payloads exist only inside this call and the returned
 * PDF; the database keeps their hashes.
 */
export function printCards(ctx: ServiceContext, actor: Actor, input: { participantIds: number[]; layout: CardLayout; reason?: RevokeReason | undefined }): PrintedCards<{ participantId: number; cardId: number }> {
  const venue = requireVenue(ctx);
  const ids = [...new Set(input.participantIds)];
  if (ids.length === 0) throw new KlivError('BAD_INPUT', 'Choose at least one participant.');
  const people = ids.map((id) => requireParticipant(ctx, id));
  const inactive = people.find((p) => !p.active);
  if (inactive) throw new KlivError('PARTICIPANT_INACTIVE', `${inactive.code} is deactivated; reactivate them before printing a card.`);
  const reason = input.reason ?? 'reissued';
  return ctx.db.transaction(() => {
    const toPrint: { displayName: string; payload: string; hint: string }[] = [];
    const issued: { participantId: number; cardId: number }[] = [];
    for (const p of people) {
      const replaced = listCardsOf(ctx.db, p.id).filter((c) => c.revokedAt === null).length;
      const { card, payload } = issueCardFor(ctx, p, reason);
      toPrint.push({ displayName: p.displayName, payload, hint: `Kort ${card.id}` });
      issued.push({ participantId: p.id, cardId: card.id });
      audit(ctx, { actor: actorName(actor), action: 'card.printed', subject: `participant:${p.id}`, detail: { code: p.code, cardId: card.id, replaced, reason: replaced > 0 ? reason : null, layout: input.layout } });
    }
    const pdf = cardPdf({ venueName: venue.name, cards: toPrint, layout: input.layout });
    return { pdf, filename: printFilename(ctx, ids.length === 1 ? 'kliv-kort' : `kliv-kort-${ids.length}st`), issued };
  })();
}

// ---- staff badges ----------------------------------------------------------

export function toBadgeView(b: StaffBadge): BadgeView {
  return { badgeId: b.id, issuedAt: b.issuedAt, status: b.revokedAt === null ? 'active' : 'revoked', revokedAt: b.revokedAt, revokeReason: b.revokeReason };
}

function requireStaff(ctx: ServiceContext, staffId: number): StaffMember {
  const s = getStaff(ctx.db, staffId);
  if (!s) throw new KlivError('NOT_FOUND', 'No such staff member.');
  return s;
}

export function badgesOf(ctx: ServiceContext, actor: Actor, staffId: number): BadgeView[] {
  const s = requireStaff(ctx, staffId);
  audit(ctx, { actor: actorName(actor), action: 'read.badges', subject: `staff:${s.id}` });
  return listStaffBadgesOf(ctx.db, s.id).map(toBadgeView);
}

export function revokeBadgeFor(ctx: ServiceContext, actor: Actor, staffId: number, badgeId: number, reason: RevokeReason): BadgeView {
  const s = requireStaff(ctx, staffId);
  const badge = listStaffBadgesOf(ctx.db, s.id).find((b) => b.id === badgeId);
  if (!badge) throw new KlivError('NOT_FOUND', 'No such badge for this staff member.');
  if (badge.revokedAt !== null) throw new KlivError('CONFLICT', 'This badge is already revoked.');
  revokeStaffBadge(ctx.db, badge.id, ctx.clock.now(), reason);
  audit(ctx, { actor: actorName(actor), action: 'badge.revoked', subject: `staff:${s.id}`, detail: { badgeId: badge.id, reason } });
  return toBadgeView(getStaffBadge(ctx.db, badge.id) as StaffBadge);
}

/** New badges (the old ones stop working at once), laid out like participant cards. */
export function printBadges(ctx: ServiceContext, actor: Actor, input: { staffIds: number[]; layout: CardLayout }): PrintedCards<{ staffId: number; badgeId: number }> {
  const venue = requireVenue(ctx);
  const ids = [...new Set(input.staffIds)];
  if (ids.length === 0) throw new KlivError('BAD_INPUT', 'Choose at least one staff member.');
  const members = ids.map((id) => requireStaff(ctx, id));
  const inactive = members.find((m) => !m.active);
  if (inactive) throw new KlivError('BAD_INPUT', 'That staff account is not active.');
  return ctx.db.transaction(() => {
    const toPrint: { displayName: string; payload: string; hint: string }[] = [];
    const issued: { staffId: number; badgeId: number }[] = [];
    for (const m of members) {
      const replaced = listStaffBadgesOf(ctx.db, m.id).filter((b) => b.revokedAt === null).length;
      const payload = issueBadge(ctx, m.id);
      const badge = findStaffBadge(ctx.db, cardTokenHash(payload));
      if (!badge) throw new KlivError('INTERNAL', 'The new badge was not stored.');
      toPrint.push({ displayName: m.name, payload, hint: `Personalkort ${badge.id}` });
      issued.push({ staffId: m.id, badgeId: badge.id });
      audit(ctx, { actor: actorName(actor), action: 'badge.printed', subject: `staff:${m.id}`, detail: { badgeId: badge.id, replaced, layout: input.layout } });
    }
    const pdf = cardPdf({ venueName: venue.name, cards: toPrint, layout: input.layout });
    return { pdf, filename: printFilename(ctx, 'kliv-personalkort'), issued };
  })();
}
