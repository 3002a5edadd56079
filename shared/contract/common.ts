/**
 * Pieces every feature contract uses: roles, the method() builder and the
 * field schemas shared across features.
 */
import { z } from 'zod';
import { isLocalDate, isLocalTime, isValidTimeZone } from '../time';
import { FORBIDDEN_TEXT } from '../validation';

export const ROLES = ['kiosk', 'staff', 'coordinator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ['staff', 'coordinator', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

// ---- shared field schemas -------------------------------------------------

/** Free text typed by staff: no control or bidi-override characters, trimmed. */
export const plainText = (max: number) =>
  z.string().trim().min(1).max(max).refine((s) => !FORBIDDEN_TEXT.test(s), 'contains control or invisible characters');

export const localDate = z.string().refine(isLocalDate, 'expected a date YYYY-MM-DD');
export const localTime = z.string().refine(isLocalTime, 'expected a time HH:MM');
export const timeZone = z.string().min(1).max(64).refine(isValidTimeZone, 'expected an IANA time zone such as Europe/Stockholm');
export const venueMode = z.enum(['structured', 'dropin']);
export type VenueMode = z.infer<typeof venueMode>;
/** Pseudonymous participant code: what the municipality uses, never a personal number. */
export const participantCode = z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{3,20}$/, 'expected 3–20 letters, digits or dashes');
export const cardPayloadInput = z.string().max(256);
export const ticket = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

export const scheduleSlot = z.object({ start: localTime, end: localTime });
export type ScheduleSlot = z.infer<typeof scheduleSlot>;

export interface MethodSpec<I extends z.ZodType, O extends z.ZodType> {
  role: Role;
  input: I;
  output: O;
}

export const method = <I extends z.ZodType, O extends z.ZodType>(role: Role, input: I, output: O): MethodSpec<I, O> => ({ role, input, output });

export const empty = z.object({}).strict();
