import { useEffect, useState } from 'react';
import type { KioskStatus } from '../../shared/api';
import { IconWarning } from './components/Icons';
import { errorMessageKey, useI18n } from './i18n';
import type { MessageKey } from './i18n/sv';
import { KioskScreen } from './kiosk/KioskScreen';
import { useKliv } from './kliv';

export function App({ camera = true }: { camera?: boolean }) {
  const kliv = useKliv();
  const { t, dir, language } = useI18n();
  const [status, setStatus] = useState<KioskStatus | null>(null);
  const [problem, setProblem] = useState<MessageKey | null>(null);

  useEffect(() => {
    let cancelled = false;
    void kliv.call('kiosk.status', {}).then((res) => {
      if (cancelled) return;
      if (res.ok) setStatus(res.value);
      else setProblem(errorMessageKey(res.error.code));
    });
    return () => { cancelled = true; };
  }, [kliv]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = dir;
  }, [language, dir]);

  if (problem) {
    return (
      <div className="fatal" role="alert" data-testid="fatal">
        <IconWarning className="fatal__icon" />
        <h1>{t('scan.error.title')}</h1>
        <p>{t(problem)}</p>
      </div>
    );
  }
  if (!status) return <div className="loading" aria-busy="true" />;
  return <KioskScreen status={status} camera={camera} />;
}
