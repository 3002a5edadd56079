import { useCallback, useEffect, useState } from 'react';
import type { DayReview } from '../../../shared/api';
import { addDays } from '../../../shared/time';
import { IconCalendar, IconCheck, IconChevron, IconClock, IconFlag, IconHome, IconLock, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from './context';
import { formatDay, formatMoment } from './format';
import type { Toast } from './StaffMode';

interface Props {
  onOpenToday(): void;
  notify(text: string, tone?: Toast['tone']): void;
}

export function DayScreen({ onOpenToday, notify }: Props) {
  const { t, language } = useI18n();
  const { call, status, can } = useStaff();
  const [day, setDay] = useState<string | null>(null);
  const [today, setToday] = useState<string | null>(null);
  const [review, setReview] = useState<DayReview | null>(null);
  const [autoClose, setAutoClose] = useState(false);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  const load = useCallback(async (which: string | null) => {
    const res = await call('day.review', which ? { day: which } : {});
    if (res.ok) {
      setReview(res.value);
      setDay(res.value.day);
      if (!which) setToday(res.value.day);
      setError(null);
    } else {
      setError(errorMessageKey(res.error.code));
    }
  }, [call]);

  useEffect(() => { void load(null); }, [load]);

  const go = (delta: number): void => {
    if (!day) return;
    setAsking(false);
    setAutoClose(false);
    void load(addDays(day, delta));
  };

  const confirm = async (): Promise<void> => {
    if (!review) return;
    setBusy(true);
    const res = await call('day.confirm', { day: review.day, autoCloseOpenVisits: autoClose && review.openVisits > 0 });
    setBusy(false);
    setAsking(false);
    if (res.ok) {
      setReview(res.value);
      notify(t('staff.day.confirmedToast', { day: formatDay(res.value.day, language) }));
    } else {
      // Show the day as it is now (someone may have changed it), then why it was refused.
      await load(review.day);
      setError(errorMessageKey(res.error.code));
    }
  };

  if (!review) {
    return (
      <div className="dayscreen" data-testid="staff-day" aria-busy={!error}>
        {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
      </div>
    );
  }

  const openOk = review.openVisits === 0 || autoClose;
  const checksOk = review.pendingChecks === 0;
  const canConfirm = !review.confirmed && (review.canConfirm || (openOk && checksOk));

  return (
    <div className="dayscreen" data-testid="staff-day">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('staff.day.title')}</h1>
          <p className="screen-head__meta">{t('staff.day.intro')}</p>
        </div>
        <div className="daynav" role="group" aria-label={t('staff.day.choose')}>
          <button type="button" className="iconbutton iconbutton--flip" onClick={() => go(-1)} aria-label={t('staff.day.previous')} data-testid="day-prev">
            <IconChevron className="iconbutton__icon" />
          </button>
          <span className="daynav__label" data-testid="day-label">
            <IconCalendar className="daynav__icon" />{formatDay(review.day, language)}
            {review.day === today && <span className="chip chip--quiet">{t('staff.day.today')}</span>}
          </span>
          <button type="button" className="iconbutton" onClick={() => go(1)} disabled={!today || review.day >= today}
            aria-label={t('staff.day.next')} data-testid="day-next">
            <IconChevron className="iconbutton__icon" />
          </button>
        </div>
      </div>

      <div className="day-stats">
        <Stat label={t('staff.day.visits')} value={review.visits} testId="stat-visits" />
        <Stat label={t('staff.day.openVisits')} value={review.openVisits} warn={review.openVisits > 0 && !review.confirmed} testId="stat-open" />
        <Stat label={t('staff.day.pendingChecks')} value={review.pendingChecks} warn={review.pendingChecks > 0 && !review.confirmed} testId="stat-pending" />
        <Stat label={t('staff.day.closingTime')} value={review.closingTime} testId="stat-closing" />
      </div>

      {error && <p className="notice notice--error" role="alert" data-testid="day-error"><IconWarning className="notice__icon" />{t(error)}</p>}

      {review.confirmed ? (
        <section className="scard day-locked" data-testid="day-locked">
          <IconLock className="day-locked__icon" />
          <div>
            <h2 className="scard__title">{t('staff.day.lockedTitle')}</h2>
            <p className="scard__text" data-testid="day-confirmed-by">
              {t('staff.day.confirmedBy', { time: formatMoment(review.confirmed.at, status.timeZone, language), name: review.confirmed.byStaff })}
            </p>
            <p className="scard__hint"><IconFlag className="inline-icon" />{t(can('coordinator') ? 'staff.day.lockedCoordinator' : 'staff.day.lockedStaff')}</p>
          </div>
        </section>
      ) : (
        <section className="scard day-check" data-testid="day-checklist">
          <ul className="checklist">
            <li className={`checklist__item${review.openVisits === 0 ? ' is-ok' : ' is-todo'}`} data-testid="check-open">
              {review.openVisits === 0 ? <IconCheck className="checklist__icon" /> : <IconClock className="checklist__icon" />}
              <div className="checklist__body">
                <p className="checklist__title">
                  {review.openVisits === 0 ? t('staff.day.noOpenVisits') : t('staff.day.openVisitsLeft', { count: review.openVisits })}
                </p>
                {review.openVisits > 0 && (
                  <label className="toggle" data-testid="autoclose">
                    <input type="checkbox" className="toggle__input" checked={autoClose} onChange={(e) => setAutoClose(e.target.checked)}
                      data-testid="autoclose-input" />
                    <span className="toggle__box" aria-hidden="true"><IconCheck className="toggle__tick" /></span>
                    <span className="toggle__text">
                      {t('staff.day.autoClose', { time: review.closingTime })}
                      <span className="toggle__hint">{t('staff.day.autoCloseHint')}</span>
                    </span>
                  </label>
                )}
              </div>
            </li>
            <li className={`checklist__item${checksOk ? ' is-ok' : ' is-todo'}`} data-testid="check-pending">
              {checksOk ? <IconCheck className="checklist__icon" /> : <IconClock className="checklist__icon" />}
              <div className="checklist__body">
                <p className="checklist__title">{checksOk ? t('staff.day.noPendingChecks') : t('staff.day.pendingChecksLeft', { count: review.pendingChecks })}</p>
                {!checksOk && review.day === today && (
                  <button type="button" className="linkbutton" onClick={onOpenToday}><IconHome className="linkbutton__icon" />{t('staff.day.goToday')}</button>
                )}
              </div>
            </li>
          </ul>
          <div className="day-confirm">
            {asking ? (
              <div className="day-confirm__ask" role="alertdialog" aria-labelledby="day-ask">
                <p id="day-ask" className="day-confirm__question">{t('staff.day.areYouSure', { day: formatDay(review.day, language, true) })}</p>
                <div className="panel__actions">
                  <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={busy} onClick={() => void confirm()} data-testid="day-confirm-yes">
                    <IconLock className="sbutton__icon" />{t('staff.day.confirmYes')}
                  </button>
                  <button type="button" className="sbutton sbutton--big" onClick={() => setAsking(false)}>{t('staff.cancel')}</button>
                </div>
              </div>
            ) : (
              <>
                <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={!canConfirm} onClick={() => setAsking(true)} data-testid="day-confirm">
                  <IconCheck className="sbutton__icon" />{t('staff.day.confirm')}
                </button>
                {!canConfirm && <p className="scard__hint">{t('staff.day.notReady')}</p>}
              </>
            )}
          </div>
        </section>
      )}
    </div>
  );
}

function Stat({ label, value, warn = false, testId }: { label: string; value: number | string; warn?: boolean; testId: string }) {
  return (
    <div className={`stat${warn ? ' stat--warn' : ''}`} data-testid={testId}>
      <span className="stat__value">{value}</span>
      <span className="stat__label">{label}</span>
    </div>
  );
}
