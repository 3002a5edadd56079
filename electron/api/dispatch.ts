/**
 * The handler table and the one function both transports call. Input is
 * validated against the contract before a handler sees it, the caller's role
 * is checked here (never only in the UI), and every failure leaves as a
 * stable error code with a message that holds no personal data.
 */
import { contract, isMethodName, roleAtLeast, type MethodName, type MethodOutput, type ParsedInput } from '../../shared/api';
import { KlivError, type ApiError, type Result } from '../../shared/errors';
import type { KlivApp } from './app';
import { callerRole, type Caller } from './caller';
import { kioskHandlers } from './handlers/kiosk';
import { staffHandlers } from './handlers/staff';
import { exportHandlers } from './handlers/export';
import { reportHandlers } from './handlers/reports';
import { participantHandlers } from './handlers/participants';
import { readSetting } from '../services/settings';
import { logout } from '../services/staff';

export interface HandlerContext {
  app: KlivApp;
  caller: Caller;
}

/** A handler may return a promise (file exports); the dispatcher awaits it. */
export type Handler<M extends MethodName> = (input: ParsedInput<M>, ctx: HandlerContext) => MethodOutput<M> | Promise<MethodOutput<M>>;
export type HandlerTable = { [M in MethodName]: Handler<M> };

export const handlers: HandlerTable = {
  ...kioskHandlers,
  ...staffHandlers,
  ...exportHandlers,
  ...reportHandlers,
  ...participantHandlers,
};

/**
 * Calls a screen makes by itself (polling) are not a person at the kiosk, so
 * they do not keep a staff session alive; touches are reported via staff.touch.
 */
const PASSIVE_METHODS: ReadonlySet<string> = new Set(['kiosk.status', 'today.view', 'export.status', 'day.review']);

export interface DispatchLog {
  (entry: { method: string; ok: boolean; code?: string; ms: number }): void;
}

function storageError(err: unknown): ApiError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return { code: 'STORAGE_FULL', message: 'The disk is full; nothing was saved.' };
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_READONLY_DBMOVED') return { code: 'STORAGE_READ_ONLY', message: 'The database cannot be written; nothing was saved.' };
  if (typeof code === 'string' && (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CANTOPEN')) {
    return { code: 'STORAGE_FAILED', message: 'The database could not be written; nothing was saved.' };
  }
  return null;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof KlivError) return { code: err.code, message: err.message };
  return storageError(err) ?? { code: 'INTERNAL', message: 'Something went wrong inside Kliv.' };
}

export function createDispatcher(app: KlivApp, log?: DispatchLog) {
  return async function dispatch(caller: Caller, methodName: unknown, rawInput: unknown): Promise<Result<unknown>> {
    const started = performance.now();
    const finish = <T>(result: Result<T>): Result<T> => {
      log?.({ method: String(methodName).slice(0, 64), ok: result.ok, ...(result.ok ? {} : { code: result.error.code }), ms: performance.now() - started });
      return result;
    };
    if (!isMethodName(methodName)) return finish({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'No such method.' } });
    const spec = contract[methodName];
    expireIdleSession(app, caller);
    const have = callerRole(caller);
    if (!roleAtLeast(have, spec.role)) {
      return finish({ ok: false, error: have === 'kiosk'
        ? { code: 'NOT_LOGGED_IN', message: 'Log in as staff first.' }
        : { code: 'FORBIDDEN', message: `This needs the ${spec.role} role.` } });
    }
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return finish({ ok: false, error: { code: 'BAD_INPUT', message: `${where}${issue?.message ?? 'invalid input'}` } });
    }
    try {
      const handler = handlers[methodName] as unknown as (input: unknown, ctx: HandlerContext) => unknown;
      const value = spec.output.parse(await handler(parsed.data, { app, caller }));
      if (caller.session && !PASSIVE_METHODS.has(methodName)) caller.session.lastActive = app.ctx.clock.now();
      return finish({ ok: true, value });
    } catch (err) {
      const error = toApiError(err);
      if (error.code === 'INTERNAL') console.error(`[kliv] ${methodName} failed:`, err instanceof Error ? err.message : 'unknown error');
      return finish({ ok: false, error });
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;

/**
 * Staff sessions end after the configured idle time even if the screen
 * failed to lock itself (a crashed renderer, a closed browser tab).
 */
function expireIdleSession(app: KlivApp, caller: Caller): void {
  const session = caller.session;
  if (!session) return;
  const idleMs = readSetting(app.ctx, 'staff.idleLockSeconds') * 1000;
  if (app.ctx.clock.now() - session.lastActive > idleMs) {
    caller.session = null;
    try {
      logout(app.ctx, session.staffId, 'idle');
    } catch {
      // The session is gone either way; a failed audit write surfaces on the next call.
    }
  }
}
