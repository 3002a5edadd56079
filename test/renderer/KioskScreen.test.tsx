// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KioskStatus, KlivBridge, MethodName, ScanResult } from '../../shared/api';
import type { ErrorCode, Result } from '../../shared/errors';
import { App } from '../../renderer/src/App';
import { I18nProvider } from '../../renderer/src/i18n';
import { KioskScreen } from '../../renderer/src/kiosk/KioskScreen';
import { KlivProvider } from '../../renderer/src/kliv';

const PAYLOAD = 'KLIV1PBEHDH1SGKR5R15NBFW4FSNK8RZT';
const TICKET = 'TICKET_abcdefghijklmnop';
const STATUS: KioskStatus = {
  venueName: 'Ankaret', mode: 'dropin', timeZone: 'Europe/Stockholm', today: '2026-03-02', now: Date.parse('2026-03-02T08:14:00Z'),
  session: null, health: { ok: true, problem: null },
};

type Answer = Result<unknown> | Promise<Result<unknown>>;
type Handlers = Partial<Record<MethodName, (input: Record<string, unknown>) => Answer>>;
const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ErrorCode): Result<never> => ({ ok: false, error: { code, message: `test ${code}` } });

function fakeBridge(handlers: Handlers) {
  const call = vi.fn(async (method: MethodName, input: Record<string, unknown>) => {
    const h = handlers[method];
    if (!h) throw new Error(`unexpected call ${method}`);
    return h(input);
  });
  const bridge = { transport: 'browser' as const, call: call as unknown as KlivBridge['call'] };
  return { bridge, call, handlers };
}

function renderKiosk(handlers: Handlers, props: Partial<Parameters<typeof KioskScreen>[0]> = {}) {
  const fake = fakeBridge(handlers);
  render(
    <KlivProvider bridge={fake.bridge}>
      <I18nProvider>
        <KioskScreen status={STATUS} camera={false} {...props} />
      </I18nProvider>
    </KlivProvider>,
  );
  return fake;
}

/** Flushes pending promises (the bridge answers) inside act. */
async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

async function advance(ms: number): Promise<void> {
  await act(async () => { await vi.advanceTimersByTimeAsync(ms); });
}

/** A USB scanner: every key within a millisecond or two, then Enter, on the window (no focus anywhere). */
async function wedgeScan(text: string, gapMs = 0): Promise<void> {
  await act(async () => {
    for (const key of [...text, 'Enter']) {
      if (gapMs > 0) vi.advanceTimersByTime(gapMs);
      window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    }
  });
  await settle();
}

