/**
 * The Electron transport: the one IPC channel the preload uses, mapped onto
 * the same dispatch function browser mode's HTTP server calls.
 *
 * Every call is checked twice before it reaches dispatch, because anything
 * that manages to run script in some frame could otherwise call staff-only
 * methods: the frame that sent it must be one of the app's own pages
 * (app://kliv), and the webContents must be the app's main window, not a
 * stray popup, devtools or some other webContents sharing the session.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CHANNEL } from '../../shared/api';
import type { Result } from '../../shared/errors';
import { newCaller, type Caller } from './caller';

export const APP_SCHEME = 'app';
export const APP_HOST = 'kliv';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * True only for URLs of the app's own pages. Parsed rather than prefix-matched
 * so that look-alikes such as app://kliv.evil/ or app://kliv@evil/ fail.
 */
export function isAppUrl(url: string | null | undefined): boolean {
  if (typeof url !== 'string' || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

export type IpcDispatch = (caller: Caller, method: unknown, input: unknown) => Promise<Result<unknown>>;

/** The part of ipcMain this transport uses, so tests can hand in a fake. */
export interface IpcHandlerRegistry {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcTransportOptions {
  dispatch: IpcDispatch;
  /** Whether the event came from the app's main window's webContents. */
  isTrustedSender(event: IpcMainInvokeEvent): boolean;
}

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Calls are only accepted from the Kliv window.' },
};

function fromAppFrame(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  // A null frame means it navigated away or was destroyed after sending; its
  // origin can no longer be proven, so the call is refused.
  if (!frame) return false;
  // Only the top frame: the CSP forbids framing, and a subframe is never
  // where the app's own code runs.
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

function readPayload(payload: unknown): { method: unknown; input: unknown } | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const record = payload as Record<string, unknown>;
  return { method: record['method'], input: record['input'] };
}

/** Registers the handler; returns a function that removes it again. */
export function registerIpcTransport(ipcMain: IpcHandlerRegistry, options: IpcTransportOptions): () => void {
  // One staff login per window: the caller lives as long as its webContents,
  // so a reloaded page keeps its session but a new webContents starts logged out.
  const callers = new Map<number, Caller>();

  const callerFor = (sender: WebContents): Caller => {
    let caller = callers.get(sender.id);
    if (!caller) {
      caller = newCaller();
      callers.set(sender.id, caller);
      const id = sender.id;
      sender.once('destroyed', () => callers.delete(id));
    }
    return caller;
  };

  ipcMain.handle(IPC_CHANNEL, async (event, payload): Promise<Result<unknown>> => {
    if (!fromAppFrame(event) || !options.isTrustedSender(event)) return FORBIDDEN;
    const call = readPayload(payload);
    if (!call) return { ok: false, error: { code: 'BAD_INPUT', message: 'A call needs a method and an input.' } };
    try {
      return await options.dispatch(callerFor(event.sender), call.method, call.input);
    } catch {
      // dispatch turns handler failures into results itself; reaching here is
      // a bug, and the renderer must still get a result rather than a rejection.
      return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Kliv.' } };
    }
  });

  return () => {
    ipcMain.removeHandler(IPC_CHANNEL);
    callers.clear();
  };
}
