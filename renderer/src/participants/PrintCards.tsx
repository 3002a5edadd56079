import { useState } from 'react';
import type { CardLayoutName, RevokeReason } from '../../../shared/api';
import { CARD_REVOKE_REASONS } from '../../../shared/api';
import { IconCheck, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useKliv } from '../kliv';
import { useStaff } from '../staff/context';
import { Choices } from '../staff/parts';
import { downloadPdf } from './download';
import { IconCamera, IconPrinter, IconQrPlaceholder } from './icons';

export interface PrintPerson { participantId: number; displayName: string; hasActiveCard: boolean }

interface Props {
  people: PrintPerson[];
  /** After printing (or "Klart"). */
  onDone(): void;
  onCancel(): void;
}

const PREVIEW_MAX = 4;

/**
 * The print step: a preview of the card(s), the format, and one tap to
 * print. Printing issues new cards, so a person's current card stops
 * working; that is said before the tap. In the desktop app the PDF goes to
 * the OS print dialog in the main process; in browser mode it is downloaded.
 */
export function PrintCards({ people, onDone, onCancel }: Props) {
  const { t } = useI18n();
  const { call, status } = useStaff();
  const kliv = useKliv();
  const [layout, setLayout] = useState<CardLayoutName>(people.length > 1 ? 'sheet' : 'single');
  const [reason, setReason] = useState<RevokeReason | null>(null);
  const [phase, setPhase] = useState<'ready' | 'busy' | 'done'>('ready');
  const [sent, setSent] = useState<'printer' | 'download' | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const replacing = people.filter((p) => p.hasActiveCard).length;

  const print = async (): Promise<void> => {
    setPhase('busy');
    setError(null);
    const deliver = kliv.transport === 'desktop' ? 'printer' : 'download';
    const res = await call('cards.print', {
      participantIds: people.map((p) => p.participantId), layout, deliver, ...(reason ? { reason } : {}),
    });
    if (!res.ok) {
      setError(errorMessageKey(res.error.code));
      setPhase('ready');
      return;
    }
    if (res.value.pdfBase64) downloadPdf(res.value.pdfBase64, res.value.filename);
    setSent(res.value.sentToPrinter ? 'printer' : 'download');
    setPhase('done');
  };

  const title = people.length === 1 ? t('participants.print.title') : t('participants.print.titleMany', { count: people.length });

  return (
    <div className="participants print-cards" data-testid="print-cards">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{title}</h1>
          <p className="screen-head__meta">{t('participants.print.qrLater')}</p>
        </div>
        <div className="screen-head__actions">
          <button type="button" className="sbutton sbutton--big" onClick={phase === 'done' ? onDone : onCancel} data-testid="print-back">
            {t(phase === 'done' ? 'participants.print.done' : 'staff.cancel')}
          </button>
        </div>
      </div>

      <div className="print-cards__body">
        <ul className="card-previews" aria-label={title}>
          {people.slice(0, PREVIEW_MAX).map((p) => (
            <li key={p.participantId}><CardPreview name={p.displayName} venue={status.venueName} /></li>
          ))}
          {people.length > PREVIEW_MAX && <li className="card-previews__more">{t('participants.print.more', { count: people.length - PREVIEW_MAX })}</li>}
        </ul>

        <section className="scard print-cards__options">
          {phase !== 'done' ? (
            <>
              <h2 className="panel__subtitle">{t('participants.print.layout')}</h2>
              <Choices label={t('participants.print.layout')} value={layout} onChange={setLayout} testIdPrefix="print-layout"
                options={(['single', 'sheet'] as const).map((l) => ({ value: l, label: t(`participants.print.${l}`) }))} />
              <p className="field__hint">{t(layout === 'single' ? 'participants.print.singleHint' : 'participants.print.sheetHint')}</p>
              {replacing > 0 && (
                <>
                  <p className="notice notice--flag" data-testid="print-replaces">
                    <IconWarning className="notice__icon" />
                    {replacing === 1 && people.length === 1 ? t('participants.print.replaces') : t('participants.print.replacesMany', { count: replacing })}
                  </p>
                  <h2 className="panel__subtitle">{t('participants.print.reason')}</h2>
                  <Choices label={t('participants.print.reason')} value={reason} onChange={(r) => setReason(r === reason ? null : r)} testIdPrefix="print-reason"
                    options={CARD_REVOKE_REASONS.map((r) => ({ value: r, label: t(`participants.reason.${r}`) }))} />
                </>
              )}
              {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
              <div className="panel__actions">
                <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={phase === 'busy'} onClick={() => void print()} data-testid="print-go">
                  <IconPrinter className="sbutton__icon" />
                  {phase === 'busy' ? t('participants.print.busy') : t(kliv.transport === 'desktop' ? 'participants.print.print' : 'participants.print.download')}
                </button>
              </div>
            </>
          ) : (
            <div className="print-cards__done" data-testid="print-done" role="status">
              <p className="scard__title"><IconCheck className="inline-icon inline-icon--ok" />
                {t(sent === 'printer' ? 'participants.print.sentToPrinter' : 'participants.print.downloaded')}</p>
              <p className="scard__hint">{t('participants.print.again')}</p>
              <div className="panel__actions">
                <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={onDone} data-testid="print-finish">{t('participants.print.done')}</button>
              </div>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

/** What the printed card looks like; the QR is a stand-in because the token does not exist yet. */
export function CardPreview({ name, venue }: { name: string; venue: string }) {
  const { t } = useI18n();
  return (
    <div className="card-preview" data-testid="card-preview" dir="ltr">
      <div className="card-preview__qr"><IconQrPlaceholder className="card-preview__qr-icon" /></div>
      <div className="card-preview__text">
        <span className="card-preview__venue">{venue}</span>
        <span className="card-preview__bar" aria-hidden="true" />
        <span className="card-preview__name">{name}</span>
        <span className="card-preview__line"><IconCamera className="card-preview__icon" />{t('participants.print.cardLine')}</span>
      </div>
    </div>
  );
}
