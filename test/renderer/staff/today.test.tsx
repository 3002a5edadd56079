// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TodayView } from '../../../shared/api';
import { fakeBridge, kioskStatus, ok, renderApp, todayView, visit, type Handlers } from './fakes';
import { loginWithBadge } from './helpers';

afterEach(cleanup);

const sara = visit({ visitId: 1, displayName: 'Sara', code: 'K-1001', checkedInLocal: '09:05' });
const omar = visit({ visitId: 2, displayName: 'Omar', code: 'K-1002', checkedInLocal: '08:40', check: { checkId: 7, outcome: 'ready', reason: null, recordedAt: 0, localTime: '08:45', byStaff: 'Anna' } });
const lena = visit({ visitId: 3, displayName: 'Lena', code: 'K-1003', checkedInLocal: '08:00', checkedOutLocal: '10:30', checkedOutAt: 1,
  check: { checkId: 8, outcome: 'not_today', reason: 'unwell', recordedAt: 0, localTime: '08:10', byStaff: 'Anna' } });
const old = { ...visit({ visitId: 4, displayName: 'Jonas', code: 'K-1004', checkedInLocal: '15:20' }), day: '2026-02-27' };

function view(overrides: Partial<TodayView> = {}): TodayView {
  return todayView({
    present: [sara, omar], pendingCheck: [sara], left: [lena], openFromEarlierDays: [old], rejectedScans: 3,
    expectedNotArrived: [{ participantId: 55, code: 'K-1055', displayName: 'Eva', slot: { start: '09:00', end: '12:00' } }],
    ...overrides,
  });
}

async function openToday(handlers: Handlers = {}, mode: 'dropin' | 'structured' = 'dropin') {
  const bridge = fakeBridge({
    'kiosk.status': () => ok(kioskStatus({ mode })),
    'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }),
    'today.view': () => ok(view()),
    ...handlers,
  });
  renderApp(bridge);
  await loginWithBadge();
  await screen.findByTestId('list-present');
  return bridge;
}

