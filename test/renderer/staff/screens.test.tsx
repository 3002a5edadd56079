// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DayReview, StaffAccount, StaffRole } from '../../../shared/api';
import { fail, fakeBridge, ok, renderApp, SESSION, todayView, visit, type Handlers } from './fakes';
import { loginWithBadge } from './helpers';

afterEach(cleanup);

async function loggedIn(role: StaffRole, handlers: Handlers = {}) {
  const bridge = fakeBridge({
    'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }),
    'staff.login': () => ok({ ...SESSION, role }),
    ...handlers,
  });
  renderApp(bridge);
  await loginWithBadge();
  await screen.findByTestId('staff-today');
  return bridge;
}

const review = (overrides: Partial<DayReview> = {}): DayReview => ({
  day: '2026-03-02', confirmed: null, openVisits: 2, pendingChecks: 0, visits: 9, closingTime: '16:00', canConfirm: false, ...overrides,
});

describe('day confirmation', () => {
  it('shows what is left, can auto-close open visits at closing time, confirms and then shows the day locked', async () => {
    const bridge = await loggedIn('staff', {
      'day.review': () => ok(review()),
      'day.confirm': () => ok(review({ openVisits: 0, confirmed: { at: Date.parse('2026-03-02T15:10:00Z'), byStaff: 'Anna Personal' } })),
    });
    fireEvent.click(screen.getByTestId('nav-day'));
    const checklist = await screen.findByTestId('day-checklist');
    expect(within(checklist).getByTestId('check-open')).toHaveTextContent('Fortfarande incheckade: 2');
    expect(screen.getByTestId('stat-visits')).toHaveTextContent('9');
    expect(screen.getByTestId('day-confirm')).toBeDisabled();
    expect(screen.getByTestId('autoclose')).toHaveTextContent('Stäng öppna besök vid stängningstid (16:00)');
    fireEvent.click(screen.getByTestId('autoclose-input'));
    fireEvent.click(screen.getByTestId('day-confirm'));
    fireEvent.click(await screen.findByTestId('day-confirm-yes'));
    await waitFor(() => expect(bridge.callsOf('day.confirm')).toEqual([{ day: '2026-03-02', autoCloseOpenVisits: true }]));
    const locked = await screen.findByTestId('day-locked');
    expect(locked).toHaveTextContent('Dagen är bekräftad och låst');
    expect(screen.getByTestId('day-confirmed-by')).toHaveTextContent('Anna Personal');
    expect(screen.queryByTestId('day-confirm')).not.toBeInTheDocument();
  });

  it('pending checks block confirmation', async () => {
    await loggedIn('staff', { 'day.review': () => ok(review({ openVisits: 0, pendingChecks: 1, canConfirm: false })) });
    fireEvent.click(screen.getByTestId('nav-day'));
    expect(await screen.findByTestId('check-pending')).toHaveTextContent('Väntar på kontroll: 1');
    expect(screen.getByTestId('day-confirm')).toBeDisabled();
  });

  it('a refusal from the server is shown translated', async () => {
    await loggedIn('staff', {
      'day.review': () => ok(review({ openVisits: 0, pendingChecks: 0, canConfirm: true })),
      'day.confirm': () => fail('DAY_NOT_READY'),
    });
    fireEvent.click(screen.getByTestId('nav-day'));
    fireEvent.click(await screen.findByTestId('day-confirm'));
    fireEvent.click(await screen.findByTestId('day-confirm-yes'));
    expect(await screen.findByTestId('day-error')).toHaveTextContent('Dagen kan inte bekräftas än.');
  });

  it('can look back at an earlier day', async () => {
    const bridge = await loggedIn('staff', { 'day.review': (input) => ok(review({ day: input.day ?? '2026-03-02', confirmed: null })) });
    fireEvent.click(screen.getByTestId('nav-day'));
    await screen.findByTestId('day-checklist');
    expect(screen.getByTestId('day-next')).toBeDisabled();
    fireEvent.click(screen.getByTestId('day-prev'));
    await waitFor(() => expect(bridge.callsOf('day.review').at(-1)).toEqual({ day: '2026-03-01' }));
    expect(await screen.findByTestId('day-label')).toHaveTextContent('Söndag 1 mars');
  });
});

describe('manual check-in', () => {
  it('searches by name or code, needs a reason, checks in and opens the visit for the check', async () => {
    const sara = visit({ visitId: 41, participantId: 7, displayName: 'Sara', code: 'K-0007', source: 'manual' });
    let checkedIn = false;
    const bridge = await loggedIn('staff', {
      'participants.search': () => ok([
        { participantId: 7, code: 'K-0007', displayName: 'Sara', active: true, openVisitId: null },
        { participantId: 8, code: 'K-0008', displayName: 'Sam', active: false, openVisitId: null },
      ]),
      'visits.manualCheckIn': () => { checkedIn = true; return ok(sara); },
      'today.view': () => ok(todayView(checkedIn ? { present: [sara], pendingCheck: [sara] } : {})),
    });
    fireEvent.click(screen.getByTestId('nav-checkin'));
    fireEvent.change(await screen.findByTestId('checkin-search'), { target: { value: 'sa' } });
    await waitFor(() => expect(bridge.callsOf('participants.search')).toEqual([{ query: 'sa' }]));
    expect(await screen.findByTestId('hit-8')).toBeDisabled();
    fireEvent.click(screen.getByTestId('hit-7'));
    expect(screen.getByTestId('checkin-save')).toBeDisabled();
    fireEvent.click(screen.getByTestId('checkin-reason-no_card'));
    fireEvent.click(screen.getByTestId('checkin-save'));
    await waitFor(() => expect(bridge.callsOf('visits.manualCheckIn')).toEqual([{ participantId: 7, reason: 'no_card' }]));
    const panel = await screen.findByTestId('visit-panel');
    expect(within(panel).getByTestId('check-ready')).toBeInTheDocument();
  });

  it('the on-screen keyboard types into the search', async () => {
    const bridge = await loggedIn('staff', { 'participants.search': () => ok([]) });
    fireEvent.click(screen.getByTestId('nav-checkin'));
    const osk = await screen.findByTestId('osk');
    fireEvent.click(within(osk).getByText('K'));
    fireEvent.click(within(osk).getByText('-'));
    fireEvent.click(within(osk).getByText('7'));
    expect(screen.getByTestId('checkin-search')).toHaveValue('K-7');
    await waitFor(() => expect(bridge.callsOf('participants.search')).toEqual([{ query: 'K-7' }]));
  });
});