const checkedIn: ScanResult = { outcome: 'checked-in', displayName: 'Anna', at: Date.parse('2026-03-02T08:14:00Z'), localTime: '09:14', schedule: null };
const pending: ScanResult = { outcome: 'checkout-pending', displayName: 'Anna', ticket: TICKET, checkedInLocalTime: '09:14' };
const checkedOut: ScanResult = { outcome: 'checked-out', displayName: 'Anna', at: 0, localTime: '12:30', minutes: 196 };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-03-02T08:14:00Z'));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('KioskScreen', () => {
  it('shows the attract screen in Swedish with the venue name', () => {
    renderKiosk({});
    expect(screen.getByText('Välkommen!')).toBeInTheDocument();
    expect(screen.getByText('Ankaret')).toBeInTheDocument();
    expect(screen.getByTestId('attract')).not.toHaveAttribute('aria-hidden');
  });

  it('a scanner burst is one kiosk.scan call and shows "Välkommen, Anna!" with the time', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    await wedgeScan(PAYLOAD);
    expect(call).toHaveBeenCalledTimes(1);
    expect(call).toHaveBeenCalledWith('kiosk.scan', { payload: PAYLOAD });
    expect(screen.getByText('Välkommen, Anna!')).toBeInTheDocument();
    expect(screen.getByText('Du är incheckad 09:14')).toBeInTheDocument();
    expect(screen.getByTestId('result-checked-in')).toBeInTheDocument();
  });

  it('slow typing on the keyboard is not a scan', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    await wedgeScan('hej hej hej', 150);
    expect(call).not.toHaveBeenCalled();
    expect(screen.queryByTestId('result-checked-in')).toBeNull();
  });

  it('keys typed into a text field are not taken as a scan', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    const input = document.createElement('input');
    document.body.appendChild(input);
    await act(async () => {
      for (const key of [...PAYLOAD, 'Enter']) input.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    });
    await settle();
    expect(call).not.toHaveBeenCalled();
    input.remove();
  });

  it('the result returns to the attract screen after its dwell time', async () => {
    renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    await wedgeScan(PAYLOAD);
    expect(screen.getByTestId('result-checked-in')).toBeInTheDocument();
    expect(screen.getByTestId('attract')).toHaveAttribute('aria-hidden', 'true');
    await advance(5_900);
    expect(screen.getByTestId('result-checked-in')).toBeInTheDocument();
    await advance(200);
    expect(screen.queryByTestId('result-checked-in')).toBeNull();
    expect(screen.getByTestId('attract')).not.toHaveAttribute('aria-hidden');
  });

  it('OK returns to the attract screen at once', async () => {
    renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    await wedgeScan(PAYLOAD);
    fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    expect(screen.queryByTestId('result-checked-in')).toBeNull();
  });

  it('check-out asks Ja/Nej; Ja calls kiosk.confirmCheckout with confirm:true and shows the goodbye', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(pending), 'kiosk.confirmCheckout': () => ok(checkedOut) });
    await wedgeScan(PAYLOAD);
    expect(screen.getByText('Hej då, Anna?')).toBeInTheDocument();
    expect(screen.getByText('Du checkade in 09:14. Vill du checka ut nu?')).toBeInTheDocument();
    const yes = screen.getByRole('button', { name: 'Ja, checka ut' });
    expect(screen.getByRole('button', { name: 'Nej, jag stannar' })).toBeInTheDocument();
    fireEvent.click(yes);
    await settle();
    expect(call).toHaveBeenLastCalledWith('kiosk.confirmCheckout', { ticket: TICKET, confirm: true });
    expect(screen.getByText('Tack för idag, Anna!')).toBeInTheDocument();
    expect(screen.getByText('Du är utcheckad 12:30')).toBeInTheDocument();
  });

  it('Nej calls kiosk.confirmCheckout with confirm:false and says the person is still checked in', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(pending), 'kiosk.confirmCheckout': () => ok({ outcome: 'checkout-cancelled', displayName: 'Anna' }) });
    await wedgeScan(PAYLOAD);
    fireEvent.click(screen.getByRole('button', { name: 'Nej, jag stannar' }));
    await settle();
    expect(call).toHaveBeenLastCalledWith('kiosk.confirmCheckout', { ticket: TICKET, confirm: false });
    expect(screen.getByText('Du är fortfarande incheckad.')).toBeInTheDocument();
  });

  it('an unanswered check-out question times out as "no" and returns to the attract screen', async () => {
    const { call } = renderKiosk({ 'kiosk.scan': () => ok(pending), 'kiosk.confirmCheckout': () => ok({ outcome: 'checkout-cancelled', displayName: 'Anna' }) });
    await wedgeScan(PAYLOAD);
    await advance(19_000);
    expect(screen.getByTestId('result-checkout-confirm')).toBeInTheDocument();
    expect(call).toHaveBeenCalledTimes(1);
    await advance(1_500);
    expect(call).toHaveBeenLastCalledWith('kiosk.confirmCheckout', { ticket: TICKET, confirm: false });
    expect(screen.queryByTestId('result-checkout-confirm')).toBeNull();
  });

  // Found while testing: nothing stops a second tap on "Ja" while the first
  // answer is on its way (touchscreens, shaky hands). The second call spends an
  // already-used ticket, the service answers TICKET_EXPIRED, and that error
  // replaces the goodbye: the person is checked out but is told "the question
  // timed out, show the card again".
  it('a double tap on Ja checks out once and keeps the goodbye on screen', async () => {
    let answered = false;
    const { call } = renderKiosk({
      'kiosk.scan': () => ok(pending),
      'kiosk.confirmCheckout': () => {
        if (answered) return fail('TICKET_EXPIRED');
        answered = true;
        return ok(checkedOut);
      },
    });
    await wedgeScan(PAYLOAD);
    const yes = screen.getByRole('button', { name: 'Ja, checka ut' });
    fireEvent.click(yes);
    fireEvent.click(yes);
    await settle();
    expect(call.mock.calls.filter(([m]) => m === 'kiosk.confirmCheckout')).toHaveLength(1);
    expect(screen.getByText('Tack för idag, Anna!')).toBeInTheDocument();
  });

  it('an error result shows the translated message for its code', async () => {
    renderKiosk({ 'kiosk.scan': () => fail('STORAGE_FULL') });
    await wedgeScan(PAYLOAD);
    expect(screen.getByTestId('result-error')).toBeInTheDocument();
    expect(screen.getByText('Något gick fel')).toBeInTheDocument();
    expect(screen.getByText('Disken är full – inget sparades. Säg till personalen.')).toBeInTheDocument();
    await advance(10_100);
    expect(screen.queryByTestId('result-error')).toBeNull();
  });

  it('an expired check-out question shows its own message', async () => {
    renderKiosk({ 'kiosk.scan': () => ok(pending), 'kiosk.confirmCheckout': () => fail('TICKET_EXPIRED') });
    await wedgeScan(PAYLOAD);
    fireEvent.click(screen.getByRole('button', { name: 'Ja, checka ut' }));
    await settle();
    expect(screen.getByText('Frågan hann gå ut. Visa kortet igen.')).toBeInTheDocument();
  });

  it('a rejected card shows the calm "talk to the staff" screen, never a name', async () => {
    renderKiosk({ 'kiosk.scan': () => ok({ outcome: 'rejected', reason: 'unknown' }) });
    await wedgeScan(PAYLOAD);
    expect(screen.getByText('Kortet känns inte igen')).toBeInTheDocument();
    expect(screen.getByText('Prata med personalen, så hjälper vi dig.')).toBeInTheDocument();
  });

  it('a double scan says so without changing anything', async () => {
    renderKiosk({ 'kiosk.scan': () => ok({ outcome: 'double-scan', displayName: 'Anna', state: 'in' }) });
    await wedgeScan(PAYLOAD);
    expect(screen.getByText('Klart, Anna')).toBeInTheDocument();
    expect(screen.getByText('Du är redan incheckad.')).toBeInTheDocument();
  });

  it('a second scan while the first is still being answered is ignored', async () => {
    let release: (r: Result<ScanResult>) => void = () => undefined;
    const { call } = renderKiosk({ 'kiosk.scan': () => new Promise<Result<unknown>>((resolve) => { release = resolve; }) });
    await wedgeScan(PAYLOAD);
    vi.advanceTimersByTime(100);
    await wedgeScan(PAYLOAD);
    expect(call).toHaveBeenCalledTimes(1);
    await act(async () => { release(ok(checkedIn)); });
    await settle();
    expect(screen.getByText('Välkommen, Anna!')).toBeInTheDocument();
  });

  it('a staff badge is handed to onStaffBadge and shows no result screen', async () => {
    const onStaffBadge = vi.fn();
    renderKiosk({ 'kiosk.scan': () => ok({ outcome: 'staff-badge' }) }, { onStaffBadge });
    await wedgeScan('KLIV1SBEHDH1SGKR5R15NBFW4FSNK8RZT');
    expect(onStaffBadge).toHaveBeenCalledWith('KLIV1SBEHDH1SGKR5R15NBFW4FSNK8RZT');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('switching to English changes the attract screen and the results', async () => {
    renderKiosk({ 'kiosk.scan': () => ok(checkedIn) });
    fireEvent.click(screen.getByRole('button', { name: 'English' }));
    expect(screen.getByText('Welcome!')).toBeInTheDocument();
    expect(screen.queryByText('Välkommen!')).toBeNull();
    expect(screen.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: 'Svenska' })).toHaveAttribute('aria-pressed', 'false');
    await wedgeScan(PAYLOAD);
    expect(screen.getByText('Welcome, Anna!')).toBeInTheDocument();
    expect(screen.getByText('You checked in at 09:14')).toBeInTheDocument();
  });

  it('the staff corner button calls onStaffCorner', () => {
    const onStaffCorner = vi.fn();
    renderKiosk({}, { onStaffCorner });
    fireEvent.click(screen.getByRole('button', { name: 'Personal' }));
    expect(onStaffCorner).toHaveBeenCalledTimes(1);
  });
});

describe('App', () => {
  function renderApp(handlers: Handlers) {
    const fake = fakeBridge(handlers);
    render(
      <KlivProvider bridge={fake.bridge}>
        <I18nProvider>
          <App camera={false} />
        </I18nProvider>
      </KlivProvider>,
    );
    return fake;
  }

  it('shows the fatal screen with the translated message when kiosk.status fails', async () => {
    renderApp({ 'kiosk.status': () => fail('STORAGE_READ_ONLY') });
    await settle();
    expect(screen.getByTestId('fatal')).toBeInTheDocument();
    expect(screen.getByText('Databasen kan inte skrivas – inget sparades. Säg till personalen.')).toBeInTheDocument();
    expect(screen.queryByTestId('kiosk')).toBeNull();
  });

  it('shows the kiosk once kiosk.status answers', async () => {
    const { call } = renderApp({ 'kiosk.status': () => ok(STATUS) });
    await settle();
    expect(screen.getByTestId('kiosk')).toBeInTheDocument();
    expect(screen.getByText('Ankaret')).toBeInTheDocument();
    expect(call).toHaveBeenCalledWith('kiosk.status', {});
    expect(document.documentElement.lang).toBe('sv');
    expect(document.documentElement.dir).toBe('ltr');
  });
});
