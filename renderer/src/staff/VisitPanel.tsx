import { useEffect, useState } from 'react';
import type { CheckOutcome, CorrectionReason, ManualReason, NotTodayReason, VisitHistory, VisitRow } from '../../../shared/api';
import { IconCheck, IconCheckOut, IconClose, IconEdit, IconFlag, IconHand, IconHistory, IconLock, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from './context';
import { formatDay, formatMoment, normaliseTime, nowLocalTime } from './format';
import { Avatar, CheckChip, Choices, VisitFlags } from './parts';

export type PanelTab = 'check' | 'checkout' | 'correct' | 'history';

export const NOT_TODAY_REASONS: readonly NotTodayReason[] = ['not_sober', 'unwell', 'other'];
export const CORRECTION_REASONS: readonly CorrectionReason[] = ['wrong_time', 'forgot_checkout', 'wrong_person', 'wrong_check', 'other'];
export const CHECKOUT_REASONS: readonly ManualReason[] = ['forgot_checkout', 'no_card', 'card_lost', 'kiosk_problem', 'other'];

interface Props {
  visit: VisitRow & { day?: string };
  initialTab: PanelTab;
  /** The visit's day is confirmed: changes need a coordinator and are flagged. */
  dayConfirmed: boolean;
  onClose(): void;
  onChanged(message: string, close?: boolean): void;
}

export function VisitPanel({ visit, initialTab, dayConfirmed, onClose, onChanged }: Props) {
  const { t, language } = useI18n();
  const { can } = useStaff();
  const open = visit.checkedOutAt === null;
  const [tab, setTab] = useState<PanelTab>(initialTab === 'checkout' && !open ? 'check' : initialTab);
  const readOnly = dayConfirmed && !can('coordinator');

  const tabs: { id: PanelTab; label: MessageKey; show: boolean }[] = [
    { id: 'check', label: 'staff.panel.tab.check', show: true },
    { id: 'checkout', label: 'staff.panel.tab.checkout', show: open },
    { id: 'correct', label: 'staff.panel.tab.correct', show: true },
    { id: 'history', label: 'staff.panel.tab.history', show: true },
  ];

  return (
    <div className="panel-layer">
      <div className="panel-layer__backdrop" onClick={onClose} aria-hidden="true" />
      <aside className="panel" role="dialog" aria-modal="true" aria-labelledby="panel-title" data-testid="visit-panel">
        <header className="panel__head">
          <Avatar name={visit.displayName} />
          <div className="panel__who">
            <h2 id="panel-title" className="panel__name">{visit.displayName}</h2>
            <span className="panel__code">{visit.code}</span>
          </div>
          <button type="button" className="iconbutton" onClick={onClose} aria-label={t('staff.panel.close')} data-testid="panel-close">
            <IconClose className="iconbutton__icon" />
          </button>
        </header>
        <div className="panel__summary">
          {visit.day && <span className="panel__day">{formatDay(visit.day, language)}</span>}
          <span className="panel__times" data-testid="panel-times">
            {t('staff.panel.in', { time: visit.checkedInLocal })}
            <span className="panel__sep" aria-hidden="true">·</span>
            {visit.checkedOutLocal ? t('staff.panel.out', { time: visit.checkedOutLocal }) : t('staff.panel.stillHere')}
          </span>
          <span className="panel__chips"><CheckChip check={visit.check} /><VisitFlags visit={visit} /></span>
        </div>
        <nav className="panel__tabs" role="tablist">
          {tabs.filter((x) => x.show).map((x) => (
            <button key={x.id} type="button" role="tab" aria-selected={tab === x.id} className={`panel__tab${tab === x.id ? ' is-active' : ''}`}
              onClick={() => setTab(x.id)} data-testid={`tab-${x.id}`}>{t(x.label)}</button>
          ))}
        </nav>
        <div className="panel__body">
          {dayConfirmed && tab !== 'history' && (
            <p className={`notice ${readOnly ? 'notice--info' : 'notice--flag'}`} data-testid="panel-confirmed-note">
              {readOnly ? <IconLock className="notice__icon" /> : <IconFlag className="notice__icon" />}
              {t(readOnly ? 'staff.panel.confirmedReadOnly' : 'staff.panel.confirmedFlagged')}
            </p>
          )}
          {tab === 'check' && !readOnly && <CheckTab visit={visit} onChanged={onChanged} />}
          {tab === 'check' && readOnly && <CurrentCheck visit={visit} />}
          {tab === 'checkout' && open && !readOnly && <CheckOutTab visit={visit} onChanged={onChanged} />}
          {tab === 'correct' && !readOnly && <CorrectTab visit={visit} onChanged={onChanged} />}
          {tab === 'history' && <HistoryTab visitId={visit.visitId} />}
        </div>
      </aside>
    </div>
  );
}

function useSubmit() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const run = async (action: () => Promise<{ ok: true } | { ok: false; error: { code: Parameters<typeof errorMessageKey>[0] } }>, onOk: () => void) => {
    setBusy(true);
    setError(null);
    const res = await action();
    setBusy(false);
    if (res.ok) onOk();
    else setError(errorMessageKey(res.error.code));
  };
  const errorView = error && (
    <p className="notice notice--error" role="alert" data-testid="panel-error"><IconWarning className="notice__icon" />{t(error)}</p>
  );
  return { busy, run, errorView, setError };
}

