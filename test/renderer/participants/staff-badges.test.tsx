// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BadgeView } from '../../../shared/api';
import { roleAtLeast } from '../../../shared/api';
import { I18nProvider } from '../../../renderer/src/i18n';
import { KlivProvider } from '../../../renderer/src/kliv';
import { StaffBadges } from '../../../renderer/src/participants/StaffBadges';
import { StaffContext, type StaffContextValue } from '../../../renderer/src/staff/context';
import { fakeBridge, kioskStatus, ok } from '../staff/fakes';

const badge = (badgeId: number, status: BadgeView['status']): BadgeView => ({
  badgeId, issuedAt: Date.parse('2026-02-01T09:00:00Z'), status, revokedAt: status === 'revoked' ? Date.parse('2026-02-20T09:00:00Z') : null, revokeReason: status === 'revoked' ? 'reissued' : null,
});

let clicks: string[];
beforeEach(() => {
  clicks = [];
  Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: vi.fn(() => 'blob:kliv/badge') });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: vi.fn() });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { clicks.push(this.download); });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('staff badges (admin)', () => {
  it('lists badges with status, revokes one with a reason and prints a new one', async () => {
    let list = [badge(5, 'active'), badge(2, 'revoked')];
    const bridge = fakeBridge({
      'staffBadges.list': () => ok(list),
      'staffBadges.revoke': ({ badgeId }) => {
        list = list.map((b) => (b.badgeId === badgeId ? { ...b, status: 'revoked' as const } : b));
        return ok(list.find((b) => b.badgeId === badgeId)!);
      },
      'staffBadges.print': () => {
        list = [badge(6, 'active'), ...list];
        return ok({ filename: 'kliv-personalkort-2026-03-02-0900.pdf', pdfBase64: btoa('%PDF'), sentToPrinter: false, badges: [{ staffId: 3, badgeId: 6 }] });
      },
    });
    const notify = vi.fn<(text: string, tone?: 'ok' | 'error') => void>();
    const ctx: StaffContextValue = {
      session: { staffName: 'Lo', role: 'admin', idleLockSeconds: 120 }, status: kioskStatus(),
      call: (m, i) => bridge.call(m, i), can: (need) => roleAtLeast('admin', need),
    };
    render(
      <KlivProvider bridge={bridge}><I18nProvider><StaffContext.Provider value={ctx}>
        <StaffBadges staffId={3} name="Kim" notify={notify} onClose={() => undefined} />
      </StaffContext.Provider></I18nProvider></KlivProvider>,
    );
    expect(await screen.findByTestId('badge-5')).toHaveAttribute('data-status', 'active');
    expect(screen.getByTestId('badge-2')).toHaveTextContent('Spärrat');
    expect(screen.getByTestId('staff-badges')).toHaveTextContent('Personalkort för Kim');
    fireEvent.click(screen.getByTestId('badge-5-revoke'));
    fireEvent.click(screen.getByTestId('badge-reason-lost'));
    fireEvent.click(screen.getByTestId('badge-revoke-yes'));
    await waitFor(() => expect(screen.getByTestId('badge-5')).toHaveAttribute('data-status', 'revoked'));
    expect(bridge.callsOf('staffBadges.revoke')).toEqual([{ staffId: 3, badgeId: 5, reason: 'lost' }]);
    expect(notify).toHaveBeenCalledWith('Personalkort 5 är spärrat.');
    fireEvent.click(screen.getByTestId('badge-print'));
    await screen.findByTestId('badge-printed');
    expect(bridge.callsOf('staffBadges.print')).toEqual([{ staffIds: [3], layout: 'single', deliver: 'download' }]);
    expect(clicks).toEqual(['kliv-personalkort-2026-03-02-0900.pdf']);
    expect(await screen.findByTestId('badge-6')).toHaveAttribute('data-status', 'active');
  });
});