const account = (overrides: Partial<StaffAccount> = {}): StaffAccount => ({
  staffId: 2, name: 'Bo Låst', role: 'staff', locked: true, failedAttempts: 5, nameLoginAllowed: false, active: true, ...overrides,
});

describe('staff accounts', () => {
  it('plain staff do not see the accounts screen', async () => {
    await loggedIn('staff');
    expect(screen.queryByTestId('nav-accounts')).not.toBeInTheDocument();
  });

  it('a coordinator sees locked accounts and unlocks them, but cannot add staff', async () => {
    const bridge = await loggedIn('coordinator', {
      'staff.list': () => ok([account(), account({ staffId: 3, name: 'Cia', locked: false, failedAttempts: 0 })]),
      'staff.unlock': () => ok(account({ locked: false, failedAttempts: 0 })),
    });
    fireEvent.click(screen.getByTestId('nav-accounts'));
    const row = await screen.findByTestId('account-2');
    expect(within(row).getByTestId('account-locked')).toHaveTextContent('Låst');
    expect(within(screen.getByTestId('account-3')).queryByTestId('account-unlock')).not.toBeInTheDocument();
    expect(screen.queryByTestId('accounts-add')).not.toBeInTheDocument();
    expect(screen.queryByTestId('account-name-login')).not.toBeInTheDocument();
    fireEvent.click(within(row).getByTestId('account-unlock'));
    await waitFor(() => expect(bridge.callsOf('staff.unlock')).toEqual([{ staffId: 2 }]));
    await waitFor(() => expect(within(screen.getByTestId('account-2')).queryByTestId('account-locked')).not.toBeInTheDocument());
  });

  it('an admin allows name login and adds staff; the badge payload is shown once', async () => {
    const bridge = await loggedIn('admin', {
      'staff.list': () => ok([account({ locked: false, failedAttempts: 0 })]),
      'staff.allowNameLogin': (input) => ok(account({ locked: false, failedAttempts: 0, nameLoginAllowed: input.allow })),
      'staff.add': (input) => ok({ account: account({ staffId: 9, name: input.name, role: input.role, locked: false, failedAttempts: 0 }), badgePayload: 'KLIVS1ABCDEFGHJKMNPQRSTVWXYZ0123' }),
    });
    fireEvent.click(screen.getByTestId('nav-accounts'));
    fireEvent.click(await screen.findByTestId('account-name-login'));
    await waitFor(() => expect(bridge.callsOf('staff.allowNameLogin')).toEqual([{ staffId: 2, allow: true }]));

    fireEvent.click(screen.getByTestId('accounts-add'));
    fireEvent.change(await screen.findByTestId('add-name'), { target: { value: 'Dana Ny' } });
    fireEvent.click(screen.getByTestId('add-role-coordinator'));
    fireEvent.click(screen.getByTestId('add-next'));
    for (const d of '135790') fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    fireEvent.click(screen.getByTestId('add-pin-next'));
    for (const d of '135790') fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    fireEvent.click(screen.getByTestId('add-save'));
    await waitFor(() => expect(bridge.callsOf('staff.add')).toEqual([{ name: 'Dana Ny', role: 'coordinator', pin: '135790' }]));
    expect(await screen.findByTestId('badge-payload')).toHaveTextContent('KLIVS1ABCDEFGHJKMNPQRSTVWXYZ0123');
    expect(screen.getByTestId('badge-qr')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('add-done'));
    await screen.findByTestId('staff-accounts');
    expect(document.body.textContent).not.toContain('KLIVS1ABCDEFGHJKMNPQRSTVWXYZ0123');
  });

  it('a PIN typed differently the second time is not sent', async () => {
    const bridge = await loggedIn('admin', { 'staff.list': () => ok([]) });
    fireEvent.click(screen.getByTestId('nav-accounts'));
    fireEvent.click(await screen.findByTestId('accounts-add'));
    fireEvent.change(await screen.findByTestId('add-name'), { target: { value: 'Dana' } });
    fireEvent.click(screen.getByTestId('add-next'));
    for (const d of '111111') fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    fireEvent.click(screen.getByTestId('add-pin-next'));
    for (const d of '222222') fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    fireEvent.click(screen.getByTestId('add-save'));
    expect(await screen.findByTestId('add-error')).toHaveTextContent('PIN-koderna var olika');
    expect(bridge.callsOf('staff.add')).toHaveLength(0);
  });
});
