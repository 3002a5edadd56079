/**
 * Browser mode's window.kliv: the same call() as the Electron preload, sent
 * to the loopback server. The session cookie (HttpOnly) authenticates; this
 * script never sees the launch secret.
 */
import { isMethodName, type KlivBridge } from '../../../shared/api';
import type { Result } from '../../../shared/errors';

export function createHttpBridge(fetchImpl: typeof fetch = (...args) => fetch(...args)): KlivBridge {
  return {
    transport: 'browser',
    async call(method, input) {
      if (!isMethodName(method)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: 'No such method.' } };
      try {
        const res = await fetchImpl('/api/call', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ method, input }),
        });
        return (await res.json()) as Result<never>;
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: 'network' } };
      }
    },
  };
}

declare global {
  interface Window {
    kliv?: KlivBridge;
  }
}

export function installHttpBridgeIfNeeded(): void {
  if (!window.kliv) window.kliv = createHttpBridge();
}