function CurrentCheck({ visit }: { visit: VisitRow }) {
  const { t } = useI18n();
  if (!visit.check) return <p className="panel__lead">{t('staff.check.none')}</p>;
  return (
    <div className="current-check" data-testid="current-check">
      <CheckChip check={visit.check} />
      <p className="current-check__by">{t('staff.check.recordedBy', { time: visit.check.localTime, name: visit.check.byStaff })}</p>
    </div>
  );
}

function CheckTab({ visit, onChanged }: { visit: VisitRow; onChanged(message: string, close?: boolean): void }) {
  const { t } = useI18n();
  const { call } = useStaff();
  const { busy, run, errorView } = useSubmit();
  const [step, setStep] = useState<'choose' | 'notToday' | 'change'>('choose');
  const [reason, setReason] = useState<NotTodayReason | null>(null);
  const [outcome, setOutcome] = useState<CheckOutcome | null>(null);
  const [correction, setCorrection] = useState<CorrectionReason | null>(null);

  const reasonOptions = NOT_TODAY_REASONS.map((r) => ({ value: r, label: t(`staff.reason.notToday.${r}`) }));
  const saved = (close: boolean) => () => {
    setStep('choose');
    setReason(null);
    setOutcome(null);
    setCorrection(null);
    onChanged(t('staff.check.saved', { name: visit.displayName }), close);
  };

  // A first check closes the panel: that is the everyday one-tap flow.
  const record = (chosen: CheckOutcome, why?: NotTodayReason) => run(
    () => call('checks.record', chosen === 'ready' ? { visitId: visit.visitId, outcome: 'ready' } : { visitId: visit.visitId, outcome: 'not_today', reason: why }),
    saved(true),
  );

  if (visit.check && step !== 'change') {
    return (
      <div className="check-tab">
        <CurrentCheck visit={visit} />
        <button type="button" className="sbutton sbutton--big" onClick={() => setStep('change')} data-testid="check-change">
          <IconEdit className="sbutton__icon" />{t('staff.check.change')}
        </button>
      </div>
    );
  }

  if (visit.check && step === 'change') {
    const check = visit.check;
    const ready = outcome !== null && correction !== null && (outcome === 'ready' || reason !== null);
    return (
      <div className="check-tab">
        <CurrentCheck visit={visit} />
        <h3 className="panel__subtitle">{t('staff.check.newOutcome')}</h3>
        <Choices label={t('staff.check.newOutcome')} value={outcome} onChange={(v) => { setOutcome(v); if (v === 'ready') setReason(null); }} testIdPrefix="correct-outcome"
          options={[
            { value: 'ready', label: t('staff.check.ready'), icon: <IconCheck className="choice__icon" /> },
            { value: 'not_today', label: t('staff.check.notToday'), icon: <IconHand className="choice__icon" /> },
          ]} />
        {outcome === 'not_today' && (
          <>
            <h3 className="panel__subtitle">{t('staff.check.reasonTitle')}</h3>
            <Choices label={t('staff.check.reasonTitle')} value={reason} onChange={setReason} options={reasonOptions} testIdPrefix="reason" />
          </>
        )}
        <h3 className="panel__subtitle">{t('staff.correction.reasonTitle')}</h3>
        <Choices label={t('staff.correction.reasonTitle')} value={correction} onChange={setCorrection} testIdPrefix="correction-reason"
          options={CORRECTION_REASONS.map((r) => ({ value: r, label: t(`staff.reason.correction.${r}`) }))} />
        {errorView}
        <div className="panel__actions">
          <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={!ready || busy} data-testid="check-correct-save"
            onClick={() => outcome && correction && void run(() => call('checks.correct', outcome === 'ready'
              ? { checkId: check.checkId, outcome, correctionReason: correction }
              : { checkId: check.checkId, outcome, reason: reason ?? 'other', correctionReason: correction }), saved(false))}>
            {t('staff.correction.save')}
          </button>
          <button type="button" className="sbutton sbutton--big" onClick={() => setStep('choose')}>{t('staff.back')}</button>
        </div>
      </div>
    );
  }

  if (step === 'notToday') {
    return (
      <div className="check-tab">
        <h3 className="panel__lead">{t('staff.check.reasonTitle')}</h3>
        <Choices label={t('staff.check.reasonTitle')} value={reason} onChange={setReason} options={reasonOptions} testIdPrefix="reason" big />
        <p className="panel__hint">{t('staff.check.noFreeText')}</p>
        {errorView}
        <div className="panel__actions">
          <button type="button" className="sbutton sbutton--warn sbutton--big" disabled={reason === null || busy} data-testid="check-save"
            onClick={() => reason && void record('not_today', reason)}>
            <IconHand className="sbutton__icon" />{t('staff.check.saveNotToday')}
          </button>
          <button type="button" className="sbutton sbutton--big" onClick={() => { setStep('choose'); setReason(null); }} data-testid="check-back">{t('staff.back')}</button>
        </div>
      </div>
    );
  }

  return (
    <div className="check-tab">
      <p className="panel__lead">{t('staff.check.question', { name: visit.displayName })}</p>
      <div className="check-buttons">
        <button type="button" className="check-button check-button--ready" disabled={busy} onClick={() => void record('ready')} data-testid="check-ready">
          <IconCheck className="check-button__icon" />{t('staff.check.ready')}
        </button>
        <button type="button" className="check-button check-button--not-today" disabled={busy} onClick={() => setStep('notToday')} data-testid="check-not-today">
          <IconHand className="check-button__icon" />{t('staff.check.notToday')}
        </button>
      </div>
      {errorView}
    </div>
  );
}

