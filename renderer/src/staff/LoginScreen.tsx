import { useCallback, useState } from 'react';
import { parseCardPayload } from '../../../shared/card';
import type { ErrorCode } from '../../../shared/errors';
import { CameraScanner } from '../kiosk/CameraScanner';
import { useWedgeScanner } from '../kiosk/useWedgeScanner';
import { IconCard, IconCheck, IconClose, IconLock, IconPerson, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useKliv } from '../kliv';
import type { StaffSession } from './context';
import { OnScreenKeyboard } from './OnScreenKeyboard';
import { PIN_MIN, PinDots, PinPad } from './PinPad';
import { useIdleLock } from './useIdleLock';
import './staff.css';

/** An abandoned login screen goes back to the attract screen by itself. */
const LOGIN_IDLE_SECONDS = 60;

interface Props {
  venueName: string;
  initialBadge: string | null;
  camera?: boolean;
  onLoggedIn(session: StaffSession): void;
  onCancel(): void;
}

type Notice = { tone: 'error' | 'locked'; key: MessageKey };

function badgeNotice(text: string): { badge: string } | { notice: Notice } {
  const parsed = parseCardPayload(text);
  if (parsed.ok && parsed.kind === 'staff') return { badge: parsed.payload };
  if (parsed.ok) return { notice: { tone: 'error', key: 'staff.login.notStaffBadge' } };
  return { notice: { tone: 'error', key: 'error.CARD_MALFORMED' } };
}

export function LoginScreen({ venueName, initialBadge, camera = true, onLoggedIn, onCancel }: Props) {
  const kliv = useKliv();
  const { t } = useI18n();
  const initial = initialBadge ? badgeNotice(initialBadge) : null;
  const [mode, setMode] = useState<'badge' | 'name'>('badge');
  const [badge, setBadge] = useState<string | null>(initial && 'badge' in initial ? initial.badge : null);
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [notice, setNotice] = useState<Notice | null>(initial && 'notice' in initial ? initial.notice : null);
  const [busy, setBusy] = useState(false);

  useIdleLock(LOGIN_IDLE_SECONDS, onCancel, 0);

  const takeBadge = useCallback((text: string) => {
    const res = badgeNotice(text);
    if ('badge' in res) {
      setBadge(res.badge);
      setMode('badge');
      setNotice(null);
    } else {
      setNotice(res.notice);
    }
  }, []);
  useWedgeScanner(takeBadge);

  const who = mode === 'badge' ? badge : name.trim();
  const canSubmit = !busy && !!who && pin.length >= PIN_MIN;

  const submit = async (): Promise<void> => {
    if (!canSubmit) return;
    setBusy(true);
    const input = mode === 'badge' ? { badge: badge ?? '', pin } : { name: name.trim(), pin };
    const res = await kliv.call('staff.login', input);
    setBusy(false);
    setPin('');
    if (res.ok) {
      onLoggedIn(res.value);
      return;
    }
    const code: ErrorCode = res.error.code;
    if (code === 'ACCOUNT_LOCKED') setNotice({ tone: 'locked', key: 'error.ACCOUNT_LOCKED' });
    else if (code === 'BAD_INPUT') setNotice({ tone: 'error', key: 'error.LOGIN_FAILED' });
    else setNotice({ tone: 'error', key: errorMessageKey(code) });
  };

  const switchMode = (next: 'badge' | 'name'): void => {
    setMode(next);
    setNotice(null);
    setPin('');
  };

  return (
    <div className="staff-login" data-testid="staff-login">
      <header className="staff-login__bar">
        <div className="staff-brand">
          <span className="staff-brand__name">{t('app.title')}</span>
          <span className="staff-brand__sub">{venueName}</span>
        </div>
        <h1 className="staff-login__title"><IconLock className="staff-login__title-icon" />{t('staff.login.title')}</h1>
        <button type="button" className="sbutton sbutton--quiet" onClick={onCancel} data-testid="login-cancel">
          <IconClose className="sbutton__icon" />{t('staff.login.cancel')}
        </button>
      </header>
      <main className="staff-login__body">
        <section className="staff-login__who scard" aria-labelledby="login-who">
          {mode === 'badge' ? (
            <>
              {badge ? (
                <div className="badge-read" data-testid="badge-read">
                  <IconCheck className="badge-read__icon" />
                  <div>
                    <h2 id="login-who" className="scard__title">{t('staff.login.badgeRead')}</h2>
                    <p className="scard__text">{t('staff.login.badgeReadHint')}</p>
                  </div>
                  <button type="button" className="sbutton sbutton--quiet" onClick={() => { setBadge(null); setPin(''); }}>{t('staff.login.otherBadge')}</button>
                </div>
              ) : (
                <div className="badge-prompt" data-testid="badge-prompt">
                  <IconCard className="badge-prompt__icon" />
                  <h2 id="login-who" className="scard__title">{t('staff.login.showBadge')}</h2>
                  <p className="scard__text">{t('staff.login.showBadgeHint')}</p>
                  {camera && <div className="staff-login__camera"><CameraScanner onScan={takeBadge} fps={15} /></div>}
                </div>
              )}
              <button type="button" className="linkbutton" onClick={() => switchMode('name')} data-testid="login-by-name">
                <IconPerson className="linkbutton__icon" />{t('staff.login.byName')}
              </button>
            </>
          ) : (
            <div className="name-login" data-testid="name-login">
              <h2 id="login-who" className="scard__title">{t('staff.login.byName')}</h2>
              <label className="field">
                <span className="field__label">{t('staff.login.name')}</span>
                <input className="field__input" value={name} maxLength={60} autoComplete="off" spellCheck={false}
                  onChange={(e) => setName(e.target.value)} data-testid="login-name" />
              </label>
              <p className="scard__hint">{t('staff.login.byNameHint')}</p>
              <OnScreenKeyboard value={name} onChange={setName} lowercase />
              <button type="button" className="linkbutton" onClick={() => switchMode('badge')} data-testid="login-by-badge">
                <IconCard className="linkbutton__icon" />{t('staff.login.byBadge')}
              </button>
            </div>
          )}
        </section>
        <section className="staff-login__pin scard" aria-labelledby="login-pin">
          <h2 id="login-pin" className="scard__title">{t('staff.login.pin')}</h2>
          <PinDots length={pin.length} />
          <div className="staff-login__notice" aria-live="assertive">
            {notice && (
              <p className={`notice notice--${notice.tone}`} role="alert" data-testid={notice.tone === 'locked' ? 'login-locked' : 'login-error'}>
                {notice.tone === 'locked' ? <IconLock className="notice__icon" /> : <IconWarning className="notice__icon" />}
                {t(notice.key)}
              </p>
            )}
          </div>
          <PinPad value={pin} onChange={(next) => { setPin(next); if (notice?.tone === 'error') setNotice(null); }} disabled={busy} />
          <button type="button" className="sbutton sbutton--primary sbutton--block sbutton--big" disabled={!canSubmit}
            onClick={() => void submit()} data-testid="login-submit">
            {t('staff.login.submit')}
          </button>
          {!who && <p className="scard__hint staff-login__needs">{mode === 'badge' ? t('staff.login.needBadge') : t('staff.login.needName')}</p>}
        </section>
      </main>
    </div>
  );
}
