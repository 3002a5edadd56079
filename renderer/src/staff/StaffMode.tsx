import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { KioskStatus, MethodInput, MethodName, ScanResult } from '../../../shared/api';
import { IconWarning, IconCalendar, IconCard, IconChart, IconUpload, IconCheckIn, IconHome, IconLock, IconPeople, IconPerson } from '../components/Icons';
import { ParticipantsScreen } from '../participants/ParticipantsScreen';
import { ExportBanner, ExportScreen } from './ExportScreen';
import { ReportScreen } from '../reports/ReportScreen';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useWedgeScanner } from '../kiosk/useWedgeScanner';
import { useKliv } from '../kliv';
import { hasRole, StaffContext, type StaffCall, type StaffContextValue, type StaffSession } from './context';
import { DayScreen } from './DayScreen';
import { ManualCheckInScreen, type Prefill } from './ManualCheckInScreen';
import { StaffAccountsScreen } from './StaffAccountsScreen';
import { TodayScreen } from './TodayScreen';
import { useIdleLock } from './useIdleLock';
import './staff.css';

type Screen =
  | { name: 'today'; openVisitId?: number }
  | { name: 'checkin'; prefill?: Prefill }
  | { name: 'day' }
  | { name: 'participants' }
  | { name: 'export' }
  | { name: 'reports' }
  | { name: 'accounts' };

interface Props {
  status: KioskStatus;
  session: StaffSession;
  /** Back to the attract screen; the staff tree is unmounted, so nothing of it stays in the DOM. */
  onExit(): void;
}

export interface Toast { id: number; text: string; tone: 'ok' | 'error' }

export function StaffMode({ status, session, onExit }: Props) {
  const kliv = useKliv();
  const { t } = useI18n();
  const [screen, setScreen] = useState<Screen>({ name: 'today' });
  const [toast, setToast] = useState<Toast | null>(null);
  const exited = useRef(false);

  const lock = useCallback(() => {
    if (exited.current) return;
    exited.current = true;
    void kliv.call('staff.logout', {});
    onExit();
  }, [kliv, onExit]);

  const call = useCallback<StaffCall>(async (method, input) => {
    const res = await kliv.call(method, input);
    if (!res.ok && res.error.code === 'NOT_LOGGED_IN') lock();
    return res;
  }, [kliv, lock]);

  const notify = useCallback((text: string, tone: Toast['tone'] = 'ok') => setToast({ id: Date.now(), text, tone }), []);
  useEffect(() => {
    if (!toast) return undefined;
    const timer = window.setTimeout(() => setToast(null), 5_000);
    return () => window.clearTimeout(timer);
  }, [toast]);

  // Tell the server someone is here (at most every 20 s), so its own idle
  // lock — which ignores the screen's polling — matches this one.
  const lastTouch = useRef(0);
  const touch = useCallback(() => {
    const now = Date.now();
    if (now - lastTouch.current < 20_000) return;
    lastTouch.current = now;
    void call('staff.touch', {});
  }, [call]);
  const warning = useIdleLock(session.idleLockSeconds, lock, 15, touch);

  const ctx = useMemo<StaffContextValue>(() => ({
    session, status, call, can: (role) => hasRole(session.role, role),
  }), [session, status, call]);

  const scan = useParticipantScans(call, notify);

  const tabs: { id: Screen['name']; label: MessageKey; icon: ReactNode; show: boolean }[] = [
    { id: 'today', label: 'staff.nav.today', icon: <IconHome className="staff-nav__icon" />, show: true },
    { id: 'checkin', label: 'staff.nav.checkin', icon: <IconCheckIn className="staff-nav__icon" />, show: true },
    { id: 'day', label: 'staff.nav.day', icon: <IconCalendar className="staff-nav__icon" />, show: true },
    { id: 'participants', label: 'staff.nav.participants', icon: <IconCard className="staff-nav__icon" />, show: true },
    { id: 'reports', label: 'staff.nav.reports', icon: <IconChart className="staff-nav__icon" />, show: hasRole(session.role, 'coordinator') },
    { id: 'export', label: 'staff.nav.export', icon: <IconUpload className="staff-nav__icon" />, show: true },
    { id: 'accounts', label: 'staff.nav.accounts', icon: <IconPeople className="staff-nav__icon" />, show: hasRole(session.role, 'coordinator') },
  ];

  return (
    <StaffContext.Provider value={ctx}>
      <div className="staff" data-testid="staff">
        <header className="staff-bar">
          <div className="staff-brand">
            <span className="staff-brand__name">{t('app.title')}</span>
            <span className="staff-brand__sub">{status.venueName}</span>
          </div>
          <nav className="staff-nav" aria-label={t('staff.nav.label')}>
            {tabs.filter((tab) => tab.show).map((tab) => (
              <button key={tab.id} type="button" className={`staff-nav__tab${screen.name === tab.id ? ' is-active' : ''}`}
                aria-current={screen.name === tab.id ? 'page' : undefined} onClick={() => setScreen({ name: tab.id } as Screen)}
                data-testid={`nav-${tab.id}`}>
                {tab.icon}{t(tab.label)}
              </button>
            ))}
          </nav>
          <div className="staff-user" data-testid="staff-user">
            <IconPerson className="staff-user__icon" />
            <div className="staff-user__text">
              <span className="staff-user__name">{session.staffName}</span>
              <span className="staff-user__role">{t(`staff.role.${session.role}`)}</span>
            </div>
          </div>
          <button type="button" className="sbutton sbutton--lock" onClick={lock} data-testid="staff-lock">
            <IconLock className="sbutton__icon" />{t('staff.lock')}
          </button>
        </header>
        <main className="staff-main">
          {status.health.problem && (
            <p className="notice notice--error staff-health" role="alert" data-testid="staff-health">
              <IconWarning className="notice__icon" />{t(`health.staff.${status.health.problem}` as MessageKey)}
            </p>
          )}
          {screen.name === 'today' && <ExportBanner />}
          {screen.name === 'today' && (
            <TodayScreen openVisitId={screen.openVisitId ?? null}
              onManualCheckIn={(prefill) => setScreen({ name: 'checkin', prefill })}
              notify={notify} />
          )}
          {screen.name === 'checkin' && (
            <ManualCheckInScreen prefill={screen.prefill ?? null} notify={notify}
              onDone={(visitId) => setScreen({ name: 'today', openVisitId: visitId })}
              onCancel={() => setScreen({ name: 'today' })} />
          )}
          {screen.name === 'day' && <DayScreen notify={notify} onOpenToday={() => setScreen({ name: 'today' })} />}
          {screen.name === 'participants' && <ParticipantsScreen notify={notify} />}
          {screen.name === 'export' && <ExportScreen notify={notify} />}
          {screen.name === 'reports' && <ReportScreen call={call} today={status.today} />}
          {screen.name === 'accounts' && <StaffAccountsScreen notify={notify} />}
        </main>
        {scan}
        {toast && (
          <div key={toast.id} className={`toast toast--${toast.tone}`} role="status" data-testid="toast">{toast.text}</div>
        )}
        {warning !== null && (
          <div className="idle-warning" role="alertdialog" aria-live="assertive" data-testid="idle-warning">
            <IconLock className="idle-warning__icon" />
            <p className="idle-warning__text">{t('staff.idle.warning', { seconds: warning })}</p>
            <button type="button" className="sbutton sbutton--primary sbutton--big">{t('staff.idle.stay')}</button>
          </div>
        )}
      </div>
    </StaffContext.Provider>
  );
}

