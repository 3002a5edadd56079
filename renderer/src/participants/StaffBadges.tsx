import { useCallback, useEffect, useState } from 'react';
import type { BadgeView, RevokeReason } from '../../../shared/api';
import { CARD_REVOKE_REASONS } from '../../../shared/api';
import { IconCard, IconCheck, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useKliv } from '../kliv';
import { useStaff } from '../staff/context';
import { formatMoment } from '../staff/format';
import { Choices, Empty } from '../staff/parts';
import type { Toast } from '../staff/StaffMode';
import { downloadPdf } from './download';
import { IconPrinter } from './icons';

export interface StaffBadgesProps {
  staffId: number;
  name: string;
  notify(text: string, tone?: Toast['tone']): void;
  onClose(): void;
}

/**
 * An admin's view of one staff member's badges: status, revoke with a
 * reason, and print a new one (which revokes the old at once). Needs the
 * admin role; meant for the staff accounts screen.
 */
export function StaffBadges({ staffId, name, notify, onClose }: StaffBadgesProps) {
  const { t, language } = useI18n();
  const { call, status } = useStaff();
  const kliv = useKliv();
  const [badges, setBadges] = useState<BadgeView[] | null>(null);
  const [revoking, setRevoking] = useState<number | null>(null);
  const [reason, setReason] = useState<RevokeReason | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [printed, setPrinted] = useState(false);

  const load = useCallback(async () => {
    const res = await call('staffBadges.list', { staffId });
    if (res.ok) setBadges(res.value);
    else setError(errorMessageKey(res.error.code));
  }, [call, staffId]);
  useEffect(() => { void load(); }, [load]);

  const print = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const res = await call('staffBadges.print', { staffIds: [staffId], layout: 'single', deliver: kliv.transport === 'desktop' ? 'printer' : 'download' });
    setBusy(false);
    if (!res.ok) {
      setError(errorMessageKey(res.error.code));
      return;
    }
    if (res.value.pdfBase64) downloadPdf(res.value.pdfBase64, res.value.filename);
    setPrinted(true);
    void load();
  };

  const revoke = async (badgeId: number, why: RevokeReason): Promise<void> => {
    setBusy(true);
    const res = await call('staffBadges.revoke', { staffId, badgeId, reason: why });
    setBusy(false);
    if (!res.ok) {
      setError(errorMessageKey(res.error.code));
      return;
    }
    setRevoking(null);
    setReason(null);
    notify(t('participants.badges.revokedToast', { id: badgeId }));
    void load();
  };

  const hasActive = badges?.some((b) => b.status === 'active') ?? false;
  return (
    <section className="scard detail__section staff-badges" data-testid="staff-badges">
      <h2 className="scard__title">{t('participants.badges.title', { name })}</h2>
      <p className="scard__hint">{t('participants.badges.intro')}</p>
      {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
      {badges && badges.length === 0 && <Empty>{t('participants.badges.none')}</Empty>}
      <ul className="card-list">
        {(badges ?? []).map((b) => (
          <li key={b.badgeId} className={`card-row${b.status === 'active' ? '' : ' card-row--revoked'}`} data-testid={`badge-${b.badgeId}`} data-status={b.status}>
            <div className="card-row__main">
              <IconCard className="card-row__icon" />
              <div className="card-row__text">
                <span className="card-row__name">{t('participants.badges.number', { id: b.badgeId })}</span>
                <span className="card-row__meta">{t('participants.cards.issued', { date: formatMoment(b.issuedAt, status.timeZone, language) })}</span>
              </div>
              <span className={`chip ${b.status === 'active' ? 'chip--ready' : 'chip--danger'}`}>{t(b.status === 'active' ? 'participants.cards.active' : 'participants.cards.revoked')}</span>
              {b.status === 'active' && revoking !== b.badgeId && (
                <button type="button" className="sbutton" onClick={() => setRevoking(b.badgeId)} data-testid={`badge-${b.badgeId}-revoke`}>{t('participants.cards.revoke')}</button>
              )}
            </div>
            {revoking === b.badgeId && (
              <div className="card-row__revoke">
                <Choices label={t('participants.cards.revokeTitle', { id: b.badgeId })} value={reason} onChange={setReason} testIdPrefix="badge-reason"
                  options={CARD_REVOKE_REASONS.map((r) => ({ value: r, label: t(`participants.reason.${r}`) }))} />
                <div className="panel__actions">
                  <button type="button" className="sbutton sbutton--warn" disabled={!reason || busy} onClick={() => reason && void revoke(b.badgeId, reason)} data-testid="badge-revoke-yes">
                    {t('participants.cards.revokeYes')}
                  </button>
                  <button type="button" className="sbutton" onClick={() => setRevoking(null)}>{t('staff.cancel')}</button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
      {hasActive && !printed && <p className="notice notice--flag"><IconWarning className="notice__icon" />{t('participants.badges.replaces')}</p>}
      {printed && (
        <p className="notice notice--info" role="status" data-testid="badge-printed">
          <IconCheck className="notice__icon" />{t(kliv.transport === 'desktop' ? 'participants.print.sentToPrinter' : 'participants.print.downloaded')}
        </p>
      )}
      <div className="panel__actions">
        <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={busy} onClick={() => void print()} data-testid="badge-print">
          <IconPrinter className="sbutton__icon" />{t('participants.badges.print')}
        </button>
        <button type="button" className="sbutton sbutton--big" onClick={onClose}>{t('participants.badges.close')}</button>
      </div>
    </section>
  );
}
