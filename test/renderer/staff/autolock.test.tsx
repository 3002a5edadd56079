// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, fakeBridge, ok, renderApp, SESSION, todayView, visit } from './fakes';
import { loginWithBadge } from './helpers';

const sara = visit({ visitId: 1, displayName: 'Sara Svensson', code: 'K-7001' });

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function advance(ms: number): Promise<void> {
  await act(async () => { await vi.advanceTimersByTimeAsync(ms); });
}

function loggedInBridge(idleLockSeconds = 30) {
  return fakeBridge({
    'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }),
    'staff.login': () => ok({ ...SESSION, idleLockSeconds }),
    'today.view': () => ok(todayView({ present: [sara], pendingCheck: [sara] })),
  });
}

function staffDataLeft(): string[] {
  const text = document.body.textContent ?? '';
  return [SESSION.staffName, 'Sara Svensson', 'K-7001'].filter((s) => text.includes(s));
}

describe('auto-lock', () => {
  it('after idleLockSeconds without activity it logs out and leaves no staff data in the DOM', async () => {
    const bridge = loggedInBridge(30);
    renderApp(bridge);
    await loginWithBadge();
    await screen.findAllByText('Sara Svensson');
    fireEvent.click(screen.getAllByText('Sara Svensson')[0] as HTMLElement);
    await screen.findByTestId('visit-panel');
    expect(staffDataLeft()).not.toEqual([]);

    await advance(20_000);
    expect(screen.getByTestId('staff')).toBeInTheDocument();
    // The last seconds are announced so someone still working can stay.
    expect(screen.getByTestId('idle-warning')).toBeInTheDocument();

    await advance(11_000);
    expect(screen.getByTestId('attract')).toBeInTheDocument();
    expect(screen.queryByTestId('staff')).not.toBeInTheDocument();
    expect(screen.queryByTestId('visit-panel')).not.toBeInTheDocument();
    expect(staffDataLeft()).toEqual([]);
    expect(bridge.callsOf('staff.logout')).toHaveLength(1);
  });

  it('touch, pointer and key activity keep the session open', async () => {
    const bridge = loggedInBridge(30);
    renderApp(bridge);
    await loginWithBadge();
    await screen.findByTestId('staff-today');
    for (let i = 0; i < 4; i++) {
      await advance(20_000);
      if (i % 2 === 0) fireEvent.pointerDown(document.body);
      else fireEvent.keyDown(document.body, { key: 'a' });
    }
    expect(screen.getByTestId('staff')).toBeInTheDocument();
    expect(bridge.callsOf('staff.logout')).toHaveLength(0);
    await advance(31_000);
    expect(screen.getByTestId('attract')).toBeInTheDocument();
    expect(bridge.callsOf('staff.logout')).toHaveLength(1);
  });

  it('an abandoned login screen returns to the attract screen', async () => {
    renderApp(fakeBridge());
    fireEvent.click(await screen.findByTestId('staff-corner'));
    await screen.findByTestId('staff-login');
    await advance(61_000);
    expect(screen.getByTestId('attract')).toBeInTheDocument();
  });

  it('NOT_LOGGED_IN from any call (server-side idle expiry) returns to the attract screen', async () => {
    let expired = false;
    const bridge = fakeBridge({
      'kiosk.scan': () => ok({ outcome: 'staff-badge' as const }),
      'today.view': () => (expired ? fail('NOT_LOGGED_IN') : ok(todayView({ present: [sara] }))),
    });
    renderApp(bridge);
    await loginWithBadge();
    await screen.findAllByText('Sara Svensson');
    expired = true;
    await advance(5_000);
    expect(screen.getByTestId('attract')).toBeInTheDocument();
    expect(staffDataLeft()).toEqual([]);
  });
});
