import type { ReactNode } from 'react';
import type { ScanResult } from '../../../shared/api';
import { IconCheckIn, IconCheckOut, IconHeart, IconInfo, IconLock, IconQuestion, IconWarning } from '../components/Icons';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';

export type ResultView =
  | { kind: 'scan'; result: ScanResult }
  | { kind: 'error'; messageKey: MessageKey };

interface Props {
  view: ResultView;
  onDone(): void;
  onConfirmCheckout(confirm: boolean): void;
}

function Panel({ tone, icon, title, children, testId, dwell }: { tone: string; icon: ReactNode; title: string; children?: ReactNode; testId: string; dwell: number }) {
  return (
    <section className={`result result--${tone}`} data-testid={testId} role="alert" aria-live="assertive">
      <div className="result__icon">{icon}</div>
      <h1 className="result__title">{title}</h1>
      {children}
      {/* Shows the screen will go back by itself; set through the CSSOM, which the CSP allows. */}
      <div className="result__timer" aria-hidden="true"><div className="result__timer-bar" style={{ animationDuration: `${dwell}ms` }} /></div>
    </section>
  );
}

export function ResultScreen({ view, onDone, onConfirmCheckout }: Props) {
  const { t } = useI18n();
  const dwell = dwellMs(view);
  const ok = (
    <button type="button" className="button button--ghost result__ok" onClick={onDone}>{t('scan.ok')}</button>
  );
  if (view.kind === 'error') {
    return (
      <Panel dwell={dwell} tone="error" testId="result-error" icon={<IconWarning />} title={t('scan.error.title')}>
        <p className="result__body">{t(view.messageKey)}</p>
        {ok}
      </Panel>
    );
  }
  const r = view.result;
  switch (r.outcome) {
    case 'checked-in':
      return (
        <Panel dwell={dwell} tone="in" testId="result-checked-in" icon={<IconCheckIn />} title={t('scan.checkedIn.title', { name: r.displayName })}>
          <p className="result__body">{t('scan.checkedIn.body', { time: r.localTime })}</p>
          {r.schedule && <p className="result__extra" data-testid="schedule">{t('scan.schedule', scheduleTimes(r.schedule.start, r.schedule.end))}</p>}
          {ok}
        </Panel>
      );
    case 'checkout-pending':
      return (
        <Panel dwell={dwell} tone="confirm" testId="result-checkout-confirm" icon={<IconCheckOut />} title={t('scan.checkoutConfirm.title', { name: r.displayName })}>
          <p className="result__body">{t('scan.checkoutConfirm.body', { time: r.checkedInLocalTime })}</p>
          <div className="result__actions">
            <button type="button" className="button button--primary button--huge" onClick={() => onConfirmCheckout(true)}>{t('scan.checkoutConfirm.yes')}</button>
            <button type="button" className="button button--secondary button--huge" onClick={() => onConfirmCheckout(false)}>{t('scan.checkoutConfirm.no')}</button>
          </div>
        </Panel>
      );
    case 'checked-out':
      return (
        <Panel dwell={dwell} tone="out" testId="result-checked-out" icon={<IconHeart />} title={t('scan.checkedOut.title', { name: r.displayName })}>
          <p className="result__body">{t('scan.checkedOut.body', { time: r.localTime })}</p>
          {ok}
        </Panel>
      );
    case 'checkout-cancelled':
      return (
        <Panel dwell={dwell} tone="in" testId="result-checkout-cancelled" icon={<IconCheckIn />} title={t('scan.checkoutCancelled.title', { name: r.displayName })}>
          <p className="result__body">{t('scan.checkoutCancelled.body')}</p>
          {ok}
        </Panel>
      );
    case 'double-scan':
      return (
        <Panel dwell={dwell} tone="neutral" testId="result-double-scan" icon={<IconInfo />} title={t('scan.double.title', { name: r.displayName })}>
          <p className="result__body">{t(r.state === 'in' ? 'scan.double.in' : 'scan.double.out')}</p>
          {ok}
        </Panel>
      );
    case 'rejected':
      return (
        <Panel dwell={dwell} tone="rejected" testId="result-rejected" icon={<IconQuestion />} title={t('scan.rejected.title')}>
          <p className="result__body">{t('scan.rejected.body')}</p>
          {ok}
        </Panel>
      );
    case 'staff-badge':
      return (
        <Panel dwell={dwell} tone="neutral" testId="result-staff-badge" icon={<IconLock />} title={t('scan.staffBadge.title')}>
          <p className="result__body">{t('scan.staffBadge.body')}</p>
          {ok}
        </Panel>
      );
  }
}

/** "09:00"–"12:00" reads as "09–12"; half hours keep their minutes ("09:30–12"). */
export function scheduleTimes(start: string, end: string): { start: string; end: string } {
  const short = (hhmm: string): string => (hhmm.endsWith(':00') ? hhmm.slice(0, 2) : hhmm);
  return { start: short(start), end: short(end) };
}

/** How long each screen stays before the kiosk returns to the attract screen. */
export function dwellMs(view: ResultView): number {
  if (view.kind === 'error') return 10_000;
  switch (view.result.outcome) {
    case 'checkout-pending': return 20_000;
    case 'rejected': return 8_000;
    case 'double-scan': return 4_000;
    default: return 6_000;
  }
}
