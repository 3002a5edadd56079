/**
 * A fake window.kliv for staff-screen component tests: each method answers
 * from a handler the test can replace, and every call is recorded.
 */
import { render } from '@testing-library/react';
import type { KioskStatus, KlivBridge, MethodInput, MethodName, MethodOutput, TodayView, VisitRow } from '../../../shared/api';
import { generateCardPayload } from '../../../shared/card';
import type { ErrorCode, Result } from '../../../shared/errors';
import { App } from '../../../renderer/src/App';
import { I18nProvider } from '../../../renderer/src/i18n';
import { KlivProvider } from '../../../renderer/src/kliv';

type Handler<M extends MethodName> = (input: MethodInput<M>) => Result<MethodOutput<M>> | Promise<Result<MethodOutput<M>>>;
export type Handlers = { [M in MethodName]?: Handler<M> };

export const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode): Result<never> => ({ ok: false, error: { code, message: `test ${code}` } });

export const STAFF_BADGE = generateCardPayload('staff');
export const PARTICIPANT_CARD = generateCardPayload('participant');

export function kioskStatus(overrides: Partial<KioskStatus> = {}): KioskStatus {
  return {
    venueName: 'Testgården',
    mode: 'dropin',
    timeZone: 'Europe/Stockholm',
    today: '2026-03-02',
    now: Date.parse('2026-03-02T09:00:00Z'),
    session: null,
    health: { ok: true, problem: null },
    ...overrides,
  };
}

let nextId = 100;
export function visit(overrides: Partial<VisitRow> = {}): VisitRow {
  const id = overrides.visitId ?? nextId++;
  return {
    visitId: id,
    participantId: overrides.participantId ?? id + 1000,
    code: `K-${id}`,
    displayName: `Person ${id}`,
    checkedInAt: Date.parse('2026-03-02T08:12:00Z'),
    checkedInLocal: '09:12',
    checkedOutAt: null,
    checkedOutLocal: null,
    source: 'card',
    autoClosed: false,
    corrected: false,
    check: null,
    ...overrides,
  };
}

export function todayView(overrides: Partial<TodayView> = {}): TodayView {
  return {
    day: '2026-03-02',
    confirmed: null,
    present: [],
    left: [],
    pendingCheck: [],
    expectedNotArrived: [],
    openFromEarlierDays: [],
    rejectedScans: 0,
    ...overrides,
  };
}

export const SESSION = { staffName: 'Anna Personal', role: 'staff' as const, idleLockSeconds: 120 };

export interface FakeBridge extends KlivBridge {
  handlers: Handlers;
  calls: { method: MethodName; input: unknown }[];
  callsOf<M extends MethodName>(method: M): MethodInput<M>[];
}

export function fakeBridge(handlers: Handlers = {}): FakeBridge {
  const bridge: FakeBridge = {
    transport: 'browser',
    handlers: {
      'kiosk.status': () => ok(kioskStatus()),
      'kiosk.scan': () => ok({ outcome: 'rejected', reason: 'unknown' }),
      'staff.logout': () => ok({ ok: true as const }),
      'staff.login': () => ok(SESSION),
      'today.view': () => ok(todayView()),
      ...handlers,
    },
    calls: [],
    callsOf<M extends MethodName>(method: M) {
      return bridge.calls.filter((c) => c.method === method).map((c) => c.input as MethodInput<M>);
    },
    async call(method, input) {
      bridge.calls.push({ method, input });
      const handler = bridge.handlers[method] as Handler<typeof method> | undefined;
      if (!handler) return fail('UNKNOWN_METHOD');
      return (await handler(input)) as never;
    },
  };
  return bridge;
}

export function renderApp(bridge: FakeBridge) {
  return render(
    <KlivProvider bridge={bridge}>
      <I18nProvider>
        <App camera={false} />
      </I18nProvider>
    </KlivProvider>,
  );
}
