import { randomInt } from 'node:crypto';
import { generateCardPayload, TOKEN_ALPHABET } from '../../shared/card';
import { KlivError } from '../../shared/errors';
import type { VenueMode } from '../../shared/api';
import { looksLikePersonalNumber } from '../../shared/validation';
import { insertCard, revokeActiveCardsOf, type Card } from '../db/cards';
import { appendEvent } from '../db/events';
import { getParticipantByCode, insertParticipant, type Participant } from '../db/participants';
import type { ServiceContext } from './context';
import { cardTokenHash, nodeRandomBytes } from './hash';
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
