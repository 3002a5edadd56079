import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installHttpBridgeIfNeeded } from './bridge/http-bridge';
import { I18nProvider } from './i18n';
import { KlivProvider } from './kliv';
import './styles.css';

// In the desktop app the preload has already put window.kliv in place; in
// browser mode the loopback HTTP bridge provides the same interface.
installHttpBridgeIfNeeded();
const bridge = window.kliv;
const root = document.getElementById('root');
if (bridge && root) {
  const params = new URLSearchParams(window.location.search);
  createRoot(root).render(
    <StrictMode>
      <KlivProvider bridge={bridge}>
        <I18nProvider>
          <App camera={params.get('camera') !== 'off'} />
        </I18nProvider>
      </KlivProvider>
    </StrictMode>,
  );
}
