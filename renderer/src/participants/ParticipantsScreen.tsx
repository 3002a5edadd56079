import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParticipantSummary } from '../../../shared/api';
import { IconCard, IconCheck, IconSearch, IconUserPlus, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from '../staff/context';
import { OnScreenKeyboard } from '../staff/OnScreenKeyboard';
import { Avatar, Empty } from '../staff/parts';
import type { Toast } from '../staff/StaffMode';
import { EnrolForm } from './EnrolForm';
import { scheduleText } from './format';
import { IconPrinter } from './icons';
import { ParticipantDetail } from './ParticipantDetail';
import { PrintCards, type PrintPerson } from './PrintCards';
import './participants.css';

export interface ParticipantsScreenProps {
  /** Short messages after a change (the staff mode's toast). */
  notify(text: string, tone?: Toast['tone']): void;
  /** Open straight on one participant (e.g. from the today view). */
  initialParticipantId?: number;
}

type View =
  | { name: 'list' }
  | { name: 'enrol' }
  | { name: 'detail'; participantId: number }
  | { name: 'print'; people: PrintPerson[]; back: { name: 'list' } | { name: 'detail'; participantId: number } };

const SEARCH_DEBOUNCE_MS = 200;

/**
 * Participants for staff: the list with search, enrolment, one person's
 * details (edit, deactivate, schedule, cards) and printing cards. Rendered
 * inside StaffMode (it uses the staff context for calls and the venue).
 */
export function ParticipantsScreen({ notify, initialParticipantId }: ParticipantsScreenProps) {
  const [view, setView] = useState<View>(initialParticipantId ? { name: 'detail', participantId: initialParticipantId } : { name: 'list' });
  const { t } = useI18n();

  switch (view.name) {
    case 'enrol':
      return (
        <EnrolForm onCancel={() => setView({ name: 'list' })}
          onEnrolled={(d) => {
            notify(t('participants.enrol.done', { name: d.displayName }));
            setView({ name: 'print', people: [d], back: { name: 'detail', participantId: d.participantId } });
          }} />
      );
    case 'detail':
      return (
        <ParticipantDetail key={view.participantId} participantId={view.participantId} notify={notify} onBack={() => setView({ name: 'list' })}
          onPrint={(d) => setView({ name: 'print', people: [d], back: { name: 'detail', participantId: d.participantId } })} />
      );
    case 'print':
      return <PrintCards people={view.people} onDone={() => setView(view.back)} onCancel={() => setView(view.back)} />;
    default:
      return (
        <ParticipantList onOpen={(id) => setView({ name: 'detail', participantId: id })} onEnrol={() => setView({ name: 'enrol' })}
          onPrint={(people) => setView({ name: 'print', people, back: { name: 'list' } })} />
      );
  }
}

function ParticipantList({ onOpen, onEnrol, onPrint }: { onOpen(id: number): void; onEnrol(): void; onPrint(people: PrintPerson[]): void }) {
  const { t } = useI18n();
  const { call } = useStaff();
  const [query, setQuery] = useState('');
  const [includeInactive, setIncludeInactive] = useState(false);
  const [rows, setRows] = useState<ParticipantSummary[] | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [keyboard, setKeyboard] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const seq = useRef(0);

  const load = useCallback((q: string, inactive: boolean) => {
    const mine = ++seq.current;
    void call('participants.list', { ...(q ? { query: q } : {}), includeInactive: inactive }).then((res) => {
      if (mine !== seq.current) return;
      if (res.ok) {
        setRows(res.value);
        setError(null);
      } else {
        setError(errorMessageKey(res.error.code));
      }
    });
  }, [call]);

  useEffect(() => {
    const timer = window.setTimeout(() => load(query.trim(), includeInactive), query ? SEARCH_DEBOUNCE_MS : 0);
    return () => window.clearTimeout(timer);
  }, [query, includeInactive, load]);

  const toggle = (id: number): void => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const chosen = (rows ?? []).filter((r) => selected.has(r.participantId) && r.active);
  const withoutCard = (rows ?? []).filter((r) => r.active && !r.hasActiveCard);

  return (
    <div className="participants" data-testid="participants">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('participants.title')}</h1>
          <p className="screen-head__meta">{t('participants.intro')}</p>
        </div>
        <div className="screen-head__actions">
          <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={onEnrol} data-testid="participants-add">
            <IconUserPlus className="sbutton__icon" />{t('participants.add')}
          </button>
        </div>
      </div>

      <section className="scard participants__filters">
        <label className="field participants__search">
          <span className="field__label">{t('participants.search.label')}</span>
          <span className="search">
            <IconSearch className="search__icon" />
            <input className="field__input search__input" value={query} maxLength={60} autoComplete="off" spellCheck={false}
              placeholder={t('participants.search.placeholder')} onFocus={() => setKeyboard(true)} onChange={(e) => setQuery(e.target.value)}
              data-testid="participants-search" />
          </span>
        </label>
        <label className="toggle">
          <input type="checkbox" className="toggle__input" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} data-testid="participants-inactive" />
          <span className="toggle__box"><IconCheck className="toggle__tick" /></span>
          <span className="toggle__text">{t('participants.showInactive')}</span>
        </label>
        {keyboard && <div className="participants__keyboard"><OnScreenKeyboard value={query} onChange={setQuery} lowercase /></div>}
      </section>

      {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}

      <div className="participants__selection" aria-live="polite">
        {chosen.length > 0 ? (
          <>
            <span className="participants__count">{t('participants.selected', { count: chosen.length })}</span>
            <button type="button" className="sbutton sbutton--primary" onClick={() => onPrint(chosen)} data-testid="participants-print">
              <IconPrinter className="sbutton__icon" />{t('participants.printSelected')}
            </button>
            <button type="button" className="sbutton" onClick={() => setSelected(new Set())}>{t('participants.clearSelection')}</button>
          </>
        ) : (
          <>
            {rows && <span className="participants__count">{t('participants.count', { count: rows.length })}</span>}
            {withoutCard.length > 0 && (
              <button type="button" className="sbutton" onClick={() => setSelected(new Set(withoutCard.map((r) => r.participantId)))} data-testid="participants-select-nocard">
                <IconCard className="sbutton__icon" />{t('participants.selectNoCard')}
              </button>
            )}
          </>
        )}
      </div>

      {rows === null && !error && <Empty>{t('participants.loading')}</Empty>}
      {rows !== null && rows.length === 0 && <Empty>{t(query.trim() ? 'participants.noHits' : 'participants.none')}</Empty>}
      {rows !== null && rows.length > 0 && (
        <ul className="participant-list" data-testid="participant-list">
          {rows.map((r) => (
            <li key={r.participantId} className={`participant-row${r.active ? '' : ' participant-row--inactive'}`}>
              <label className="participant-row__pick">
                <input type="checkbox" className="toggle__input" checked={selected.has(r.participantId)} disabled={!r.active}
                  onChange={() => toggle(r.participantId)} aria-label={t('participants.select', { name: r.displayName })} data-testid={`pick-${r.participantId}`} />
                <span className="toggle__box"><IconCheck className="toggle__tick" /></span>
              </label>
              <button type="button" className="person participant-row__open" onClick={() => onOpen(r.participantId)} data-testid={`participant-${r.participantId}`}>
                <Avatar name={r.displayName} />
                <span className="person__who">
                  <span className="person__name">{r.displayName}</span>
                  <span className="person__code">{r.code}</span>
                </span>
                <span className="person__chips">
                  <span className="chip chip--quiet">{t(`participants.mode.${r.mode}`)}</span>
                  {!r.active && <span className="chip chip--danger">{t('participants.inactive')}</span>}
                  {r.active && !r.hasActiveCard && <span className="chip chip--flag">{t('participants.noCard')}</span>}
                  {r.schedule && <span className="chip chip--quiet">{scheduleText(t, r.schedule)}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