/**
 * A participant may scan their card while staff are using the kiosk: the scan
 * is handled as on the attract screen and shown as a short notice, so nobody
 * is left wondering whether it worked.
 */
function useParticipantScans(call: StaffCall, notify: (text: string, tone?: Toast['tone']) => void): ReactNode {
  const { t } = useI18n();
  const [pending, setPending] = useState<Extract<ScanResult, { outcome: 'checkout-pending' }> | null>(null);
  const busy = useRef(false);

  const describe = useCallback((r: ScanResult): { text: string; tone: Toast['tone'] } | null => {
    switch (r.outcome) {
      case 'checked-in': return { text: `${t('scan.checkedIn.title', { name: r.displayName })} ${t('scan.checkedIn.body', { time: r.localTime })}`, tone: 'ok' };
      case 'checked-out': return { text: `${t('scan.checkedOut.title', { name: r.displayName })} ${t('scan.checkedOut.body', { time: r.localTime })}`, tone: 'ok' };
      case 'checkout-cancelled': return { text: `${t('scan.checkoutCancelled.title', { name: r.displayName })} ${t('scan.checkoutCancelled.body')}`, tone: 'ok' };
      case 'double-scan': return { text: `${t('scan.double.title', { name: r.displayName })} ${t(r.state === 'in' ? 'scan.double.in' : 'scan.double.out')}`, tone: 'ok' };
      case 'rejected': return { text: t('scan.rejected.title'), tone: 'error' };
      default: return null;
    }
  }, [t]);

  const run = useCallback(async <M extends MethodName>(method: M, input: MethodInput<M>) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const res = await call(method, input);
      if (!res.ok) {
        notify(t(errorMessageKey(res.error.code)), 'error');
        return;
      }
      const r = res.value as ScanResult;
      if (r.outcome === 'checkout-pending') {
        setPending(r);
        return;
      }
      setPending(null);
      const d = describe(r);
      if (d) notify(d.text, d.tone);
    } finally {
      busy.current = false;
    }
  }, [call, describe, notify, t]);

  useWedgeScanner((text) => void run('kiosk.scan', { payload: text.slice(0, 256) }));

  useEffect(() => {
    if (!pending) return undefined;
    const ticket = pending.ticket;
    const timer = window.setTimeout(() => {
      void call('kiosk.confirmCheckout', { ticket, confirm: false });
      setPending(null);
    }, 20_000);
    return () => window.clearTimeout(timer);
  }, [pending, call]);

  if (!pending) return null;
  return (
    <div className="scan-question" role="alertdialog" data-testid="scan-question">
      <p className="scan-question__text">
        <strong>{t('scan.checkoutConfirm.title', { name: pending.displayName })}</strong>{' '}
        {t('scan.checkoutConfirm.body', { time: pending.checkedInLocalTime })}
      </p>
      <div className="scan-question__actions">
        <button type="button" className="sbutton sbutton--primary" onClick={() => void run('kiosk.confirmCheckout', { ticket: pending.ticket, confirm: true })}>
          {t('scan.checkoutConfirm.yes')}
        </button>
        <button type="button" className="sbutton" onClick={() => void run('kiosk.confirmCheckout', { ticket: pending.ticket, confirm: false })}>
          {t('scan.checkoutConfirm.no')}
        </button>
      </div>
    </div>
  );
}