function CheckOutTab({ visit, onChanged }: { visit: VisitRow & { day?: string }; onChanged(message: string, close?: boolean): void }) {
  const { t } = useI18n();
  const { call, status } = useStaff();
  const { busy, run, errorView } = useSubmit();
  const [reason, setReason] = useState<ManualReason | null>(null);
  const [time, setTime] = useState('');
  const earlier = Boolean(visit.day);
  const parsed = time.trim() === '' ? null : normaliseTime(time);
  const timeOk = earlier ? parsed !== null : time.trim() === '' || parsed !== null;
  return (
    <div className="checkout-tab">
      <h3 className="panel__subtitle">{t('staff.checkout.reasonTitle')}</h3>
      <Choices label={t('staff.checkout.reasonTitle')} value={reason} onChange={setReason} testIdPrefix="checkout-reason"
        options={CHECKOUT_REASONS.map((r) => ({ value: r, label: t(`staff.reason.manual.${r}`) }))} />
      <label className="field field--time">
        <span className="field__label">{t('staff.checkout.time')}</span>
        <input className={`field__input field__input--time${timeOk ? '' : ' is-invalid'}`} inputMode="numeric" value={time} maxLength={5}
          placeholder={earlier ? t('staff.time.placeholder') : t('staff.checkout.now', { time: nowLocalTime(status.timeZone) })}
          onChange={(e) => setTime(e.target.value)} data-testid="checkout-time" />
        <span className="field__hint">{t(earlier ? 'staff.checkout.timeRequired' : 'staff.checkout.timeHint')}</span>
      </label>
      {errorView}
      <div className="panel__actions">
        <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={!reason || !timeOk || busy} data-testid="checkout-save"
          onClick={() => reason && void run(() => call('visits.manualCheckOut', parsed ? { visitId: visit.visitId, reason, at: parsed } : { visitId: visit.visitId, reason }),
            () => onChanged(t('staff.checkout.saved', { name: visit.displayName }), true))}>
          <IconCheckOut className="sbutton__icon" />{t('staff.checkout.save')}
        </button>
      </div>
    </div>
  );
}

