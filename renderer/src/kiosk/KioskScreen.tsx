import { useCallback, useEffect, useRef, useState } from 'react';
import type { KioskStatus, ScanResult } from '../../../shared/api';
import { IconCard, IconLock, IconWarning } from '../components/Icons';
import { errorMessageKey, LANGUAGES, useI18n, type Language } from '../i18n';
import { useKliv } from '../kliv';
import { CameraScanner } from './CameraScanner';
import { dwellMs, ResultScreen, type ResultView } from './ResultScreen';
import { playSound, type SoundName } from './sounds';
import { useWedgeScanner } from './useWedgeScanner';

/** A camera sees the same card many times a second; repeats inside this window are one scan. */
const CAMERA_REPEAT_MS = 4_000;

function soundFor(view: ResultView): SoundName {
  if (view.kind === 'error') return 'error';
  switch (view.result.outcome) {
    case 'checked-in': return 'checkedIn';
    case 'checked-out': return 'checkedOut';
    case 'checkout-pending': return 'confirm';
    case 'double-scan': case 'checkout-cancelled': return 'double';
    case 'staff-badge': return 'confirm';
    case 'rejected': return 'rejected';
  }
}

interface Props {
  status: KioskStatus;
  camera?: boolean;
  onStaffBadge?(payload: string): void;
  onStaffCorner?(): void;
}

export function KioskScreen({ status, camera = true, onStaffBadge, onStaffCorner }: Props) {
  const kliv = useKliv();
  const { t, language, setLanguage } = useI18n();
  const [view, setView] = useState<ResultView | null>(null);
  const busy = useRef(false);
  const lastCamera = useRef<{ text: string; at: number } | null>(null);

  const show = useCallback((next: ResultView) => {
    setView(next);
    playSound(soundFor(next));
  }, []);

  const handleScan = useCallback(async (text: string, source: 'camera' | 'wedge') => {
    if (source === 'camera') {
      const now = performance.now();
      const last = lastCamera.current;
      if (last && last.text === text && now - last.at < CAMERA_REPEAT_MS) {
        last.at = now;
        return;
      }
      lastCamera.current = { text, at: now };
    }
    if (busy.current) return;
    busy.current = true;
    try {
      const res = await kliv.call('kiosk.scan', { payload: text.slice(0, 256) });
      if (!res.ok) {
        show({ kind: 'error', messageKey: errorMessageKey(res.error.code) });
        return;
      }
      const result: ScanResult = res.value;
      if (result.outcome === 'staff-badge' && onStaffBadge) {
        onStaffBadge(text);
        return;
      }
      show({ kind: 'scan', result });
    } finally {
      busy.current = false;
    }
  }, [kliv, onStaffBadge, show]);

  useWedgeScanner((text) => void handleScan(text, 'wedge'));

  // One answer per question: a second tap while the first is on its way would
  // reuse the spent ticket and replace "Tack för idag" with an error.
  const answered = useRef<string | null>(null);
  const confirmCheckout = useCallback(async (confirm: boolean) => {
    if (!view || view.kind !== 'scan' || view.result.outcome !== 'checkout-pending') return;
    if (answered.current === view.result.ticket) return;
    answered.current = view.result.ticket;
    const res = await kliv.call('kiosk.confirmCheckout', { ticket: view.result.ticket, confirm });
    if (res.ok) show({ kind: 'scan', result: res.value });
    else show({ kind: 'error', messageKey: errorMessageKey(res.error.code) });
  }, [kliv, show, view]);

  // Every result screen returns to the attract screen by itself; an unanswered
  // check-out question is treated as "no" so nobody is checked out by accident.
  useEffect(() => {
    if (!view) return undefined;
    const timer = window.setTimeout(() => {
      if (view.kind === 'scan' && view.result.outcome === 'checkout-pending') {
        void kliv.call('kiosk.confirmCheckout', { ticket: view.result.ticket, confirm: false });
      }
      setView(null);
    }, dwellMs(view));
    return () => window.clearTimeout(timer);
  }, [view, kliv]);

  const clock = useClock(status.timeZone, language);

  return (
    <div className="kiosk" data-testid="kiosk">
      <header className="kiosk__bar">
        <div className="kiosk__venue">
          <span className="kiosk__brand">{t('app.title')}</span>
          <span className="kiosk__venue-name">{status.venueName}</span>
        </div>
        <div className="kiosk__clock" aria-label={clock.long}>{clock.short}</div>
        <button type="button" className="staff-corner" onClick={onStaffCorner} aria-label={t('attract.staff')} data-testid="staff-corner">
          <IconLock className="staff-corner__icon" />
        </button>
      </header>
      <main className="kiosk__main">
        {status.health.problem?.startsWith('storage_') && (
          <p className="health-banner" role="alert" data-testid="health-banner"><IconWarning className="health-banner__icon" />{t('health.kiosk')}</p>
        )}
        <section className={`attract${camera ? '' : ' attract--no-camera'}${view ? ' attract--hidden' : ''}`} data-testid="attract" aria-hidden={view ? true : undefined}>
          {camera && <CameraScanner onScan={(text) => void handleScan(text, 'camera')} />}
          <div className="attract__text">
            <h1 className="attract__title">{t('attract.title')}</h1>
            <p className="attract__instruction"><IconCard className="attract__icon" />{t(camera ? 'attract.instruction' : 'attract.instructionNoCamera')}</p>
            {camera && <p className="attract__sub">{t('attract.instructionScanner')}</p>}
          </div>
        </section>
        {view && <ResultScreen view={view} onDone={() => setView(null)} onConfirmCheckout={(c) => void confirmCheckout(c)} />}
      </main>
      <footer className="kiosk__footer">
        <nav className="languages" aria-label={t('attract.language')}>
          {(Object.keys(LANGUAGES) as Language[]).map((lang) => (
            <button key={lang} type="button" lang={lang} className={`button button--lang${lang === language ? ' is-active' : ''}`}
              aria-pressed={lang === language} onClick={() => setLanguage(lang)}>
              {LANGUAGES[lang]['lang.name']}
            </button>
          ))}
        </nav>
      </footer>
    </div>
  );
}

function useClock(timeZone: string, language: Language): { short: string; long: string } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 10_000);
    return () => window.clearInterval(timer);
  }, []);
  const locale = language === 'sv' ? 'sv-SE' : 'en-GB';
  return {
    short: new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(now),
    long: new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(now),
  };
}
