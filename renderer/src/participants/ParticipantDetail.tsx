import { useCallback, useEffect, useState } from 'react';
import type { CardView, ParticipantDetails, RevokeReason, ScheduleView, VenueMode } from '../../../shared/api';
import { CARD_REVOKE_REASONS } from '../../../shared/api';
import { IconCard, IconEdit, IconLock, IconUnlock, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from '../staff/context';
import { formatMoment } from '../staff/format';
import { OnScreenKeyboard } from '../staff/OnScreenKeyboard';
import { Avatar, Choices, Empty } from '../staff/parts';
import type { Toast } from '../staff/StaffMode';
import { periodText, scheduleText } from './format';
import { IconPrinter } from './icons';
import { draftToInput, emptyDraft, ScheduleEditor, type ScheduleDraft } from './ScheduleEditor';

interface Props {
  participantId: number;
  notify(text: string, tone?: Toast['tone']): void;
  onPrint(details: ParticipantDetails): void;
  onBack(): void;
}

type Open = null | 'edit' | 'deactivate' | 'schedule' | { revoke: number };

/** One participant: edit, deactivate/reactivate, the schedule and the cards with their status. */
export function ParticipantDetail({ participantId, notify, onPrint, onBack }: Props) {
  const { t, language } = useI18n();
  const { call, status } = useStaff();
  const [details, setDetails] = useState<ParticipantDetails | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const res = await call('participants.get', { participantId });
    if (res.ok) setDetails(res.value);
    else setError(errorMessageKey(res.error.code));
  }, [call, participantId]);
  useEffect(() => { void load(); }, [load]);

  /** Runs a change; on success shows the new details and a message. */
  const change = async (run: () => Promise<{ ok: true; value: ParticipantDetails } | { ok: false; error: { code: Parameters<typeof errorMessageKey>[0] } }>, message: string): Promise<void> => {
    setBusy(true);
    setError(null);
    const res = await run();
    setBusy(false);
    if (!res.ok) {
      setError(errorMessageKey(res.error.code));
      return;
    }
    setDetails(res.value);
    setOpen(null);
    notify(message);
  };

  if (!details) {
    return (
      <div className="participants" data-testid="participant-detail">
        {error ? <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p> : <Empty>{t('participants.loading')}</Empty>}
        <button type="button" className="sbutton sbutton--big" onClick={onBack}>{t('participants.back')}</button>
      </div>
    );
  }
  const d = details;

  return (
    <div className="participants detail" data-testid="participant-detail">
      <div className="screen-head">
        <div className="detail__who">
          <Avatar name={d.displayName} />
          <div>
            <h1 className="screen-head__title" data-testid="detail-name">{d.displayName}</h1>
            <p className="screen-head__meta">
              <span className="person__code" data-testid="detail-code">{d.code}</span>
              <span className="chip chip--quiet">{t(`participants.mode.${d.mode}`)}</span>
              {!d.active && <span className="chip chip--danger">{t('participants.inactive')}</span>}
              {d.todaySlot && <span className="chip chip--ready">{t('participants.schedule.todaySlot', d.todaySlot)}</span>}
            </p>
          </div>
        </div>
        <div className="screen-head__actions">
          <button type="button" className="sbutton sbutton--big" onClick={onBack} data-testid="detail-back">{t('participants.back')}</button>
          {d.active && (
            <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={() => onPrint(d)} data-testid="detail-print">
              <IconPrinter className="sbutton__icon" />{t(d.hasActiveCard ? 'participants.cards.new' : 'participants.cards.first')}
            </button>
          )}
        </div>
      </div>

      {!d.active && <p className="notice notice--flag"><IconLock className="notice__icon" />{t('participants.detail.inactiveNotice')}</p>}
      {error && <p className="notice notice--error" role="alert" data-testid="detail-error"><IconWarning className="notice__icon" />{t(error)}</p>}

      <div className="detail__grid">
        <section className="scard detail__section" data-testid="detail-cards">
          <h2 className="scard__title">{t('participants.cards.title')}</h2>
          {d.cards.length === 0 && <Empty>{t('participants.cards.none')}</Empty>}
          <ul className="card-list">
            {d.cards.map((c) => (
              <CardRow key={c.cardId} card={c} open={typeof open === 'object' && open !== null && open.revoke === c.cardId} busy={busy}
                onOpen={() => setOpen({ revoke: c.cardId })} onClose={() => setOpen(null)}
                onRevoke={(reason) => void change(async () => {
                  const res = await call('cards.revoke', { participantId: d.participantId, cardId: c.cardId, reason });
                  return res.ok ? call('participants.get', { participantId: d.participantId }) : res;
                }, t('participants.cards.revokedToast', { id: c.cardId }))} />
            ))}
          </ul>
        </section>

        {(d.mode === 'structured' || d.schedules.length > 0) && (
          <section className="scard detail__section" data-testid="detail-schedule">
            <h2 className="scard__title">{t('participants.schedule.title')}</h2>
            {open === 'schedule' ? (
              <ScheduleForm current={d.schedule} busy={busy} onCancel={() => setOpen(null)}
                onSave={(input) => void change(() => call('schedules.set', { participantId: d.participantId, schedule: input }), t('participants.schedule.saved'))} />
            ) : (
              <>
                <Schedules schedules={d.schedules} />
                {d.active && d.mode === 'structured' && (
                  <div className="panel__actions">
                    <button type="button" className="sbutton" onClick={() => setOpen('schedule')} data-testid="schedule-change">
                      <IconEdit className="sbutton__icon" />{t(d.schedule ? 'participants.schedule.change' : 'participants.schedule.add')}
                    </button>
                    {d.schedule && (
                      <button type="button" className="sbutton" disabled={busy} data-testid="schedule-stop"
                        onClick={() => void change(() => call('schedules.end', { participantId: d.participantId }), t('participants.schedule.stopped'))}>
                        {t('participants.schedule.stop')}
                      </button>
                    )}
                  </div>
                )}
                {d.mode === 'dropin' && <p className="field__hint">{t('participants.schedule.dropin')}</p>}
              </>
            )}
          </section>
        )}

        <section className="scard detail__section" data-testid="detail-manage">
          {open === 'edit' ? (
            <EditForm details={d} busy={busy} onCancel={() => setOpen(null)}
              onSave={(patch) => void change(() => call('participants.update', { participantId: d.participantId, ...patch }), t('participants.detail.saved'))} />
          ) : open === 'deactivate' ? (
            <div className="detail__confirm" role="alertdialog" data-testid="deactivate-confirm">
              <p className="scard__text">{t('participants.detail.deactivateAsk', { name: d.displayName })}</p>
              <div className="panel__actions">
                <button type="button" className="sbutton sbutton--warn sbutton--big" disabled={busy} data-testid="deactivate-yes"
                  onClick={() => void change(() => call('participants.setActive', { participantId: d.participantId, active: false }), t('participants.detail.deactivated', { name: d.displayName }))}>
                  <IconLock className="sbutton__icon" />{t('participants.detail.deactivateYes')}
                </button>
                <button type="button" className="sbutton sbutton--big" onClick={() => setOpen(null)}>{t('staff.cancel')}</button>
              </div>
            </div>
          ) : (
            <>
              <p className="scard__hint">{t('participants.detail.enrolled', { date: formatMoment(d.createdAt, status.timeZone, language) })}</p>
              <div className="panel__actions">
                <button type="button" className="sbutton" onClick={() => setOpen('edit')} data-testid="detail-edit"><IconEdit className="sbutton__icon" />{t('participants.detail.edit')}</button>
                {d.active ? (
                  <button type="button" className="sbutton" onClick={() => setOpen('deactivate')} data-testid="detail-deactivate">
                    <IconLock className="sbutton__icon" />{t('participants.detail.deactivate')}
                  </button>
                ) : (
                  <button type="button" className="sbutton sbutton--primary" disabled={busy} data-testid="detail-reactivate"
                    onClick={() => void change(() => call('participants.setActive', { participantId: d.participantId, active: true }), t('participants.detail.reactivated', { name: d.displayName }))}>
                    <IconUnlock className="sbutton__icon" />{t('participants.detail.reactivate')}
                  </button>
                )}
              </div>
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function CardRow({ card, open, busy, onOpen, onClose, onRevoke }: {
  card: CardView; open: boolean; busy: boolean; onOpen(): void; onClose(): void; onRevoke(reason: RevokeReason): void;
}) {
  const { t, language } = useI18n();
  const { status } = useStaff();
  const [reason, setReason] = useState<RevokeReason | null>(null);
  const active = card.status === 'active';
  const when = (at: number): string => formatMoment(at, status.timeZone, language);
  const reasonKey = card.revokeReason && ([...CARD_REVOKE_REASONS, 'reissued'] as string[]).includes(card.revokeReason)
    ? (`participants.reason.${card.revokeReason}` as MessageKey) : 'participants.reason.other';
  return (
    <li className={`card-row${active ? '' : ' card-row--revoked'}`} data-testid={`card-${card.cardId}`} data-status={card.status}>
      <div className="card-row__main">
        <IconCard className="card-row__icon" />
        <div className="card-row__text">
          <span className="card-row__name">{t('participants.cards.number', { id: card.cardId })}</span>
          <span className="card-row__meta">
            {t('participants.cards.issued', { date: when(card.issuedAt) })}
            {card.revokedAt !== null && ` · ${t('participants.cards.revokedAt', { date: when(card.revokedAt) })} · ${t(reasonKey)}`}
          </span>
        </div>
        <span className={`chip ${active ? 'chip--ready' : 'chip--danger'}`}>{t(active ? 'participants.cards.active' : 'participants.cards.revoked')}</span>
        {active && !open && (
          <button type="button" className="sbutton" onClick={onOpen} data-testid={`card-${card.cardId}-revoke`}>{t('participants.cards.revoke')}</button>
        )}
      </div>
      {open && (
        <div className="card-row__revoke" role="group" aria-label={t('participants.cards.revokeTitle', { id: card.cardId })}>
          <p className="field__label">{t('participants.cards.revokeTitle', { id: card.cardId })}</p>
          <Choices label={t('participants.cards.revokeTitle', { id: card.cardId })} value={reason} onChange={setReason} testIdPrefix="revoke-reason"
            options={CARD_REVOKE_REASONS.map((r) => ({ value: r, label: t(`participants.reason.${r}`) }))} />
          <div className="panel__actions">
            <button type="button" className="sbutton sbutton--warn" disabled={!reason || busy} onClick={() => reason && onRevoke(reason)} data-testid="revoke-yes">
              {t('participants.cards.revokeYes')}
            </button>
            <button type="button" className="sbutton" onClick={onClose}>{t('staff.cancel')}</button>
          </div>
        </div>
      )}
    </li>
  );
}

function Schedules({ schedules }: { schedules: ScheduleView[] }) {
  const { t, language } = useI18n();
  const { status } = useStaff();
  if (schedules.length === 0) return <Empty>{t('participants.schedule.none')}</Empty>;
  return (
    <ul className="schedule-list" data-testid="schedule-list">
      {schedules.map((s) => {
        const state = s.validTo !== null && s.validTo < status.today ? 'past' : s.validFrom > status.today ? 'upcoming' : 'current';
        return (
          <li key={s.scheduleId} className={`schedule-item schedule-item--${state}`}>
            <span className="schedule-item__what">{scheduleText(t, s)}</span>
            <span className="schedule-item__when">{periodText(t, s, language)}</span>
            <span className={`chip ${state === 'current' ? 'chip--ready' : 'chip--quiet'}`}>{t(`participants.schedule.${state}`)}</span>
          </li>
        );
      })}
    </ul>
  );
}

function ScheduleForm({ current, busy, onSave, onCancel }: {
  current: ScheduleView | null; busy: boolean; onSave(input: Exclude<ReturnType<typeof draftToInput>, { ok: false }>['value']): void; onCancel(): void;
}) {
  const { t } = useI18n();
  const { status } = useStaff();
  const [draft, setDraft] = useState<ScheduleDraft>(() => (current
    ? { days: current.days, start: current.start, end: current.end, validFrom: status.today, validTo: '' }
    : emptyDraft(status.today)));
  const [error, setError] = useState<MessageKey | null>(null);
  const save = (): void => {
    const parsed = draftToInput(draft);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    onSave(parsed.value);
  };
  return (
    <div className="schedule-form">
      {current && <p className="field__hint">{t('participants.schedule.replaces')}</p>}
      <ScheduleEditor value={draft} onChange={setDraft} today={status.today} />
      {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
      <div className="panel__actions">
        <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={busy} onClick={save} data-testid="schedule-save">{t('participants.schedule.save')}</button>
        <button type="button" className="sbutton sbutton--big" onClick={onCancel}>{t('staff.cancel')}</button>
      </div>
    </div>
  );
}

function EditForm({ details, busy, onSave, onCancel }: {
  details: ParticipantDetails; busy: boolean; onSave(patch: { displayName?: string; mode?: VenueMode }): void; onCancel(): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(details.displayName);
  const [mode, setMode] = useState<VenueMode>(details.mode);
  const patch = {
    ...(name.trim() !== details.displayName ? { displayName: name.trim() } : {}),
    ...(mode !== details.mode ? { mode } : {}),
  };
  return (
    <div className="edit-form" data-testid="edit-form">
      <label className="field">
        <span className="field__label">{t('participants.field.name')}</span>
        <input className="field__input" value={name} maxLength={40} autoComplete="off" spellCheck={false} onChange={(e) => setName(e.target.value)} data-testid="edit-name" />
        <span className="field__hint">{t('participants.noPersonalNumber')}</span>
      </label>
      <OnScreenKeyboard value={name} onChange={setName} maxLength={40} lowercase />
      <h3 className="panel__subtitle">{t('participants.field.mode')}</h3>
      <Choices label={t('participants.field.mode')} value={mode} onChange={setMode} testIdPrefix="edit-mode"
        options={(['structured', 'dropin'] as const).map((m) => ({ value: m, label: t(`participants.mode.${m}`) }))} />
      <div className="panel__actions">
        <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={busy || name.trim() === '' || Object.keys(patch).length === 0}
          onClick={() => onSave(patch)} data-testid="edit-save">{t('participants.detail.save')}</button>
        <button type="button" className="sbutton sbutton--big" onClick={onCancel}>{t('staff.cancel')}</button>
      </div>
    </div>
  );
}