function CorrectTab({ visit, onChanged }: { visit: VisitRow; onChanged(message: string, close?: boolean): void }) {
  const { t } = useI18n();
  const { call } = useStaff();
  const { busy, run, errorView } = useSubmit();
  const [inTime, setInTime] = useState(visit.checkedInLocal);
  const [outTime, setOutTime] = useState(visit.checkedOutLocal ?? '');
  const [reason, setReason] = useState<CorrectionReason | null>(null);
  const inParsed = normaliseTime(inTime);
  const outParsed = outTime.trim() === '' ? null : normaliseTime(outTime);
  const outOk = outTime.trim() === '' || outParsed !== null;
  const orderOk = !inParsed || !outParsed || outParsed >= inParsed;
  const changed = inParsed !== visit.checkedInLocal || outParsed !== visit.checkedOutLocal;
  const ready = inParsed !== null && outOk && orderOk && changed && reason !== null && !busy;
  return (
    <div className="correct-tab">
      <p className="panel__hint">{t('staff.correction.intro')}</p>
      <div className="time-pair">
        <label className="field field--time">
          <span className="field__label">{t('staff.correction.in')}</span>
          <input className={`field__input field__input--time${inParsed ? '' : ' is-invalid'}`} inputMode="numeric" maxLength={5} value={inTime}
            placeholder={t('staff.time.placeholder')} onChange={(e) => setInTime(e.target.value)} data-testid="correct-in" />
        </label>
        <label className="field field--time">
          <span className="field__label">{t('staff.correction.out')}</span>
          <input className={`field__input field__input--time${outOk && orderOk ? '' : ' is-invalid'}`} inputMode="numeric" maxLength={5} value={outTime}
            placeholder={t('staff.time.placeholder')} onChange={(e) => setOutTime(e.target.value)} data-testid="correct-out" />
          <span className="field__hint">{t('staff.correction.outHint')}</span>
        </label>
      </div>
      {!orderOk && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t('staff.correction.order')}</p>}
      <h3 className="panel__subtitle">{t('staff.correction.reasonTitle')}</h3>
      <Choices label={t('staff.correction.reasonTitle')} value={reason} onChange={setReason} testIdPrefix="correction-reason"
        options={CORRECTION_REASONS.map((r) => ({ value: r, label: t(`staff.reason.correction.${r}`) }))} />
      {errorView}
      <div className="panel__actions">
        <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={!ready} data-testid="correct-save"
          onClick={() => inParsed && reason && void run(
            () => call('visits.correct', { visitId: visit.visitId, checkedIn: inParsed, checkedOut: outParsed, reason }),
            () => onChanged(t('staff.correction.saved', { name: visit.displayName })))}>
          <IconEdit className="sbutton__icon" />{t('staff.correction.save')}
        </button>
      </div>
    </div>
  );
}

