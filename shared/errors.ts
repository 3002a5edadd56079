/**
 * Stable error codes that cross the process boundary. The renderer maps every
 * code to a translated message, so adding a code here means adding a message
 * to each catalogue (a test checks this).
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNKNOWN_METHOD',
  'FORBIDDEN',
  'NOT_LOGGED_IN',
  'CARD_MALFORMED',
  'CARD_UNKNOWN',
  'CARD_REVOKED',
  'CARD_IS_STAFF_BADGE',
  'PARTICIPANT_INACTIVE',
  'NOT_FOUND',
  'CONFLICT',
  'LOGIN_FAILED',
  'ACCOUNT_LOCKED',
  'DAY_CONFIRMED',
  'DAY_NOT_READY',
  'TICKET_EXPIRED',
  'PERSONAL_NUMBER_REFUSED',
  'STORAGE_FULL',
  'STORAGE_READ_ONLY',
  'STORAGE_FAILED',
  'EXPORT_NOT_CONFIGURED',
  'EXPORT_FAILED',
  'KEY_UNAVAILABLE',
  'PIN_TOO_SIMPLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
}

/** An error that is safe to show: its message never holds names or secrets. */
export class KlivError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'KlivError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
