/**
 * The sandboxed preload: gives the page window.kliv and nothing more. The
 * page never gets ipcRenderer, so it can reach no channel but the contract's
 * and cannot listen to or forge other IPC. Bundled to dist/electron/preload.cjs
 * because a sandboxed preload cannot require project files; it imports
 * shared/ only.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL, METHOD_NAMES, type KlivBridge } from '../../shared/api';

const KNOWN_METHODS: ReadonlySet<string> = new Set(METHOD_NAMES);

const bridge: KlivBridge = {
  transport: 'desktop',
  call(method, input) {
    // Checked here as well as in main so that a page bug or injected script
    // cannot use the channel to probe for names; main validates everything again.
    if (typeof method !== 'string' || !KNOWN_METHODS.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'No such method.' } });
    }
    return ipcRenderer.invoke(IPC_CHANNEL, { method, input });
  },
};

contextBridge.exposeInMainWorld('kliv', bridge);
