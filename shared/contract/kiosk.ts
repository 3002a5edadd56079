/** The participant-facing kiosk: status and the scan rules. Callable without login. */
import { z } from 'zod';
import { cardPayloadInput, empty, localDate, localTime, method, scheduleSlot, STAFF_ROLES, ticket, venueMode } from './common';

export const scanRejectReason = z.enum(['malformed', 'unknown', 'revoked', 'inactive']);
export type ScanRejectReason = z.infer<typeof scanRejectReason>;

export const scanResult = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('checked-in'), displayName: z.string(), at: z.number(), localTime, schedule: scheduleSlot.nullable() }),
  z.object({ outcome: z.literal('checkout-pending'), displayName: z.string(), ticket, checkedInLocalTime: localTime }),
  z.object({ outcome: z.literal('checked-out'), displayName: z.string(), at: z.number(), localTime, minutes: z.number().int().nonnegative() }),
  z.object({ outcome: z.literal('checkout-cancelled'), displayName: z.string() }),
  z.object({ outcome: z.literal('double-scan'), displayName: z.string(), state: z.enum(['in', 'out']) }),
  z.object({ outcome: z.literal('rejected'), reason: scanRejectReason }),
  z.object({ outcome: z.literal('staff-badge') }),
]);
export type ScanResult = z.infer<typeof scanResult>;

export const kioskStatus = z.object({
  venueName: z.string(),
  mode: venueMode,
  timeZone: z.string(),
  today: localDate,
  now: z.number(),
  session: z.object({ staffName: z.string(), role: z.enum(STAFF_ROLES), idleLockSeconds: z.number().int().positive() }).nullable(),
  health: z.object({ ok: z.boolean(), problem: z.string().nullable() }),
});
export type KioskStatus = z.infer<typeof kioskStatus>;


export const kioskMethods = {
  'kiosk.status': method('kiosk', empty, kioskStatus),
  'kiosk.scan': method('kiosk', z.object({ payload: cardPayloadInput }).strict(), scanResult),
  'kiosk.confirmCheckout': method('kiosk', z.object({ ticket, confirm: z.boolean() }).strict(), scanResult),
} as const;
