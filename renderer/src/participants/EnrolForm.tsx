import { useState } from 'react';
import type { ParticipantDetails, VenueMode } from '../../../shared/api';
import { IconClose, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { useStaff } from '../staff/context';
import { OnScreenKeyboard } from '../staff/OnScreenKeyboard';
import { Choices } from '../staff/parts';
import { IconPrinter } from './icons';
import { draftToInput, emptyDraft, ScheduleEditor, type ScheduleDraft } from './ScheduleEditor';

interface Props {
  /** Enrolled: go on to print the first card. */
  onEnrolled(details: ParticipantDetails): void;
  onCancel(): void;
}

type Field = 'name' | 'code';

/**
 * Enrolment in under a minute: the name the person chooses, the
 * municipality's code (or a generated one), structured or drop-in, and for
 * structured participants the weekly schedule. Saving leads straight to
 * printing the card.
 */
export function EnrolForm({ onEnrolled, onCancel }: Props) {
  const { t } = useI18n();
  const { call, status } = useStaff();
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [mode, setMode] = useState<VenueMode>(status.mode);
  const [draft, setDraft] = useState<ScheduleDraft>(() => emptyDraft(status.today));
  const [typingInto, setTypingInto] = useState<Field>('name');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (): Promise<void> => {
    if (name.trim() === '') {
      setError('participants.enrol.needName');
      return;
    }
    let schedule;
    // A structured participant may be enrolled before their days are agreed: no days, no schedule.
    if (mode === 'structured' && draft.days.length > 0) {
      const parsed = draftToInput(draft);
      if (!parsed.ok) {
        setError(parsed.error);
        return;
      }
      schedule = parsed.value;
    }
    setBusy(true);
    setError(null);
    const res = await call('participants.enrol', {
      displayName: name.trim(), ...(code.trim() ? { code: code.trim() } : {}), mode, ...(schedule ? { schedule } : {}),
    });
    setBusy(false);
    if (res.ok) onEnrolled(res.value);
    else setError(errorMessageKey(res.error.code));
  };

  const fieldLabel = t(typingInto === 'name' ? 'participants.field.name' : 'participants.field.code');

  return (
    <div className="participants enrol" data-testid="enrol-form">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('participants.enrol.title')}</h1>
          <p className="screen-head__meta">{t('participants.noPersonalNumber')}</p>
        </div>
        <div className="screen-head__actions">
          <button type="button" className="sbutton sbutton--big" onClick={onCancel}><IconClose className="sbutton__icon" />{t('staff.cancel')}</button>
        </div>
      </div>
      <div className="enrol__grid">
        <section className="scard enrol__who">
          <label className="field">
            <span className="field__label">{t('participants.field.name')}</span>
            <input className={`field__input${typingInto === 'name' ? ' is-typing' : ''}`} value={name} maxLength={40} autoComplete="off" spellCheck={false}
              onFocus={() => setTypingInto('name')} onChange={(e) => setName(e.target.value)} data-testid="enrol-name" />
            <span className="field__hint">{t('participants.field.nameHint')}</span>
          </label>
          <label className="field">
            <span className="field__label">{t('participants.field.code')}</span>
            <input className={`field__input enrol__code${typingInto === 'code' ? ' is-typing' : ''}`} value={code} maxLength={20} autoComplete="off" spellCheck={false}
              onFocus={() => setTypingInto('code')} onChange={(e) => setCode(e.target.value.toUpperCase())} data-testid="enrol-code" />
            <span className="field__hint">{t('participants.field.codeHint')}</span>
          </label>
          <p className="field__hint" aria-live="polite">{t('participants.keyboardFor', { field: fieldLabel })}</p>
          <OnScreenKeyboard value={typingInto === 'name' ? name : code} maxLength={typingInto === 'name' ? 40 : 20} lowercase={typingInto === 'name'}
            onChange={(v) => (typingInto === 'name' ? setName(v) : setCode(v.toUpperCase()))} />
        </section>
        <section className="scard enrol__how">
          <h2 className="panel__subtitle">{t('participants.field.mode')}</h2>
          <Choices label={t('participants.field.mode')} value={mode} onChange={setMode} testIdPrefix="enrol-mode"
            options={(['structured', 'dropin'] as const).map((m) => ({ value: m, label: t(`participants.mode.${m}`) }))} />
          <p className="field__hint">{t(mode === 'structured' ? 'participants.mode.structuredHint' : 'participants.mode.dropinHint')}</p>
          {mode === 'structured' && (
            <>
              <h2 className="panel__subtitle">{t('participants.schedule.title')}</h2>
              <p className="field__hint">{t('participants.schedule.hint')}</p>
              <ScheduleEditor value={draft} onChange={setDraft} today={status.today} />
            </>
          )}
          {error && <p className="notice notice--error" role="alert" data-testid="enrol-error"><IconWarning className="notice__icon" />{t(error)}</p>}
          <div className="panel__actions">
            <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={busy} onClick={() => void save()} data-testid="enrol-save">
              <IconPrinter className="sbutton__icon" />{t('participants.enrol.save')}
            </button>
          </div>
        </section>
      </div>
    </div>
  );
}