type HistoryEntry =
  | { kind: 'times'; at: number; item: VisitHistory['corrections'][number] }
  | { kind: 'check'; at: number; item: VisitHistory['checks'][number] };

function HistoryTab({ visitId }: { visitId: number }) {
  const { t, language } = useI18n();
  const { call, status } = useStaff();
  const [history, setHistory] = useState<VisitHistory | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);

  useEffect(() => {
    let cancelled = false;
    void call('visits.history', { visitId }).then((res) => {
      if (cancelled) return;
      if (res.ok) setHistory(res.value);
      else setError(errorMessageKey(res.error.code));
    });
    return () => { cancelled = true; };
  }, [call, visitId]);

  if (error) return <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>;
  if (!history) return <p className="panel__hint" aria-busy="true">{t('staff.loading')}</p>;

  const first = history.corrections[0]?.before ?? { checkedInLocal: history.visit.checkedInLocal, checkedOutLocal: history.visit.checkedOutLocal };
  const entries: HistoryEntry[] = [
    ...history.corrections.map((item) => ({ kind: 'times' as const, at: item.at, item })),
    ...history.checks.map((item) => ({ kind: 'check' as const, at: item.recordedAt, item })),
  ].sort((a, b) => a.at - b.at);
  const span = (x: { checkedInLocal: string; checkedOutLocal: string | null }) => `${x.checkedInLocal}–${x.checkedOutLocal ?? t('staff.history.notOut')}`;

  return (
    <div className="history" data-testid="visit-history">
      <ol className="timeline">
        <li className="timeline__item">
          <IconHistory className="timeline__icon" />
          <div className="timeline__body">
            <p className="timeline__title">{t('staff.history.original')}</p>
            <p className="timeline__text" data-testid="history-original">
              {t(`staff.source.${history.visit.source}`)} · {span(first)}
            </p>
          </div>
        </li>
        {entries.map((e, i) => (
          <li key={i} className="timeline__item" data-testid={e.kind === 'times' ? 'history-correction' : 'history-check'}>
            {e.kind === 'times' ? <IconEdit className="timeline__icon" /> : <IconCheck className="timeline__icon" />}
            <div className="timeline__body">
              <p className="timeline__title">
                {e.kind === 'times' ? t('staff.history.timesCorrected')
                  : e.item.correctionReason ? t('staff.history.checkCorrected') : t('staff.history.checkRecorded')}
                {e.item.afterConfirmation && (
                  <span className="chip chip--flag"><IconFlag className="chip__icon" />{t('staff.flag.afterConfirmation')}</span>
                )}
              </p>
              {e.kind === 'times' ? (
                <p className="timeline__text">
                  <span className="timeline__before">{span(e.item.before)}</span>
                  <span aria-hidden="true"> → </span>
                  <span className="timeline__after">{span(e.item.after)}</span>
                  <span className="timeline__reason"> · {t(`staff.reason.correction.${e.item.reason}`)}</span>
                </p>
              ) : (
                <p className="timeline__text">
                  {e.item.outcome === 'ready' ? t('staff.check.ready') : t('staff.check.notToday')}
                  {e.item.reason ? ` (${t(`staff.reason.notToday.${e.item.reason}`)})` : ''}
                  {e.item.correctionReason ? ` · ${t(`staff.reason.correction.${e.item.correctionReason}`)}` : ''}
                </p>
              )}
              <p className="timeline__meta">
                {t('staff.history.by', { time: formatMoment(e.at, status.timeZone, language), name: e.item.byStaff })}
              </p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
