import { IconBackspace } from '../components/Icons';
import { useI18n } from '../i18n';

export const PIN_MIN = 6;
export const PIN_MAX = 12;

/** The entered PIN as dots: never the digits themselves. */
export function PinDots({ length, testId = 'pin-dots' }: { length: number; testId?: string }) {
  const { t } = useI18n();
  const slots = Math.max(PIN_MIN, length);
  return (
    <div className="pin-dots" data-testid={testId} aria-label={t('staff.pin.entered', { count: length })} role="status">
      {Array.from({ length: slots }, (_, i) => (
        <span key={i} className={`pin-dots__dot${i < length ? ' is-filled' : ''}`} />
      ))}
    </div>
  );
}

interface PinPadProps {
  value: string;
  onChange(next: string): void;
  disabled?: boolean;
}

/** A large on-screen keypad; the kiosk usually has no keyboard. */
export function PinPad({ value, onChange, disabled = false }: PinPadProps) {
  const { t } = useI18n();
  const press = (digit: string): void => {
    if (value.length < PIN_MAX) onChange(value + digit);
  };
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  return (
    <div className="pin-pad" data-testid="pin-pad" dir="ltr">
      {digits.map((d) => (
        <button key={d} type="button" className="pin-pad__key" disabled={disabled} onClick={() => press(d)} data-testid={`pin-key-${d}`}>{d}</button>
      ))}
      <button type="button" className="pin-pad__key pin-pad__key--soft" disabled={disabled || value.length === 0} onClick={() => onChange('')}
        data-testid="pin-clear">{t('staff.pin.clear')}</button>
      <button type="button" className="pin-pad__key" disabled={disabled} onClick={() => press('0')} data-testid="pin-key-0">0</button>
      <button type="button" className="pin-pad__key pin-pad__key--soft" disabled={disabled || value.length === 0} onClick={() => onChange(value.slice(0, -1))}
        aria-label={t('staff.pin.backspace')} data-testid="pin-backspace"><IconBackspace className="pin-pad__icon" /></button>
    </div>
  );
}
