import { useCallback, useEffect, useState } from 'react';
import type { StaffAccount, StaffRole } from '../../../shared/api';
import { STAFF_ROLES } from '../../../shared/api';
import { IconCard, IconCheck, IconClose, IconKey, IconLock, IconPerson, IconUnlock, IconUserPlus, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { BadgeQr } from './BadgeQr';
import { useStaff } from './context';
import { OnScreenKeyboard } from './OnScreenKeyboard';
import { Choices, Empty } from './parts';
import { PIN_MIN, PinDots, PinPad } from './PinPad';
import type { Toast } from './StaffMode';

interface Props {
  notify(text: string, tone?: Toast['tone']): void;
}

export function StaffAccountsScreen({ notify }: Props) {
  const { t } = useI18n();
  const { call, can } = useStaff();
  const [accounts, setAccounts] = useState<StaffAccount[] | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [adding, setAdding] = useState(false);
  const isAdmin = can('admin');

  const load = useCallback(async () => {
    const res = await call('staff.list', {});
    if (res.ok) {
      setAccounts(res.value);
      setError(null);
    } else {
      setError(errorMessageKey(res.error.code));
    }
  }, [call]);
  useEffect(() => { void load(); }, [load]);

  const replace = (next: StaffAccount): void => setAccounts((list) => list?.map((a) => (a.staffId === next.staffId ? next : a)) ?? null);

  const unlock = async (account: StaffAccount): Promise<void> => {
    const res = await call('staff.unlock', { staffId: account.staffId });
    if (res.ok) {
      replace(res.value);
      notify(t('staff.accounts.unlocked', { name: account.name }));
    } else {
      setError(errorMessageKey(res.error.code));
    }
  };

  const allowName = async (account: StaffAccount, allow: boolean): Promise<void> => {
    const res = await call('staff.allowNameLogin', { staffId: account.staffId, allow });
    if (res.ok) {
      replace(res.value);
      notify(t(allow ? 'staff.accounts.nameLoginOn' : 'staff.accounts.nameLoginOff', { name: account.name }));
    } else {
      setError(errorMessageKey(res.error.code));
    }
  };

  if (adding) {
    return <AddStaff onClose={() => { setAdding(false); void load(); }} />;
  }

  return (
    <div className="accounts" data-testid="staff-accounts">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('staff.accounts.title')}</h1>
          <p className="screen-head__meta">{t(isAdmin ? 'staff.accounts.introAdmin' : 'staff.accounts.intro')}</p>
        </div>
        {isAdmin && (
          <div className="screen-head__actions">
            <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={() => setAdding(true)} data-testid="accounts-add">
              <IconUserPlus className="sbutton__icon" />{t('staff.accounts.add')}
            </button>
          </div>
        )}
      </div>
      {error && <p className="notice notice--error" role="alert"><IconWarning className="notice__icon" />{t(error)}</p>}
      {accounts && accounts.length === 0 && <Empty>{t('staff.accounts.none')}</Empty>}
      {accounts && accounts.length > 0 && (
        <ul className="account-list">
          {accounts.map((a) => (
            <li key={a.staffId} className={`account${a.locked ? ' account--locked' : ''}${a.active ? '' : ' account--inactive'}`} data-testid={`account-${a.staffId}`}>
              <IconPerson className="account__icon" />
              <div className="account__who">
                <p className="account__name">{a.name}</p>
                <p className="account__meta">
                  <span className="chip chip--quiet">{t(`staff.role.${a.role}`)}</span>
                  {!a.active && <span className="chip chip--quiet">{t('staff.accounts.inactive')}</span>}
                  {a.locked ? (
                    <span className="chip chip--danger" data-testid="account-locked"><IconLock className="chip__icon" />{t('staff.accounts.locked')}</span>
                  ) : a.failedAttempts > 0 ? (
                    <span className="chip chip--pending">{t('staff.accounts.failed', { count: a.failedAttempts })}</span>
                  ) : null}
                  {a.nameLoginAllowed && <span className="chip chip--flag"><IconKey className="chip__icon" />{t('staff.accounts.nameLoginAllowed')}</span>}
                </p>
              </div>
              <div className="account__actions">
                {a.locked && (
                  <button type="button" className="sbutton sbutton--primary" onClick={() => void unlock(a)} data-testid="account-unlock">
                    <IconUnlock className="sbutton__icon" />{t('staff.accounts.unlock')}
                  </button>
                )}
                {isAdmin && (
                  <button type="button" className="sbutton" onClick={() => void allowName(a, !a.nameLoginAllowed)} aria-pressed={a.nameLoginAllowed}
                    data-testid="account-name-login">
                    {a.nameLoginAllowed ? <IconCard className="sbutton__icon" /> : <IconKey className="sbutton__icon" />}
                    {t(a.nameLoginAllowed ? 'staff.accounts.disallowName' : 'staff.accounts.allowName')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type AddStep = 'details' | 'pin' | 'repeat' | 'created';

function AddStaff({ onClose }: { onClose(): void }) {
  const { t } = useI18n();
  const { call } = useStaff();
  const [step, setStep] = useState<AddStep>('details');
  const [name, setName] = useState('');
  const [role, setRole] = useState<StaffRole | null>('staff');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; badgePayload: string } | null>(null);

  const submit = async (): Promise<void> => {
    if (!role) return;
    if (repeat !== pin) {
      setError('staff.add.pinMismatch');
      setRepeat('');
      setPin('');
      setStep('pin');
      return;
    }
    setBusy(true);
    const res = await call('staff.add', { name: name.trim(), role, pin });
    setBusy(false);
    setPin('');
    setRepeat('');
    if (res.ok) {
      setCreated({ name: res.value.account.name, badgePayload: res.value.badgePayload });
      setStep('created');
    } else {
      setError(errorMessageKey(res.error.code));
      setStep(res.error.code === 'PIN_TOO_SIMPLE' ? 'pin' : 'details');
    }
  };

  // The payload is shown once; it leaves memory when this screen closes.
  const finish = (): void => {
    setCreated(null);
    onClose();
  };

  return (
    <div className="accounts add-staff" data-testid="staff-add">
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('staff.add.title')}</h1>
          {step !== 'created' && <p className="screen-head__meta">{t(`staff.add.step.${step}`)}</p>}
        </div>
        {step !== 'created' && (
          <div className="screen-head__actions">
            <button type="button" className="sbutton sbutton--big" onClick={onClose}><IconClose className="sbutton__icon" />{t('staff.cancel')}</button>
          </div>
        )}
      </div>
      {error && <p className="notice notice--error" role="alert" data-testid="add-error"><IconWarning className="notice__icon" />{t(error)}</p>}

      {step === 'details' && (
        <section className="scard add-staff__details">
          <label className="field">
            <span className="field__label">{t('staff.add.name')}</span>
            <input className="field__input" value={name} maxLength={60} autoComplete="off" spellCheck={false}
              onChange={(e) => setName(e.target.value)} data-testid="add-name" />
          </label>
          <OnScreenKeyboard value={name} onChange={setName} lowercase />
          <h2 className="panel__subtitle">{t('staff.add.role')}</h2>
          <Choices label={t('staff.add.role')} value={role} onChange={setRole} testIdPrefix="add-role"
            options={STAFF_ROLES.map((r) => ({ value: r, label: t(`staff.role.${r}`) }))} />
          <div className="panel__actions">
            <button type="button" className="sbutton sbutton--primary sbutton--big" disabled={name.trim() === '' || !role}
              onClick={() => { setError(null); setStep('pin'); }} data-testid="add-next">{t('staff.next')}</button>
          </div>
        </section>
      )}

      {(step === 'pin' || step === 'repeat') && (
        <section className="scard add-staff__pin">
          <h2 className="scard__title">{t(step === 'pin' ? 'staff.add.choosePin' : 'staff.add.repeatPin')}</h2>
          <p className="scard__hint">{t('staff.add.pinHint')}</p>
          <PinDots length={(step === 'pin' ? pin : repeat).length} />
          <PinPad value={step === 'pin' ? pin : repeat} onChange={step === 'pin' ? setPin : setRepeat} disabled={busy} />
          <div className="panel__actions">
            {step === 'pin' ? (
              <button type="button" className="sbutton sbutton--primary sbutton--big sbutton--block" disabled={pin.length < PIN_MIN}
                onClick={() => { setError(null); setStep('repeat'); }} data-testid="add-pin-next">{t('staff.next')}</button>
            ) : (
              <button type="button" className="sbutton sbutton--primary sbutton--big sbutton--block" disabled={repeat.length < PIN_MIN || busy}
                onClick={() => void submit()} data-testid="add-save">{t('staff.add.save')}</button>
            )}
          </div>
        </section>
      )}

      {step === 'created' && created && (
        <section className="scard badge-created" data-testid="badge-created">
          <div className="badge-created__card">
            <BadgeQr payload={created.badgePayload} label={t('staff.add.qrLabel', { name: created.name })} />
            <p className="badge-created__payload" data-testid="badge-payload">
              {(created.badgePayload.match(/.{1,4}/g) ?? []).map((group, i) => <span key={i} className="badge-created__group">{group}</span>)}
            </p>
          </div>
          <div className="badge-created__text">
            <h2 className="scard__title"><IconCheck className="inline-icon inline-icon--ok" />{t('staff.add.created', { name: created.name })}</h2>
            <p className="notice notice--flag"><IconWarning className="notice__icon" />{t('staff.add.onceOnly')}</p>
            <p className="scard__text">{t('staff.add.printLater')}</p>
            <button type="button" className="sbutton sbutton--primary sbutton--big" onClick={finish} data-testid="add-done">{t('staff.add.done')}</button>
          </div>
        </section>
      )}
    </div>
  );
}
