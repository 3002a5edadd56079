import { useCallback, useEffect, useState } from 'react';
import type { KioskStatus } from '../../shared/api';
import { IconWarning } from './components/Icons';
import { errorMessageKey, useI18n } from './i18n';
import type { MessageKey } from './i18n/sv';
import { KioskScreen } from './kiosk/KioskScreen';
import { useKliv } from './kliv';
import type { StaffSession } from './staff/context';
import { LoginScreen } from './staff/LoginScreen';
import { StaffMode } from './staff/StaffMode';

/**
 * What the kiosk shows: the attract screen, the staff login or staff mode.
 * Leaving staff mode unmounts its whole tree, so no staff data stays in the DOM.
 */
type Mode =
  | { kind: 'kiosk' }
  | { kind: 'login'; badge: string | null }
  | { kind: 'staff'; session: StaffSession };

export function App({ camera = true }: { camera?: boolean }) {
  const kliv = useKliv();
  const { t, dir, language } = useI18n();
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: 'kiosk' });

  const loadStatus = useCallback(async (): Promise<KioskStatus | null> => {
    const res = await kliv.call('kiosk.status', {});
    if (res.ok) {
      setStatus(res.value);
      return res.value;
    }
    setProblem(errorMessageKey(res.error.code));
    return null;
  }, [kliv]);

  useEffect(() => {
    let cancelled = false;
    void kliv.call('kiosk.status', {}).then((res) => {
      if (cancelled) return;
      if (!res.ok) {
        setProblem(errorMessageKey(res.error.code));
        return;
      }
      setStatus(res.value);
      // A reload (or a crash restart) never resumes staff mode on an unattended
      // screen: an open session is ended and the attract screen shows.
      if (res.value.session) void kliv.call('staff.logout', {});
    });
    return () => { cancelled = true; };
  }, [kliv]);

  // Health (disk full, read-only, backups) and the venue day change while the
  // kiosk runs; kiosk.status is a passive call, so polling it keeps no session alive.
  useEffect(() => {
    const timer = window.setInterval(() => {
      void kliv.call('kiosk.status', {}).then((res) => { if (res.ok) setStatus(res.value); });
    }, 30_000);
    return () => window.clearInterval(timer);
  }, [kliv]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = dir;
  }, [language, dir]);

  const toKiosk = useCallback(() => {
    setMode({ kind: 'kiosk' });
    // The day may have changed while staff mode was open.
    void loadStatus();
  }, [loadStatus]);

  if (problem) {
    return (
      <div className="fatal" role="alert" data-testid="fatal">
        <IconWarning className="fatal__icon" />
        <h1>{t('scan.error.title')}</h1>
        <p>{t(problem)}</p>
      </div>
    );
  }
  if (!status) return <div className="loading" aria-busy="true" />;
  if (mode.kind === 'login') {
    return (
      <LoginScreen venueName={status.venueName} initialBadge={mode.badge} camera={camera}
        onCancel={() => setMode({ kind: 'kiosk' })}
        onLoggedIn={(session) => setMode({ kind: 'staff', session })} />
    );
  }
  if (mode.kind === 'staff') {
    return <StaffMode status={status} session={mode.session} onExit={toKiosk} />;
  }
  return (
    <KioskScreen status={status} camera={camera}
      onStaffCorner={() => setMode({ kind: 'login', badge: null })}
      onStaffBadge={(payload) => setMode({ kind: 'login', badge: payload })} />
  );
}
