import { IconBackspace } from '../components/Icons';
import { useI18n } from '../i18n';

const ROWS = [
  ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'],
  ['Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', 'Å'],
  ['A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', 'Ö', 'Ä'],
  ['Z', 'X', 'C', 'V', 'B', 'N', 'M', '-'],
];

interface Props {
  value: string;
  onChange(next: string): void;
  maxLength?: number;
  /** Names are typed in Title case, codes in capitals. */
  lowercase?: boolean;
}

/**
 * A touch keyboard for names and codes, because the kiosk normally has none.
 * Buttons do not take focus, so a real keyboard keeps working alongside.
 */
export function OnScreenKeyboard({ value, onChange, maxLength = 60, lowercase = false }: Props) {
  const { t } = useI18n();
  const type = (ch: string): void => {
    if (value.length >= maxLength) return;
    const startOfWord = value.length === 0 || value.endsWith(' ') || value.endsWith('-');
    onChange(value + (lowercase && !startOfWord ? ch.toLocaleLowerCase() : ch));
  };
  const keep = (e: { preventDefault(): void }): void => e.preventDefault();
  return (
    <div className="osk" data-testid="osk" dir="ltr">
      {ROWS.map((row, i) => (
        <div key={i} className="osk__row">
          {row.map((k) => (
            <button key={k} type="button" className="osk__key" onMouseDown={keep} onClick={() => type(k)}>{k}</button>
          ))}
          {i === ROWS.length - 1 && (
            <button type="button" className="osk__key osk__key--wide" onMouseDown={keep} onClick={() => onChange(value.slice(0, -1))}
              aria-label={t('staff.pin.backspace')}><IconBackspace className="osk__icon" /></button>
          )}
        </div>
      ))}
      <div className="osk__row">
        <button type="button" className="osk__key osk__key--space" onMouseDown={keep} onClick={() => type(' ')}>{t('staff.keyboard.space')}</button>
        <button type="button" className="osk__key osk__key--wide" onMouseDown={keep} onClick={() => onChange('')}>{t('staff.pin.clear')}</button>
      </div>
    </div>
  );
}
