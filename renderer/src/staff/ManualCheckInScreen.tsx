import { useEffect, useRef, useState } from 'react';
import type { ManualReason } from '../../../shared/api';
import { IconCheckIn, IconSearch, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from './context';
import { OnScreenKeyboard } from './OnScreenKeyboard';
import { Avatar, Choices, Empty } from './parts';
import type { Toast } from './StaffMode';

export interface Prefill { participantId: number; displayName: string; code: string }
interface Hit extends Prefill { active: boolean; openVisitId: number | null }

const SEARCH_DEBOUNCE_MS = 250;
export const CHECKIN_REASONS: readonly ManualReason[] = ['no_card', 'card_lost', 'kiosk_problem', 'other'];

interface Props {
  prefill: Prefill | null;
  onDone(visitId: number): void;
  onCancel(): void;
  notify(text: string, tone?: Toast['tone']): void;
}

export function ManualCheckInScreen({ prefill, onDone, onCancel, notify }: Props) {
  const { t } = useI18n();
  const { call } = useStaff();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [picked, setPicked] = useState<Prefill | null>(prefill);
  const [reason, setReason] = useState<ManualReason | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    const q = query.trim();
    if (q.length === 0) {
      setHits(null);
      return undefined;
    }
    const mine = ++seq.current;
    const timer = window.setTimeout(() => {
      void call('participants.search', { query: q }).then((res) => {
        if (mine !== seq.current) return;
        if (res.ok) {
          setHits(res.value);
          setError(null);
        } else {
          setError(errorMessageKey(res.error.code));
        }
      });
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [query, call]);

  const confirm = async (): Promise<void> => {
    if (!picked || !reason) return;
    setBusy(true);
    const res = await call('visits.manualCheckIn', { participantId: picked.participantId, reason });
    setBusy(false);
    if (res.ok) {
      notify(t('staff.checkin.done', { name: picked.displayName, time: res.value.checkedInLocal }));
      onDone(res.value.visitId);
    } else {
      setError(errorMessageKey(res.error.code));
    }
  };

  return (
    <div className="checkin" data-testid="staff-checkin">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('staff.checkin.title')}</h1>
          <p className="screen-head__meta">{t('staff.checkin.intro')}</p>
        </div>
      </div>
      {picked ? (
        <section className="scard checkin__confirm" data-testid="checkin-confirm">
          <div className="checkin__person">
            <Avatar name={picked.displayName} />
            <div>
              <p className="checkin__name">{picked.displayName}</p>
              <p className="person__code">{picked.code}</p>
            </div>
            <button type="button" className="sbutton" onClick={() => { setPicked(null); setReason(null); setError(null); }} data-testid="checkin-other">
              {t('staff.checkin.pickOther')}
            </button>
          </div>
          <h2 className="panel__subtitle">{t('staff.checkin.reasonTitle')}</h2>
          <Choices label={t('staff.checkin.reasonTitle')} value={reason} onChange={setReason} testIdPrefix="checkin-reason"
            options={CHECKIN_REASONS.map((r) => ({ value: r, label: t(`staff.reason.manual.${r}`) }))} />
          {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
          <div className="panel__actions">
            <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={!reason || busy} onClick={() => void confirm()} data-testid="checkin-save">
              <IconCheckIn className="sbutton__icon" />{t('staff.checkin.confirm', { name: picked.displayName })}
            </button>
            <button type="button" className="sbutton sbutton--big" onClick={onCancel}>{t('staff.cancel')}</button>
          </div>
        </section>
      ) : (
        <div className="checkin__search">
          <section className="scard">
            <label className="field">
              <span className="field__label">{t('staff.checkin.searchLabel')}</span>
              <span className="search">
                <IconSearch className="search__icon" />
                <input className="field__input search__input" value={query} maxLength={60} autoComplete="off" spellCheck={false}
                  placeholder={t('staff.checkin.searchPlaceholder')} onChange={(e) => setQuery(e.target.value)} data-testid="checkin-search" />
              </span>
            </label>
            <OnScreenKeyboard value={query} onChange={setQuery} lowercase />
          </section>
          <section className="scard checkin__results" aria-live="polite" data-testid="checkin-results">
            {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
            {hits === null && <Empty>{t('staff.checkin.typeToSearch')}</Empty>}
            {hits !== null && hits.length === 0 && <Empty>{t('staff.checkin.noHits')}</Empty>}
            {hits !== null && hits.length > 0 && (
              <h2 className="checkin__results-title">{t('staff.checkin.hits', { count: hits.length })}</h2>
            )}
            {hits !== null && hits.length > 0 && (
              <ul className="people">
                {hits.map((h) => (
                  <li key={h.participantId}>
                    <button type="button" className="person" disabled={!h.active} data-testid={`hit-${h.participantId}`}
                      onClick={() => (h.openVisitId ? onDone(h.openVisitId) : setPicked(h))}>
                      <Avatar name={h.displayName} />
                      <span className="person__who">
                        <span className="person__name">{h.displayName}</span>
                        <span className="person__code">{h.code}</span>
                      </span>
                      <span className="person__chips">
                        {!h.active && <span className="chip chip--quiet">{t('staff.checkin.inactive')}</span>}
                        {h.openVisitId !== null && <span className="chip chip--ready">{t('staff.checkin.alreadyIn')}</span>}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
