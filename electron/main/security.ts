/**
 * Session and webContents hardening. The kiosk stands unattended in a public
 * room, so the renderer is treated as if it could be made to run hostile
 * script: it gets the camera (to scan cards) and nothing else, and no
 * webContents may navigate, open windows or embed webviews.
 */
import type { App, Session, WebContents } from 'electron';
import { isAppUrl } from '../api/ipc';

type RequestDetails = Parameters<Parameters<Session['setPermissionRequestHandler']>[0] & object>[3];
type CheckDetails = Parameters<Parameters<Session['setPermissionCheckHandler']>[0] & object>[3];

function requestedMediaTypes(details: RequestDetails): readonly string[] {
  const types = (details as { mediaTypes?: unknown }).mediaTypes;
  return Array.isArray(types) ? types.filter((t): t is string => typeof t === 'string') : [];
}

function webContentsIsApp(webContents: WebContents | null): boolean {
  if (!webContents) return false;
  try {
    return isAppUrl(webContents.getURL());
  } catch {
    return false;
  }
}

/**
 * Whether a getUserMedia request may go ahead: video only (the kiosk never
 * records sound, and a microphone in a public room would be surveillance),
 * from the app's own page in its own webContents.
 */
export function allowPermissionRequest(webContents: WebContents, permission: string, details: RequestDetails): boolean {
  if (permission !== 'media') return false;
  const types = requestedMediaTypes(details);
  if (types.length === 0 || types.some((t) => t !== 'video')) return false;
  const origin = (details as { securityOrigin?: unknown }).securityOrigin;
  if (origin !== undefined && !isAppUrl(typeof origin === 'string' ? origin : null)) return false;
  return isAppUrl(details.requestingUrl) && webContentsIsApp(webContents);
}

/**
 * The synchronous check Chromium makes before (and instead of) a request,
 * e.g. for enumerateDevices labels. Same rule: video for the app origin only.
 */
export function allowPermissionCheck(webContents: WebContents | null, permission: string, requestingOrigin: string, details: CheckDetails): boolean {
  if (permission !== 'media') return false;
  if (details.mediaType !== 'video') return false;
  if (!isAppUrl(requestingOrigin)) return false;
  if (details.securityOrigin !== undefined && !isAppUrl(details.securityOrigin)) return false;
  return webContentsIsApp(webContents);
}

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(allowPermissionRequest(webContents, permission, details));
  });
  ses.setPermissionCheckHandler((webContents, permission, requestingOrigin, details) =>
    allowPermissionCheck(webContents, permission, requestingOrigin, details));
  // USB, HID and serial devices: a scanner is a keyboard and needs none of these.
  ses.setDevicePermissionHandler(() => false);
}

/** Applies to every webContents, including ones Kliv did not create itself. */
export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function guardAllWebContents(app: App): void {
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
}
