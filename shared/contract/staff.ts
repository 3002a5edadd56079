/**
 * Staff mode: login, today's work (checks, manual attendance, corrections,
 * day confirmation) and account administration. Roles are enforced by the
 * dispatcher from the `role` each method names here.
 */
import { z } from 'zod';
import { empty, localDate, localTime, method, plainText, STAFF_ROLES } from './common';

export const checkOutcome = z.enum(['ready', 'not_today']);
export type CheckOutcome = z.infer<typeof checkOutcome>;
/** Why "not today": categories only, never free-text health notes. */
export const notTodayReason = z.enum(['not_sober', 'unwell', 'other']);
export type NotTodayReason = z.infer<typeof notTodayReason>;
/** Why staff checked someone in or out by hand. */
export const manualReason = z.enum(['no_card', 'card_lost', 'kiosk_problem', 'forgot_checkout', 'other']);
export type ManualReason = z.infer<typeof manualReason>;
/** Why a record was corrected. */
export const correctionReason = z.enum(['wrong_time', 'forgot_checkout', 'wrong_person', 'wrong_check', 'other']);
export type CorrectionReason = z.infer<typeof correctionReason>;
export const pin = z.string().regex(/^\d{6,12}$/, 'a PIN is 6–12 digits');
export const staffName = plainText(60);
export const id = z.number().int().positive();

export const checkView = z.object({
  checkId: id,
  outcome: checkOutcome,
  reason: notTodayReason.nullable(),
  recordedAt: z.number(),
  localTime,
  byStaff: z.string(),
});
export type CheckView = z.infer<typeof checkView>;

export const visitRow = z.object({
  visitId: id,
  participantId: id,
  code: z.string(),
  displayName: z.string(),
  checkedInAt: z.number(),
  checkedInLocal: localTime,
  checkedOutAt: z.number().nullable(),
  checkedOutLocal: localTime.nullable(),
  source: z.enum(['card', 'manual', 'paper']),
  autoClosed: z.boolean(),
  corrected: z.boolean(),
  check: checkView.nullable(),
});
export type VisitRow = z.infer<typeof visitRow>;

export const expectedRow = z.object({
  participantId: id,
  code: z.string(),
  displayName: z.string(),
  slot: z.object({ start: localTime, end: localTime }),
});

export const todayView = z.object({
  day: localDate,
  confirmed: z.object({ at: z.number(), byStaff: z.string() }).nullable(),
  present: z.array(visitRow),
  left: z.array(visitRow),
  pendingCheck: z.array(visitRow),
  expectedNotArrived: z.array(expectedRow),
  /** Visits from earlier days still open: staff must close them. */
  openFromEarlierDays: z.array(visitRow.extend({ day: localDate })),
  rejectedScans: z.number().int().nonnegative(),
});
export type TodayView = z.infer<typeof todayView>;

export const participantHit = z.object({
  participantId: id,
  code: z.string(),
  displayName: z.string(),
  active: z.boolean(),
  openVisitId: id.nullable(),
});

export const visitHistory = z.object({
  visit: visitRow.extend({ day: localDate }),
  corrections: z.array(z.object({
    at: z.number(),
    byStaff: z.string(),
    reason: correctionReason,
    afterConfirmation: z.boolean(),
    before: z.object({ checkedInLocal: localTime, checkedOutLocal: localTime.nullable() }),
    after: z.object({ checkedInLocal: localTime, checkedOutLocal: localTime.nullable() }),
  })),
  checks: z.array(checkView.extend({ correctionReason: correctionReason.nullable(), afterConfirmation: z.boolean() })),
});
export type VisitHistory = z.infer<typeof visitHistory>;

export const dayReview = z.object({
  day: localDate,
  confirmed: z.object({ at: z.number(), byStaff: z.string() }).nullable(),
  openVisits: z.number().int().nonnegative(),
  pendingChecks: z.number().int().nonnegative(),
  visits: z.number().int().nonnegative(),
  closingTime: localTime,
  canConfirm: z.boolean(),
});
export type DayReview = z.infer<typeof dayReview>;

export const staffAccount = z.object({
  staffId: id,
  name: z.string(),
  role: z.enum(STAFF_ROLES),
  locked: z.boolean(),
  failedAttempts: z.number().int().nonnegative(),
  nameLoginAllowed: z.boolean(),
  active: z.boolean(),
});
export type StaffAccount = z.infer<typeof staffAccount>;

export const sessionInfo = z.object({ staffName: z.string(), role: z.enum(STAFF_ROLES), idleLockSeconds: z.number().int().positive() });

const ok = z.object({ ok: z.literal(true) });

export const staffMethods = {
  'staff.login': method('kiosk', z.union([
    z.object({ badge: z.string().max(256), pin }).strict(),
    z.object({ name: staffName, pin }).strict(),
  ]), sessionInfo),
  'staff.logout': method('kiosk', empty, ok),
  /** The staff screen reports touches here so the server-side idle lock matches the screen's. */
  'staff.touch': method('staff', empty, ok),
  'today.view': method('staff', z.object({ day: localDate.optional() }).strict(), todayView),
  'participants.search': method('staff', z.object({ query: z.string().max(60) }).strict(), z.array(participantHit)),
  'visits.manualCheckIn': method('staff', z.object({ participantId: id, reason: manualReason }).strict(), visitRow),
  'visits.manualCheckOut': method('staff', z.object({ visitId: id, reason: manualReason, at: localTime.optional() }).strict(), visitRow),
  'visits.correct': method('staff', z.object({
    visitId: id, checkedIn: localTime, checkedOut: localTime.nullable(), reason: correctionReason,
  }).strict(), visitRow),
  'visits.history': method('staff', z.object({ visitId: id }).strict(), visitHistory),
  'checks.record': method('staff', z.object({ visitId: id, outcome: checkOutcome, reason: notTodayReason.optional() }).strict()
    .refine((v) => (v.outcome === 'not_today') === (v.reason !== undefined), 'a "not today" check needs a reason category, and only it'), visitRow),
  'checks.correct': method('staff', z.object({
    checkId: id, outcome: checkOutcome, reason: notTodayReason.optional(), correctionReason,
  }).strict().refine((v) => (v.outcome === 'not_today') === (v.reason !== undefined), 'a "not today" check needs a reason category, and only it'), visitRow),
  'day.review': method('staff', z.object({ day: localDate.optional() }).strict(), dayReview),
  'day.confirm': method('staff', z.object({ day: localDate, autoCloseOpenVisits: z.boolean() }).strict(), dayReview),
  'staff.list': method('coordinator', empty, z.array(staffAccount)),
  'staff.unlock': method('coordinator', z.object({ staffId: id }).strict(), staffAccount),
  'staff.add': method('admin', z.object({ name: staffName, role: z.enum(STAFF_ROLES), pin }).strict(),
    z.object({ account: staffAccount, badgePayload: z.string() })),
  'staff.allowNameLogin': method('admin', z.object({ staffId: id, allow: z.boolean() }).strict(), staffAccount),
} as const;

