import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNEL } from '../../shared/api';
import type { Result } from '../../shared/errors';
import type { Caller } from '../../electron/api/caller';
import type { KlivApp } from '../../electron/api/app';
import { createDispatcher } from '../../electron/api/dispatch';
import { isAppUrl, registerIpcTransport, type IpcDispatch } from '../../electron/api/ipc';
import { asElectron, FakeIpcMain, FakeWebContents, type FakeFrame } from './fakes';

const APP_PAGE = 'app://kliv/index.html';

function eventFrom(sender: FakeWebContents, frame: FakeFrame | null = sender.mainFrame): IpcMainInvokeEvent {
  return asElectron<IpcMainInvokeEvent>({ sender, senderFrame: frame, frameId: 1, processId: 1, type: 'frame' });
}

function setUp(dispatchImpl?: IpcDispatch) {
  const ipcMain = new FakeIpcMain();
  const appWindow = new FakeWebContents(APP_PAGE);
  const dispatch = vi.fn<IpcDispatch>(dispatchImpl ?? (async () => ({ ok: true, value: 'dispatched' })));
  const unregister = registerIpcTransport(ipcMain, {
    dispatch,
    isTrustedSender: (event) => event.sender.id === appWindow.id,
  });
  const handler = ipcMain.handlers.get(IPC_CHANNEL);
  if (!handler) throw new Error(`nothing handles ${IPC_CHANNEL}`);
  const call = (event: IpcMainInvokeEvent, payload: unknown) => handler(event, payload) as Promise<Result<unknown>>;
  return { ipcMain, appWindow, dispatch, call, unregister };
}

describe('IPC transport', () => {
  it('handles the one contract channel only', () => {
    const { ipcMain, unregister } = setUp();
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CHANNEL]);
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('passes calls from the app window to dispatch and returns its result', async () => {
    const { appWindow, dispatch, call } = setUp();
    const result = await call(eventFrom(appWindow), { method: 'kiosk.status', input: { a: 1 } });
    expect(result).toEqual({ ok: true, value: 'dispatched' });
    expect(dispatch).toHaveBeenCalledTimes(1);
    const [caller, method, input] = dispatch.mock.calls[0] ?? [];
    expect(caller).toEqual({ session: null });
    expect(method).toBe('kiosk.status');
    expect(input).toEqual({ a: 1 });
  });

  it('refuses a frame that is not an app page and never dispatches', async () => {
    const { appWindow, dispatch, call } = setUp();
    for (const url of ['https://example.org/', 'file:///opt/kliv/dist/renderer/index.html', 'app://kliv.example/index.html', 'app://evil/index.html', 'app://x@kliv/index.html', 'about:blank', '']) {
      const result = await call(eventFrom(appWindow, { url, parent: null }), { method: 'kiosk.status', input: {} });
      expect(result.ok, url).toBe(false);
      if (!result.ok) expect(result.error.code, url).toBe('FORBIDDEN');
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses a subframe and a frame that is already gone', async () => {
    const { appWindow, dispatch, call } = setUp();
    const sub = { url: APP_PAGE, parent: appWindow.mainFrame };
    expect(await call(eventFrom(appWindow, sub), { method: 'kiosk.status', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(eventFrom(appWindow, null), { method: 'kiosk.status', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses another webContents even when it shows an app page', async () => {
    const { dispatch, call } = setUp();
    const other = new FakeWebContents(APP_PAGE);
    expect(await call(eventFrom(other), { method: 'kiosk.status', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses a payload that is not { method, input }', async () => {
    const { appWindow, dispatch, call } = setUp();
    for (const payload of [null, undefined, 'kiosk.status', 42, ['kiosk.status', {}]]) {
      expect(await call(eventFrom(appWindow), payload)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('keeps one caller per webContents and forgets it when the webContents is destroyed', async () => {
    const seen: Caller[] = [];
    const ipcMain = new FakeIpcMain();
    const first = new FakeWebContents(APP_PAGE);
    const second = new FakeWebContents(APP_PAGE);
    registerIpcTransport(ipcMain, {
      dispatch: async (caller) => {
        seen.push(caller);
        return { ok: true, value: null };
      },
      isTrustedSender: () => true,
    });
    const handler = ipcMain.handlers.get(IPC_CHANNEL);
    const payload = { method: 'kiosk.status', input: {} };
    await handler?.(eventFrom(first), payload);
    await handler?.(eventFrom(first), payload);
    await handler?.(eventFrom(second), payload);
    first.emit('destroyed');
    await handler?.(eventFrom(first), payload);
    expect(seen).toHaveLength(4);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
  });

  it('answers with a result, not a rejection, if dispatch throws', async () => {
    const { appWindow, call } = setUp(async () => {
      throw new Error('boom');
    });
    expect(await call(eventFrom(appWindow), { method: 'kiosk.status', input: {} })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('reaches the real dispatcher from the app window', async () => {
    // An unknown method is answered by dispatch itself before it touches the app.
    const dispatch = createDispatcher(asElectron<KlivApp>({}));
    const ipcMain = new FakeIpcMain();
    const appWindow = new FakeWebContents(APP_PAGE);
    registerIpcTransport(ipcMain, { dispatch, isTrustedSender: (e) => e.sender.id === appWindow.id });
    const result = await ipcMain.handlers.get(IPC_CHANNEL)?.(eventFrom(appWindow), { method: 'no.such', input: {} });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });
});

describe('isAppUrl', () => {
  it('accepts only the app origin', () => {
    expect(isAppUrl('app://kliv/index.html')).toBe(true);
    expect(isAppUrl('app://kliv/')).toBe(true);
    expect(isAppUrl('app://kliv')).toBe(true);
    for (const url of ['app://kliv.evil/', 'app://evil/', 'app://kliv:8080/', 'app://u:p@kliv/', 'apps://kliv/', 'https://kliv/', 'file:///kliv', 'kliv', '', null, undefined]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });
});
