/**
 * Participants, their weekly schedules and their cards (and staff badges):
 * enrolment and editing by staff, printing new cards, revoking lost ones.
 * Names and codes are checked again in the services, which refuse anything
 * that looks like a personal identity number.
 */
import { z } from 'zod';
import { localDate, localTime, method, plainText, scheduleSlot, venueMode } from './common';

const id = z.number().int().positive();

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof weekday>;

/** Why staff revoke a card or replace it. A replacement without a reason is stored as "reissued". */
export const CARD_REVOKE_REASONS = ['lost', 'damaged', 'stolen', 'other'] as const;
export const revokeReason = z.enum(CARD_REVOKE_REASONS);
export type RevokeReason = z.infer<typeof revokeReason>;

export const cardLayout = z.enum(['single', 'sheet']);
export type CardLayoutName = z.infer<typeof cardLayout>;
/** download: the PDF comes back (browser mode); printer: the desktop app opens the OS print dialog. */
export const printDelivery = z.enum(['download', 'printer']);
export type PrintDelivery = z.infer<typeof printDelivery>;

export const scheduleInput = z.object({
  days: z.array(weekday).min(1).max(7),
  start: localTime,
  end: localTime,
  /** First day in force; today when left out. */
  validFrom: localDate.optional(),
  /** Last day in force; open-ended when left out or null. */
  validTo: localDate.nullable().optional(),
}).strict()
  .refine((s) => s.start < s.end, { message: 'the end time must be after the start time', path: ['end'] })
  .refine((s) => !s.validTo || !s.validFrom || s.validTo >= s.validFrom, { message: 'the last day must not be before the first', path: ['validTo'] });
export type ScheduleInput = z.infer<typeof scheduleInput>;

export const scheduleView = z.object({
  scheduleId: id,
  days: z.array(weekday),
  start: localTime,
  end: localTime,
  validFrom: localDate,
  validTo: localDate.nullable(),
});
export type ScheduleView = z.infer<typeof scheduleView>;

const cardStatus = z.enum(['active', 'revoked']);
export const cardView = z.object({
  cardId: id,
  issuedAt: z.number(),
  status: cardStatus,
  revokedAt: z.number().nullable(),
  /** One of CARD_REVOKE_REASONS, "reissued", or null while active. */
  revokeReason: z.string().nullable(),
});
export type CardView = z.infer<typeof cardView>;

export const badgeView = cardView.omit({ cardId: true }).extend({ badgeId: id });
export type BadgeView = z.infer<typeof badgeView>;

export const participantSummary = z.object({
  participantId: id,
  code: z.string(),
  displayName: z.string(),
  mode: venueMode,
  active: z.boolean(),
  hasActiveCard: z.boolean(),
  /** The schedule in force today, or else the next one to start. */
  schedule: scheduleView.nullable(),
});
export type ParticipantSummary = z.infer<typeof participantSummary>;

export const participantDetails = participantSummary.extend({
  createdAt: z.number(),
  cards: z.array(cardView),
  /** Current and coming schedules, then past ones, newest first. */
  schedules: z.array(scheduleView),
  todaySlot: scheduleSlot.nullable(),
});
export type ParticipantDetails = z.infer<typeof participantDetails>;

const printed = z.object({
  filename: z.string(),
  /** The PDF, only for "download"; it holds clear card tokens, so drop it once saved. */
  pdfBase64: z.string().nullable(),
  sentToPrinter: z.boolean(),
});
export const cardPrintResult = printed.extend({ cards: z.array(z.object({ participantId: id, cardId: id })) });
export type CardPrintResult = z.infer<typeof cardPrintResult>;
export const badgePrintResult = printed.extend({ badges: z.array(z.object({ staffId: id, badgeId: id })) });
export type BadgePrintResult = z.infer<typeof badgePrintResult>;

/** Loose on purpose: the service says "that is a personal number" rather than "bad characters". */
const codeInput = z.string().trim().max(40);

export const participantMethods = {
  'participants.list': method('staff', z.object({ query: z.string().max(60).optional(), includeInactive: z.boolean().optional() }).strict(), z.array(participantSummary)),
  'participants.get': method('staff', z.object({ participantId: id }).strict(), participantDetails),
  'participants.enrol': method('staff', z.object({
    displayName: plainText(40), code: codeInput.optional(), mode: venueMode.optional(), schedule: scheduleInput.optional(),
  }).strict(), participantDetails),
  'participants.update': method('staff', z.object({ participantId: id, displayName: plainText(40).optional(), mode: venueMode.optional() }).strict(), participantDetails),
  'participants.setActive': method('staff', z.object({ participantId: id, active: z.boolean() }).strict(), participantDetails),
  'schedules.set': method('staff', z.object({ participantId: id, schedule: scheduleInput }).strict(), participantDetails),
  'schedules.end': method('staff', z.object({ participantId: id }).strict(), participantDetails),
  'cards.list': method('staff', z.object({ participantId: id }).strict(), z.array(cardView)),
  'cards.revoke': method('staff', z.object({ participantId: id, cardId: id, reason: revokeReason }).strict(), cardView),
  /** Issues a NEW card for each participant (their current card stops working) and returns or prints the PDF. */
  'cards.print': method('staff', z.object({
    participantIds: z.array(id).min(1).max(200), layout: cardLayout, deliver: printDelivery, reason: revokeReason.optional(),
  }).strict(), cardPrintResult),
  'staffBadges.list': method('admin', z.object({ staffId: id }).strict(), z.array(badgeView)),
  'staffBadges.revoke': method('admin', z.object({ staffId: id, badgeId: id, reason: revokeReason }).strict(), badgeView),
  /** Issues a NEW badge for each staff member (the old one stops working) and returns or prints the PDF. */
  'staffBadges.print': method('admin', z.object({
    staffIds: z.array(id).min(1).max(50), layout: cardLayout, deliver: printDelivery,
  }).strict(), badgePrintResult),
} as const;
