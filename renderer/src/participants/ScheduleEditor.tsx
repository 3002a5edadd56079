import type { ScheduleInput, Weekday } from '../../../shared/api';
import { WEEKDAYS } from '../../../shared/api';
import { IconMinus, IconPlus } from './icons';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { normaliseTime } from '../staff/format';
import { stepTime } from './format';

/** What the editor holds while staff change it; dates are '' when left empty. */
export interface ScheduleDraft {
  days: Weekday[];
  start: string;
  end: string;
  validFrom: string;
  validTo: string;
}

export function emptyDraft(today: string): ScheduleDraft {
  return { days: [], start: '09:00', end: '12:00', validFrom: today, validTo: '' };
}

/** The contract's input, or the message that says what is wrong. */
export function draftToInput(draft: ScheduleDraft): { ok: true; value: ScheduleInput } | { ok: false; error: MessageKey } {
  if (draft.days.length === 0) return { ok: false, error: 'participants.schedule.needDay' };
  const start = normaliseTime(draft.start);
  const end = normaliseTime(draft.end);
  if (!start || !end || start >= end) return { ok: false, error: 'participants.schedule.badTime' };
  return {
    ok: true,
    value: {
      days: WEEKDAYS.filter((d) => draft.days.includes(d)), start, end,
      ...(draft.validFrom ? { validFrom: draft.validFrom } : {}),
      validTo: draft.validTo || null,
    },
  };
}

interface Props {
  value: ScheduleDraft;
  onChange(next: ScheduleDraft): void;
  today: string;
}

/** Tap the days, set start and end with big ± buttons (or type), optionally limit the period. */
export function ScheduleEditor({ value, onChange, today }: Props) {
  const { t } = useI18n();
  const toggle = (d: Weekday): void => onChange({ ...value, days: value.days.includes(d) ? value.days.filter((x) => x !== d) : [...value.days, d] });
  return (
    <div className="schedule-editor" data-testid="schedule-editor">
      <fieldset className="schedule-editor__group">
        <legend className="field__label">{t('participants.schedule.days')}</legend>
        <div className="day-toggles">
          {WEEKDAYS.map((d) => (
            <button key={d} type="button" className={`day-toggle${value.days.includes(d) ? ' is-on' : ''}`} aria-pressed={value.days.includes(d)}
              aria-label={t(`participants.dayLong.${d}`)} onClick={() => toggle(d)} data-testid={`day-${d}`}>
              {t(`participants.day.${d}`)}
            </button>
          ))}
        </div>
      </fieldset>
      <div className="schedule-editor__times">
        <TimeField label={t('participants.schedule.from')} value={value.start} onChange={(start) => onChange({ ...value, start })} testId="schedule-start" />
        <span className="schedule-editor__dash" aria-hidden="true">–</span>
        <TimeField label={t('participants.schedule.to')} value={value.end} onChange={(end) => onChange({ ...value, end })} testId="schedule-end" />
      </div>
      <div className="schedule-editor__dates">
        <label className="field">
          <span className="field__label">{t('participants.schedule.validFrom')}</span>
          <input className="field__input" type="date" min={today} value={value.validFrom} onChange={(e) => onChange({ ...value, validFrom: e.target.value })}
            data-testid="schedule-from" />
        </label>
        <label className="field">
          <span className="field__label">{t('participants.schedule.validTo')}</span>
          <input className="field__input" type="date" min={value.validFrom || today} value={value.validTo} onChange={(e) => onChange({ ...value, validTo: e.target.value })}
            data-testid="schedule-to" />
        </label>
      </div>
    </div>
  );
}

function TimeField({ label, value, onChange, testId }: { label: string; value: string; onChange(v: string): void; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="field time-field">
      <span className="field__label" id={`${testId}-label`}>{label}</span>
      <div className="time-field__row">
        <button type="button" className="iconbutton" aria-label={`${label}: ${t('participants.schedule.earlier')}`} onClick={() => onChange(stepTime(value, -30))}
          data-testid={`${testId}-earlier`}><IconMinus className="iconbutton__icon" /></button>
        <input className="field__input field__input--time" inputMode="numeric" maxLength={5} value={value} aria-labelledby={`${testId}-label`}
          onChange={(e) => onChange(e.target.value)} onBlur={() => onChange(normaliseTime(value) ?? value)} data-testid={testId} />
        <button type="button" className="iconbutton" aria-label={`${label}: ${t('participants.schedule.later')}`} onClick={() => onChange(stepTime(value, 30))}
          data-testid={`${testId}-later`}><IconPlus className="iconbutton__icon" /></button>
      </div>
    </div>
  );
}
