// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, fakeBridge, kioskStatus, ok, PARTICIPANT_CARD, renderApp, SESSION, STAFF_BADGE } from './fakes';
import { loginWithBadge, typePin, wedgeScan } from './helpers';

afterEach(cleanup);

describe('staff login', () => {
  it('a scanned staff badge opens the login screen and badge + PIN logs in', async () => {
    const bridge = fakeBridge({ 'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }) });
    renderApp(bridge);
    await loginWithBadge('246810');
    await screen.findByTestId('staff-today');
    expect(bridge.callsOf('staff.login')).toEqual([{ badge: STAFF_BADGE, pin: '246810' }]);
    expect(screen.getByTestId('staff-user')).toHaveTextContent(SESSION.staffName);
    expect(screen.getByTestId('staff-user')).toHaveTextContent('Personal');
    expect(screen.queryByTestId('attract')).not.toBeInTheDocument();
  });

  it('the staff corner opens the login screen; a badge scanned there fills the badge', async () => {
    const bridge = fakeBridge();
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('staff-corner'));
    expect(await screen.findByTestId('badge-prompt')).toBeInTheDocument();
    // Not enough to log in yet: no badge.
    typePin('123456');
    expect(screen.getByTestId('login-submit')).toBeDisabled();
    wedgeScan(STAFF_BADGE);
    await screen.findByTestId('badge-read');
    // The PIN typed before is kept and the dots never show digits.
    expect(screen.getByTestId('pin-dots').textContent).toBe('');
    expect(screen.getByTestId('login-submit')).toBeEnabled();
    expect(bridge.callsOf('kiosk.scan')).toHaveLength(0);
  });

  it('a participant card at the login screen is refused without calling the server', async () => {
    const bridge = fakeBridge();
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('staff-corner'));
    await screen.findByTestId('badge-prompt');
    wedgeScan(PARTICIPANT_CARD);
    expect(await screen.findByTestId('login-error')).toHaveTextContent('deltagarkort');
    expect(screen.queryByTestId('badge-read')).not.toBeInTheDocument();
    expect(bridge.calls.map((c) => c.method)).not.toContain('kiosk.scan');
  });

  it('a wrong PIN shows the calm LOGIN_FAILED message and clears the PIN', async () => {
    const bridge = fakeBridge({ 'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }), 'staff.login': () => fail('LOGIN_FAILED') });
    renderApp(bridge);
    await loginWithBadge();
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Fel kort eller PIN-kod.');
    expect(screen.getByTestId('pin-dots').querySelectorAll('.is-filled')).toHaveLength(0);
    expect(screen.getByTestId('badge-read')).toBeInTheDocument();
    expect(screen.queryByTestId('staff')).not.toBeInTheDocument();
  });

  it('a locked account is shown clearly', async () => {
    const bridge = fakeBridge({ 'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }), 'staff.login': () => fail('ACCOUNT_LOCKED') });
    renderApp(bridge);
    await loginWithBadge();
    const locked = await screen.findByTestId('login-locked');
    expect(locked).toHaveTextContent('Kontot är låst. En samordnare kan låsa upp det.');
    expect(locked).toHaveAttribute('role', 'alert');
  });

  it('name + PIN login sends the name, for an admin-allowed lost badge', async () => {
    const bridge = fakeBridge();
    renderApp(bridge);
    fireEvent.click(await screen.findByTestId('staff-corner'));
    fireEvent.click(await screen.findByTestId('login-by-name'));
    fireEvent.change(screen.getByTestId('login-name'), { target: { value: '  Anna Personal ' } });
    typePin('1234567');
    fireEvent.click(screen.getByTestId('login-submit'));
    await screen.findByTestId('staff-today');
    expect(bridge.callsOf('staff.login')).toEqual([{ name: 'Anna Personal', pin: '1234567' }]);
  });

  it('a PIN shorter than six digits cannot be sent', async () => {
    renderApp(fakeBridge());
    fireEvent.click(await screen.findByTestId('staff-corner'));
    await screen.findByTestId('badge-prompt');
    wedgeScan(STAFF_BADGE);
    await screen.findByTestId('badge-read');
    typePin('12345');
    expect(screen.getByTestId('login-submit')).toBeDisabled();
    fireEvent.click(screen.getByTestId('pin-backspace'));
    typePin('99');
    expect(screen.getByTestId('login-submit')).toBeEnabled();
  });

  it('cancel goes back to the attract screen', async () => {
    renderApp(fakeBridge());
    fireEvent.click(await screen.findByTestId('staff-corner'));
    fireEvent.click(await screen.findByTestId('login-cancel'));
    expect(await screen.findByTestId('attract')).toBeInTheDocument();
    expect(screen.queryByTestId('staff-login')).not.toBeInTheDocument();
  });

  it('the lock button logs out and returns to the attract screen', async () => {
    const bridge = fakeBridge({ 'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }) });
    renderApp(bridge);
    await loginWithBadge();
    fireEvent.click(await screen.findByTestId('staff-lock'));
    expect(await screen.findByTestId('attract')).toBeInTheDocument();
    expect(bridge.callsOf('staff.logout')).toHaveLength(1);
    expect(document.body.textContent).not.toContain(SESSION.staffName);
  });
});

describe('staff mode and the kiosk', () => {
  it('a reload never resumes staff mode: an open session is ended and the attract screen shows', async () => {
    const bridge = fakeBridge({ 'kiosk.status': () => ok(kioskStatus({ session: SESSION })) });
    renderApp(bridge);
    await screen.findByTestId('attract');
    await waitFor(() => expect(bridge.callsOf('staff.logout')).toHaveLength(1));
    expect(screen.queryByTestId('staff')).not.toBeInTheDocument();
  });

  it('a participant who scans while staff are logged in is checked in and told so', async () => {
    let staffMode = false;
    const bridge = fakeBridge({
      'kiosk.scan': () => (staffMode
        ? ok({ outcome: 'checked-in' as const, displayName: 'Sara', at: 0, localTime: '10:02', schedule: null })
        : ok({ outcome: 'staff-badge' as const })),
    });
    renderApp(bridge);
    await loginWithBadge();
    await screen.findByTestId('staff-today');
    staffMode = true;
    wedgeScan(PARTICIPANT_CARD);
    expect(await screen.findByTestId('toast')).toHaveTextContent('Välkommen, Sara! Du är incheckad 10:02');
    expect(bridge.callsOf('kiosk.scan').at(-1)).toEqual({ payload: PARTICIPANT_CARD });
    expect(screen.getByTestId('staff')).toBeInTheDocument();
  });
});
