import type { App, Session } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { asElectron, FakeEvent, FakeSession, FakeWebContents, fakes, resetElectronFake } from './fakes';
import { guardAllWebContents, hardenSession } from '../../electron/main/security';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

const APP_PAGE = 'app://kliv/index.html';

interface RequestDetails {
  requestingUrl: string;
  isMainFrame: boolean;
  mediaTypes?: string[];
  securityOrigin?: string;
}
type RequestHandler = (wc: FakeWebContents, permission: string, callback: (granted: boolean) => void, details: RequestDetails) => void;
type CheckHandler = (wc: FakeWebContents | null, permission: string, origin: string, details: { isMainFrame: boolean; mediaType?: string; securityOrigin?: string; requestingUrl?: string }) => boolean;

function hardened(): { request: RequestHandler; check: CheckHandler; session: FakeSession } {
  const ses = new FakeSession();
  hardenSession(asElectron<Session>(ses));
  if (!ses.requestHandler || !ses.checkHandler) throw new Error('handlers were not installed');
  return { request: ses.requestHandler as unknown as RequestHandler, check: ses.checkHandler as unknown as CheckHandler, session: ses };
}

function requestGranted(permission: string, details: Partial<RequestDetails> = {}, pageUrl = APP_PAGE): boolean {
  const { request } = hardened();
  const callback = vi.fn<(granted: boolean) => void>();
  request(new FakeWebContents(pageUrl), permission, callback, {
    requestingUrl: pageUrl,
    isMainFrame: true,
    ...details,
  });
  expect(callback).toHaveBeenCalledTimes(1);
  return callback.mock.calls[0]?.[0] === true;
}

function checkAllowed(permission: string, origin: string, mediaType?: string, pageUrl = APP_PAGE): boolean {
  const { check } = hardened();
  return check(new FakeWebContents(pageUrl), permission, origin, {
    isMainFrame: true,
    requestingUrl: pageUrl,
    ...(mediaType ? { mediaType, securityOrigin: origin } : {}),
  });
}

describe('permission request handler', () => {
  it('grants the camera to the app page', () => {
    expect(requestGranted('media', { mediaTypes: ['video'], securityOrigin: 'app://kliv/' })).toBe(true);
  });

  it('denies the microphone, alone or with the camera', () => {
    expect(requestGranted('media', { mediaTypes: ['audio'], securityOrigin: 'app://kliv/' })).toBe(false);
    expect(requestGranted('media', { mediaTypes: ['video', 'audio'], securityOrigin: 'app://kliv/' })).toBe(false);
    expect(requestGranted('media', { mediaTypes: [] })).toBe(false);
    expect(requestGranted('media', {})).toBe(false);
  });

  it('denies everything that is not the camera', () => {
    for (const permission of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'unknown']) {
      expect(requestGranted(permission, { mediaTypes: ['video'] }), permission).toBe(false);
    }
  });

  it('denies the camera to any other origin', () => {
    for (const page of ['https://example.org/', 'file:///opt/kliv/index.html', 'app://kliv.example/index.html', 'app://evil/index.html', 'http://127.0.0.1:5173/']) {
      expect(requestGranted('media', { mediaTypes: ['video'] }, page), page).toBe(false);
    }
    // The page is the app but the request claims a foreign security origin.
    expect(requestGranted('media', { mediaTypes: ['video'], securityOrigin: 'https://example.org' })).toBe(false);
  });

  it('denies the camera when the frame is the app but its webContents is not', () => {
    const { request } = hardened();
    const callback = vi.fn<(granted: boolean) => void>();
    request(new FakeWebContents('https://example.org/'), 'media', callback, { requestingUrl: APP_PAGE, isMainFrame: true, mediaTypes: ['video'] });
    expect(callback).toHaveBeenCalledWith(false);
  });
});

describe('permission check handler', () => {
  it('allows only a video media check from the app origin', () => {
    expect(checkAllowed('media', 'app://kliv/', 'video')).toBe(true);
    expect(checkAllowed('media', 'app://kliv', 'video')).toBe(true);
  });

  it('refuses the microphone and unknown media', () => {
    expect(checkAllowed('media', 'app://kliv/', 'audio')).toBe(false);
    expect(checkAllowed('media', 'app://kliv/', 'unknown')).toBe(false);
    expect(checkAllowed('media', 'app://kliv/')).toBe(false);
  });

  it('refuses other permissions and other origins', () => {
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'fullscreen']) {
      expect(checkAllowed(permission, 'app://kliv/', 'video'), permission).toBe(false);
    }
    expect(checkAllowed('media', 'https://example.org/', 'video')).toBe(false);
    expect(checkAllowed('media', 'app://kliv/', 'video', 'https://example.org/')).toBe(false);
    const { check } = hardened();
    expect(check(null, 'media', 'app://kliv/', { isMainFrame: true, mediaType: 'video' })).toBe(false);
  });

  it('refuses USB, HID and serial devices', () => {
    const { session } = hardened();
    expect(session.deviceHandler?.()).toBe(false);
  });
});

describe('every webContents', () => {
  beforeEach(() => {
    resetElectronFake();
  });

  it('cannot navigate, redirect, open windows or attach webviews', () => {
    const { app } = fakes();
    guardAllWebContents(asElectron<App>(app));
    const contents = new FakeWebContents('app://kliv/index.html');
    app.emit('web-contents-created', new FakeEvent(), contents);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = new FakeEvent();
      contents.emit(event, e, 'https://example.org/');
      expect(e.defaultPrevented, event).toBe(true);
    }
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });
});
