/** Small pieces several staff screens share. */
import type { ReactNode } from 'react';
import type { CheckView, VisitRow } from '../../../shared/api';
import { IconCheck, IconClock, IconEdit, IconFlag, IconHand } from '../components/Icons';
import { useI18n } from '../i18n';

export function CheckChip({ check }: { check: CheckView | null }) {
  const { t } = useI18n();
  if (!check) return <span className="chip chip--pending"><IconClock className="chip__icon" />{t('staff.check.pending')}</span>;
  if (check.outcome === 'ready') return <span className="chip chip--ready"><IconCheck className="chip__icon" />{t('staff.check.ready')}</span>;
  return (
    <span className="chip chip--not-today"><IconHand className="chip__icon" />
      {t('staff.check.notToday')}{check.reason ? ` · ${t(`staff.reason.notToday.${check.reason}`)}` : ''}
    </span>
  );
}

export function VisitFlags({ visit }: { visit: VisitRow }) {
  const { t } = useI18n();
  return (
    <>
      {visit.source !== 'card' && <span className="chip chip--quiet">{t(`staff.source.${visit.source}`)}</span>}
      {visit.corrected && <span className="chip chip--quiet"><IconEdit className="chip__icon" />{t('staff.flag.corrected')}</span>}
      {visit.autoClosed && <span className="chip chip--flag"><IconFlag className="chip__icon" />{t('staff.flag.autoClosed')}</span>}
    </>
  );
}

export function Avatar({ name }: { name: string }) {
  return <span className="avatar" aria-hidden="true">{Array.from(name.trim())[0]?.toLocaleUpperCase() ?? '?'}</span>;
}

/** A row of large choice buttons; exactly one may be chosen. */
export function Choices<T extends string>({ options, value, onChange, label, testIdPrefix, big = false }: {
  options: readonly { value: T; label: string; icon?: ReactNode }[];
  value: NoInfer<T> | null;
  onChange(value: NoInfer<T>): void;
  label: string;
  testIdPrefix: string;
  big?: boolean;
}) {
  return (
    <div className={`choices${big ? ' choices--big' : ''}`} role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" role="radio" aria-checked={value === o.value}
          className={`choice${value === o.value ? ' is-chosen' : ''}`} onClick={() => onChange(o.value)}
          data-testid={`${testIdPrefix}-${o.value}`}>
          {o.icon}{o.label}
        </button>
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
