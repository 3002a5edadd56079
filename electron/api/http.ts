/**
 * Browser mode: the same handler table over HTTP, for thin devices and for
 * end-to-end tests in a real Chromium. Safe by construction:
 *  - it binds to a loopback address only and refuses anything else;
 *  - a per-launch secret in the printed URL is exchanged for an HttpOnly,
 *    SameSite=Strict cookie (each exchange makes a new client, so the kiosk
 *    browser can be relaunched), and the secret never sits in page JS;
 *  - every request must carry a Host naming the loopback address and port
 *    (defeats DNS rebinding), and every API call an Origin of this server;
 *  - the renderer is served with the same CSP as the desktop app.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';
import { newCaller, type Caller } from './caller';
import type { Dispatch } from './dispatch';

export interface HttpTransportOptions {
  dispatch: Dispatch;
  staticDir: string;
  host?: string;
  port?: number;
  /** For tests: a fixed secret instead of a random one. */
  secret?: string;
}

export interface HttpTransport {
  server: Server;
  url: string;
  /** The URL to open, with the launch secret; print it, never log it elsewhere. */
  launchUrl: string;
  origin: string;
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'kliv_client';
const MAX_BODY = 64 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm', '.json': 'application/json',
  '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.pdf': 'application/pdf',
};

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), usb=(), serial=()');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        // Stop reading but keep the socket so the 413 can still be sent.
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startHttpTransport(options: HttpTransportOptions): Promise<HttpTransport> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`Browser mode only listens on a loopback address (127.0.0.1 or ::1), not "${host}".`);
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const clients = new Map<string, Caller>();
  const staticRoot = resolve(options.staticDir);
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host.includes(':') ? `[${host}]` : host}:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([...allowedHosts()].map((h) => `http://${h}`));

  function clientOf(req: IncomingMessage): Caller | undefined {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return id ? clients.get(id) : undefined;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'POST only.' } });
    const origin = req.headers.origin;
    if (!origin || !allowedOrigins().has(origin)) return sendJson(res, 403, { ok: false, error: { code: 'FORBIDDEN', message: 'Foreign origin.' } });
    const caller = clientOf(req);
    if (!caller) return sendJson(res, 401, { ok: false, error: { code: 'FORBIDDEN', message: 'Open the URL printed by `kliv serve`.' } });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, { ok: false, error: { code: 'BAD_INPUT', message: 'JSON only.' } });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        res.setHeader('Connection', 'close');
        return sendJson(res, 413, { ok: false, error: { code: 'BAD_INPUT', message: 'The request is too large.' } });
      }
      return sendJson(res, 400, { ok: false, error: { code: 'BAD_INPUT', message: 'The request was not valid JSON.' } });
    }
    const { method, input } = (typeof body === 'object' && body !== null ? body : {}) as { method?: unknown; input?: unknown };
    const result = await options.dispatch(caller, method, input);
    sendJson(res, 200, result);
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'Bad path');
    }
    const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^([/\\])+/, '');
    const file = join(staticRoot, relative);
    if (!file.startsWith(staticRoot + sep) || relative.includes('\0')) return sendText(res, 404, 'Not found');
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return sendText(res, 404, 'Not found');
      size = st.size;
    } catch {
      return sendText(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    securityHeaders(res);
    const hostHeader = req.headers.host ?? '';
    if (!allowedHosts().has(hostHeader)) return sendText(res, 421, 'Unexpected Host header.');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`);
    } catch {
      return sendText(res, 400, 'Bad request target.');
    }
    if (url.pathname === '/api/call') {
      handleApi(req, res).catch(() => sendJson(res, 400, { ok: false, error: { code: 'BAD_INPUT', message: 'The request could not be read.' } }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    const launch = url.searchParams.get('launch');
    if (launch !== null) {
      if (!safeEqual(launch, secret)) return sendText(res, 403, 'This launch link is not valid; use the URL printed by `kliv serve`.');
      const id = randomBytes(24).toString('base64url');
      clients.set(id, newCaller());
      res.writeHead(303, { 'Set-Cookie': `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`, Location: '/', 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if ((url.pathname === '/' || url.pathname === '/index.html') && !clientOf(req)) {
      return sendText(res, 401, 'Open the URL printed by `kliv serve` (it carries this launch\'s secret).');
    }
    serveStatic(url.pathname, res);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostForUrl}:${port}`;
  return {
    server,
    url: `${origin}/`,
    launchUrl: `${origin}/?launch=${secret}`,
    origin,
    close: () => new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}
