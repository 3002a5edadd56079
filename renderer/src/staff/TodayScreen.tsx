import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { TodayView, VisitRow } from '../../../shared/api';
import { IconCalendar, IconCheckIn, IconCheckOut, IconClock, IconLock, IconPlus, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from './context';
import { formatDay, formatMoment } from './format';
import type { Prefill } from './ManualCheckInScreen';
import { Avatar, CheckChip, Empty, VisitFlags } from './parts';
import type { Toast } from './StaffMode';
import { VisitPanel, type PanelTab } from './VisitPanel';

/**
 * Often enough that arrivals at the kiosk show up while staff watch. Each
 * read is audited on the server, so no faster than this, and not at all
 * while the page is hidden.
 */
export const TODAY_POLL_MS = 5_000;

export type AnyVisit = VisitRow & { day?: string };

interface Props {
  openVisitId: number | null;
  onManualCheckIn(prefill?: Prefill): void;
  notify(text: string, tone?: Toast['tone']): void;
}

function findVisit(view: TodayView, visitId: number): AnyVisit | null {
  for (const list of [view.pendingCheck, view.present, view.left, view.openFromEarlierDays] as AnyVisit[][]) {
    const hit = list.find((v) => v.visitId === visitId);
    if (hit) return hit;
  }
  return null;
}

export function TodayScreen({ openVisitId, onManualCheckIn, notify }: Props) {
  const { call, status } = useStaff();
  const { t, language } = useI18n();
  const [view, setView] = useState<TodayView | null>(null);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [selected, setSelected] = useState<{ visitId: number; tab: PanelTab; row: AnyVisit | null } | null>(
    openVisitId ? { visitId: openVisitId, tab: 'check', row: null } : null,
  );
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    const res = await call('today.view', {});
    if (mine !== seq.current) return;
    if (res.ok) {
      setView(res.value);
      setProblem(null);
    } else {
      setProblem(errorMessageKey(res.error.code));
    }
  }, [call]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => { if (!document.hidden) void load(); }, TODAY_POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const open = (visit: AnyVisit, tab: PanelTab = 'check'): void => setSelected({ visitId: visit.visitId, tab, row: visit });
  const selectedRow = selected ? (view && findVisit(view, selected.visitId)) ?? selected.row : null;

  if (!view) {
    return (
      <div className="today today--loading" data-testid="staff-today" aria-busy={!problem}>
        {problem && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(problem)}</p>}
      </div>
    );
  }

  const structured = status.mode === 'structured';
  const row = (v: AnyVisit, kind: 'pending' | 'present' | 'left' | 'earlier') => (
    <li key={v.visitId}>
      <button type="button" className="person" onClick={() => open(v, kind === 'earlier' ? 'checkout' : 'check')} data-testid={`visit-${v.visitId}`}>
        <Avatar name={v.displayName} />
        <span className="person__who">
          <span className="person__name">{v.displayName}</span>
          <span className="person__code">{v.code}</span>
        </span>
        <span className="person__when">
          {kind === 'earlier' && `${v.day ? formatDay(v.day, language) : ''} ${t('staff.today.since', { time: v.checkedInLocal })}`}
          {kind !== 'earlier' && (v.checkedOutLocal
            ? t('staff.today.between', { from: v.checkedInLocal, to: v.checkedOutLocal })
            : t('staff.today.since', { time: v.checkedInLocal }))}
        </span>
        <span className="person__chips">
          {kind !== 'pending' && <CheckChip check={v.check} />}
          <VisitFlags visit={v} />
        </span>
      </button>
    </li>
  );

  return (
    <div className="today" data-testid="staff-today">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{formatDay(view.day, language)}</h1>
          <p className="screen-head__meta">
            {view.confirmed ? (
              <span className="chip chip--locked" data-testid="today-confirmed">
                <IconLock className="chip__icon" />
                {t('staff.day.confirmedBy', { time: formatMoment(view.confirmed.at, status.timeZone, language), name: view.confirmed.byStaff })}
              </span>
            ) : (
              <span className="chip chip--quiet">{t('staff.today.notConfirmed')}</span>
            )}
            <span className="screen-head__stat" data-testid="rejected-scans">
              {t('staff.today.rejectedScans', { count: view.rejectedScans })}
            </span>
          </p>
        </div>
        <div className="screen-head__actions">
          <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={() => onManualCheckIn()} data-testid="today-manual-checkin">
            <IconPlus className="sbutton__icon" />{t('staff.today.manualCheckIn')}
          </button>
        </div>
      </div>
      {problem && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(problem)}</p>}

      {view.openFromEarlierDays.length > 0 && (
        <section className="earlier" data-testid="list-earlier" aria-labelledby="earlier-title">
          <h2 id="earlier-title" className="earlier__title">
            <IconWarning className="earlier__icon" />
            {t('staff.today.earlier')}<span className="count">{view.openFromEarlierDays.length}</span>
          </h2>
          <p className="earlier__hint">{t('staff.today.earlierHint')}</p>
          <ul className="people people--inline">{view.openFromEarlierDays.map((v) => row(v, 'earlier'))}</ul>
        </section>
      )}

      <div className={`today__lists${structured ? ' today__lists--four' : ''}`}>
        <ListCard id="pending" tone="pending" title={t('staff.today.pending')} count={view.pendingCheck.length}
          icon={<IconClock className="list-card__icon" />} hint={t('staff.today.pendingHint')}>
          {view.pendingCheck.length === 0
            ? <Empty>{t('staff.today.pendingEmpty')}</Empty>
            : <ul className="people">{view.pendingCheck.map((v) => row(v, 'pending'))}</ul>}
        </ListCard>
        <ListCard id="present" tone="present" title={t('staff.today.present')} count={view.present.length}
          icon={<IconCheckIn className="list-card__icon" />}>
          {view.present.length === 0
            ? <Empty>{t('staff.today.presentEmpty')}</Empty>
            : <ul className="people">{view.present.map((v) => row(v, 'present'))}</ul>}
        </ListCard>
        <ListCard id="left" tone="left" title={t('staff.today.left')} count={view.left.length}
          icon={<IconCheckOut className="list-card__icon" />}>
          {view.left.length === 0
            ? <Empty>{t('staff.today.leftEmpty')}</Empty>
            : <ul className="people">{view.left.map((v) => row(v, 'left'))}</ul>}
        </ListCard>
        {structured && (
          <ListCard id="expected" tone="expected" title={t('staff.today.expected')} count={view.expectedNotArrived.length}
            icon={<IconCalendar className="list-card__icon" />}>
            {view.expectedNotArrived.length === 0
              ? <Empty>{t('staff.today.expectedEmpty')}</Empty>
              : (
                <ul className="people">
                  {view.expectedNotArrived.map((e) => (
                    <li key={e.participantId}>
                      <button type="button" className="person" data-testid={`expected-${e.participantId}`}
                        onClick={() => onManualCheckIn({ participantId: e.participantId, displayName: e.displayName, code: e.code })}>
                        <Avatar name={e.displayName} />
                        <span className="person__who">
                          <span className="person__name">{e.displayName}</span>
                          <span className="person__code">{e.code}</span>
                        </span>
                        <span className="person__when">{t('staff.today.slot', { start: e.slot.start, end: e.slot.end })}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
          </ListCard>
        )}
      </div>

      {selected && selectedRow && (
        <VisitPanel key={selected.visitId} visit={selectedRow} initialTab={selected.tab}
          dayConfirmed={!selectedRow.day && view.confirmed !== null}
          onClose={() => setSelected(null)}
          onChanged={(message, close) => { notify(message); if (close) setSelected(null); void load(); }} />
      )}
    </div>
  );
}

function ListCard({ id, tone, title, count, icon, hint, children }: {
  id: string; tone: string; title: string; count: number; icon: ReactNode; hint?: string; children: ReactNode;
}) {
  return (
    <section className={`list-card list-card--${tone}`} data-testid={`list-${id}`} aria-labelledby={`list-${id}-title`}>
      <header className="list-card__head">
        {icon}
        <h2 id={`list-${id}-title`} className="list-card__title">{title}</h2>
        <span className="list-card__count" data-testid={`count-${id}`}>{count}</span>
      </header>
      {hint && count > 0 && <p className="list-card__hint">{hint}</p>}
      <div className="list-card__body">{children}</div>
    </section>
  );
}