describe('today view', () => {
  it('lists present, pending check, left and earlier open visits with counts', async () => {
    await openToday();
    const present = screen.getByTestId('list-present');
    expect(within(present).getByText('Sara')).toBeInTheDocument();
    expect(within(present).getByText('Omar')).toBeInTheDocument();
    expect(within(present).getByText('sedan 09:05')).toBeInTheDocument();
    expect(within(present).getByText('Nykter och arbetsför')).toBeInTheDocument();
    expect(screen.getByTestId('count-present')).toHaveTextContent('2');
    expect(within(screen.getByTestId('list-pending')).getByText('Sara')).toBeInTheDocument();
    expect(screen.getByTestId('count-pending')).toHaveTextContent('1');
    const left = screen.getByTestId('list-left');
    expect(within(left).getByText('Lena')).toBeInTheDocument();
    expect(within(left).getByText('08:00–10:30')).toBeInTheDocument();
    expect(within(left).getByText(/Inte idag · Mår dåligt/)).toBeInTheDocument();
    expect(within(screen.getByTestId('list-earlier')).getByText('Jonas')).toBeInTheDocument();
    expect(screen.getByTestId('rejected-scans')).toHaveTextContent('3');
    // A drop-in venue has no schedule, so no "expected" list.
    expect(screen.queryByTestId('list-expected')).not.toBeInTheDocument();
  });

  it('a structured venue lists who was expected but has not come', async () => {
    await openToday({}, 'structured');
    const expected = screen.getByTestId('list-expected');
    expect(within(expected).getByText('Eva')).toBeInTheDocument();
    expect(within(expected).getByText('schema 09:00–12:00')).toBeInTheDocument();
  });

  it('polls today.view so new arrivals show up', async () => {
    let current = view({ present: [], pendingCheck: [] });
    const bridge = await openToday({ 'today.view': () => ok(current) });
    expect(screen.getByTestId('count-present')).toHaveTextContent('0');
    current = view();
    await waitFor(() => expect(screen.getByTestId('count-present')).toHaveTextContent('2'), { timeout: 8_000 });
    expect(bridge.callsOf('today.view').length).toBeGreaterThanOrEqual(2);
  });

  it('"Nykter och arbetsför" records a ready check for the visit', async () => {
    const bridge = await openToday({ 'checks.record': () => ok(sara) });
    fireEvent.click(within(screen.getByTestId('list-pending')).getByText('Sara'));
    const panel = await screen.findByTestId('visit-panel');
    fireEvent.click(within(panel).getByTestId('check-ready'));
    await waitFor(() => expect(bridge.callsOf('checks.record')).toEqual([{ visitId: 1, outcome: 'ready' }]));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Kontrollen är sparad för Sara.');
  });

  it('"Inte idag" needs a reason category before it can be saved', async () => {
    const bridge = await openToday({ 'checks.record': () => ok(sara) });
    fireEvent.click(within(screen.getByTestId('list-pending')).getByText('Sara'));
    fireEvent.click(await screen.findByTestId('check-not-today'));
    const save = screen.getByTestId('check-save');
    expect(save).toBeDisabled();
    fireEvent.click(save);
    expect(bridge.callsOf('checks.record')).toHaveLength(0);
    // Categories only: no free-text field anywhere in the panel.
    expect(within(screen.getByTestId('visit-panel')).queryByRole('textbox')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId('reason-not_sober'));
    expect(screen.getByTestId('reason-not_sober')).toHaveAttribute('aria-checked', 'true');
    fireEvent.click(screen.getByTestId('reason-unwell'));
    fireEvent.click(screen.getByTestId('check-save'));
    await waitFor(() => expect(bridge.callsOf('checks.record')).toEqual([{ visitId: 1, outcome: 'not_today', reason: 'unwell' }]));
  });

  it('an existing check is corrected with a correction reason', async () => {
    const bridge = await openToday({ 'checks.correct': () => ok(omar) });
    fireEvent.click(within(screen.getByTestId('list-present')).getByText('Omar'));
    fireEvent.click(await screen.findByTestId('check-change'));
    fireEvent.click(screen.getByTestId('correct-outcome-not_today'));
    fireEvent.click(screen.getByTestId('reason-other'));
    expect(screen.getByTestId('check-correct-save')).toBeDisabled();
    fireEvent.click(screen.getByTestId('correction-reason-wrong_check'));
    fireEvent.click(screen.getByTestId('check-correct-save'));
    await waitFor(() => expect(bridge.callsOf('checks.correct')).toEqual([
      { checkId: 7, outcome: 'not_today', reason: 'other', correctionReason: 'wrong_check' },
    ]));
  });

  it('manual check-out needs a reason category', async () => {
    const bridge = await openToday({ 'visits.manualCheckOut': () => ok({ ...sara, checkedOutLocal: '11:00', checkedOutAt: 2 }) });
    fireEvent.click(within(screen.getByTestId('list-present')).getByText('Sara'));
    fireEvent.click(await screen.findByTestId('tab-checkout'));
    expect(screen.getByTestId('checkout-save')).toBeDisabled();
    fireEvent.click(screen.getByTestId('checkout-reason-forgot_checkout'));
    fireEvent.click(screen.getByTestId('checkout-save'));
    await waitFor(() => expect(bridge.callsOf('visits.manualCheckOut')).toEqual([{ visitId: 1, reason: 'forgot_checkout' }]));
  });

  it('an open visit from an earlier day needs the time the person left', async () => {
    const bridge = await openToday({ 'visits.manualCheckOut': () => ok({ ...old, checkedOutLocal: '17:00', checkedOutAt: 2 }) });
    fireEvent.click(within(screen.getByTestId('list-earlier')).getByText('Jonas'));
    await screen.findByTestId('visit-panel');
    fireEvent.click(screen.getByTestId('checkout-reason-forgot_checkout'));
    expect(screen.getByTestId('checkout-save')).toBeDisabled();
    fireEvent.change(screen.getByTestId('checkout-time'), { target: { value: '1700' } });
    fireEvent.click(screen.getByTestId('checkout-save'));
    await waitFor(() => expect(bridge.callsOf('visits.manualCheckOut')).toEqual([{ visitId: 4, reason: 'forgot_checkout', at: '17:00' }]));
  });

  it('times are corrected with a reason and the history shows before and after', async () => {
    const bridge = await openToday({
      'visits.correct': () => ok({ ...lena, checkedInLocal: '08:15', corrected: true }),
      'visits.history': () => ok({
        visit: { ...lena, checkedInLocal: '08:15', corrected: true, day: '2026-03-02' },
        corrections: [{
          at: Date.parse('2026-03-02T10:00:00Z'), byStaff: 'Anna', reason: 'wrong_time' as const, afterConfirmation: true,
          before: { checkedInLocal: '08:00', checkedOutLocal: '10:30' }, after: { checkedInLocal: '08:15', checkedOutLocal: '10:30' },
        }],
        checks: [
          { checkId: 8, outcome: 'ready' as const, reason: null, recordedAt: Date.parse('2026-03-02T07:10:00Z'), localTime: '08:10', byStaff: 'Anna', correctionReason: null, afterConfirmation: false },
          { checkId: 9, outcome: 'not_today' as const, reason: 'unwell' as const, recordedAt: Date.parse('2026-03-02T07:20:00Z'), localTime: '08:20', byStaff: 'Bo', correctionReason: 'wrong_check' as const, afterConfirmation: false },
        ],
      }),
    });
    fireEvent.click(within(screen.getByTestId('list-left')).getByText('Lena'));
    fireEvent.click(await screen.findByTestId('tab-correct'));
    expect(screen.getByTestId('correct-in')).toHaveValue('08:00');
    expect(screen.getByTestId('correct-out')).toHaveValue('10:30');
    fireEvent.change(screen.getByTestId('correct-in'), { target: { value: '8.15' } });
    expect(screen.getByTestId('correct-save')).toBeDisabled();
    fireEvent.click(screen.getByTestId('correction-reason-wrong_time'));
    fireEvent.click(screen.getByTestId('correct-save'));
    await waitFor(() => expect(bridge.callsOf('visits.correct')).toEqual([
      { visitId: 3, checkedIn: '08:15', checkedOut: '10:30', reason: 'wrong_time' },
    ]));

    fireEvent.click(screen.getByTestId('tab-history'));
    const history = await screen.findByTestId('visit-history');
    expect(within(history).getByTestId('history-original')).toHaveTextContent('08:00–10:30');
    const correction = within(history).getByTestId('history-correction');
    expect(correction).toHaveTextContent('08:00–10:30');
    expect(correction).toHaveTextContent('08:15–10:30');
    expect(correction).toHaveTextContent('Fel tid');
    expect(correction).toHaveTextContent('Anna');
    expect(correction).toHaveTextContent('Efter bekräftelse');
    const checks = within(history).getAllByTestId('history-check');
    expect(checks).toHaveLength(2);
    expect(checks[1]).toHaveTextContent('Kontroll rättad');
    expect(checks[1]).toHaveTextContent('Bo');
  });

  it('a confirmed day is read-only for staff', async () => {
    await openToday({ 'today.view': () => ok(view({ confirmed: { at: Date.parse('2026-03-02T16:05:00Z'), byStaff: 'Bo' } })) });
    expect(screen.getByTestId('today-confirmed')).toHaveTextContent('Bo');
    fireEvent.click(within(screen.getByTestId('list-present')).getByText('Omar'));
    await screen.findByTestId('visit-panel');
    expect(screen.getByTestId('panel-confirmed-note')).toHaveTextContent('samordnare');
    expect(screen.queryByTestId('check-change')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId('tab-correct'));
    expect(screen.queryByTestId('correct-save')).not.toBeInTheDocument();
  });
});
