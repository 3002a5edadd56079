import { useCallback, useEffect, useState } from 'react';
import type { ExportStatusView } from '../../../shared/api';
import { localDateOf, addDays } from '../../../shared/time';
import { IconCheckIn, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n, type Language } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from './context';
import { localeOf } from './format';

/** "i går 02:00" / "i dag 02:00" / "20 nov 02:00" in the venue's time zone. */
export function whenText(at: number, timeZone: string, language: Language, t: (k: MessageKey) => string): string {
  const time = new Intl.DateTimeFormat(localeOf(language), { timeZone, hour: '2-digit', minute: '2-digit' }).format(at);
  const day = localDateOf(at, timeZone);
  const today = localDateOf(Date.now(), timeZone);
  if (day === today) return `${t('staff.export.today')} ${time}`;
  if (day === addDays(today, -1)) return `${t('staff.export.yesterday')} ${time}`;
  return new Intl.DateTimeFormat(localeOf(language), { timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(at);
}

function useExportStatus(pollMs: number): { status: ExportStatusView | null; reload(): void; error: MessageKey | null } {
  const { call } = useStaff();
  const [status, setStatus] = useState<ExportStatusView | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const reload = useCallback(() => {
    void call('export.status', {}).then((res) => {
      if (res.ok) {
        setStatus(res.value);
        setError(null);
      } else setError(errorMessageKey(res.error.code));
    });
  }, [call]);
  useEffect(() => {
    reload();
    const timer = window.setInterval(reload, pollMs);
    return () => window.clearInterval(timer);
  }, [reload, pollMs]);
  return { status, reload, error };
}

/** One line for every staff screen: the last export, or a clear warning. */
export function ExportBanner() {
  const { t, language } = useI18n();
  const { status: venue } = useStaff();
  const { status } = useExportStatus(60_000);
  if (!status) return null;
  const last = status.lastSuccessAt === null ? t('staff.export.never') : whenText(status.lastSuccessAt, venue.timeZone, language, t);
  if (!status.warning) {
    return <p className="export-line" data-testid="export-line"><IconCheckIn className="export-line__icon" />{t('staff.export.lastOk', { when: last })}</p>;
  }
  const problem: MessageKey = status.problem === 'not_configured' ? 'staff.export.problem.not_configured'
    : status.problem === 'last_failed' ? 'staff.export.problem.last_failed' : 'staff.export.problem.overdue';
  return (
    <p className="export-line export-line--warn" role="alert" data-testid="export-warning">
      <IconWarning className="export-line__icon" />{t('staff.export.lastWas', { when: last })} – {t(problem)}
    </p>
  );
}

export function ExportScreen({ notify }: { notify(text: string, tone?: 'ok' | 'error'): void }) {
  const { t, language } = useI18n();
  const { call, can, status: venue } = useStaff();
  const { status, reload, error } = useExportStatus(4_000);
  const [starting, setStarting] = useState(false);

  const exportNow = async (): Promise<void> => {
    setStarting(true);
    const res = await call('export.now', {});
    setStarting(false);
    if (!res.ok) notify(t(errorMessageKey(res.error.code)), 'error');
    else notify(t(res.value.started ? 'staff.export.started' : 'staff.export.alreadyRunning'));
    reload();
  };

  return (
    <section className="export-screen" data-testid="export-screen">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('staff.export.title')}</h1>
          <p className="screen-head__meta">{t('staff.export.intro', { time: status?.exportTime ?? '02:00' })}</p>
        </div>
        {can('coordinator') && (
          <div className="screen-head__actions">
            <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={starting || status?.running === true}
              onClick={() => void exportNow()} data-testid="export-now">
              {t(status?.running ? 'staff.export.running' : 'staff.export.now')}
            </button>
          </div>
        )}
      </div>
      {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
      {status && (
        <>
          <ExportBanner />
          <div className="day-stats">
            <div className="stat"><span className="stat__value">{status.pendingEvents}</span><span className="stat__label">{t('staff.export.pending')}</span></div>
            <div className="stat"><span className="stat__value">{status.lastBatch}</span><span className="stat__label">{t('staff.export.batches')}</span></div>
            <div className="stat"><span className="stat__value">{status.nextRunAt ? whenText(status.nextRunAt, venue.timeZone, language, t) : '–'}</span><span className="stat__label">{t('staff.export.next')}</span></div>
          </div>
          <h2 className="export-screen__subtitle">{t('staff.export.history')}</h2>
          {status.history.length === 0 ? <p className="empty">{t('staff.export.noHistory')}</p> : (
            <table className="export-history" data-testid="export-history">
              <thead><tr><th>{t('staff.export.col.when')}</th><th>{t('staff.export.col.outcome')}</th><th>{t('staff.export.col.events')}</th><th>{t('staff.export.col.message')}</th></tr></thead>
              <tbody>
                {status.history.map((a) => (
                  <tr key={a.id} className={`export-history__row export-history__row--${a.outcome}`}>
                    <td>{whenText(a.startedAt, venue.timeZone, language, t)}</td>
                    <td>{t(`staff.export.outcome.${a.outcome}` as MessageKey)}</td>
                    <td>{a.events}</td>
                    <td>{a.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
