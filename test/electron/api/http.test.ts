import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher, type Dispatch } from '../../../electron/api/dispatch';
import { isLoopbackHost, SESSION_COOKIE, startHttpTransport, type HttpTransport } from '../../../electron/api/http';
import { enrolParticipant } from '../../../electron/services/participants';
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp';
import { tempDir, testApp, type TestApp } from '../../helpers';

const SECRET = 'test-secret-0123456789abcdefghijklmnop';
const INDEX = '<!doctype html><title>Kliv</title><script src="/app.js"></script>';

interface Reply { status: number; headers: IncomingHttpHeaders; body: string }
interface Req { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; host?: string }

let t: TestApp;
let dir: ReturnType<typeof tempDir>;
let transport: HttpTransport;
let dispatch: Dispatch & ReturnType<typeof vi.fn>;
let port: number;
let requestErrors: unknown[];

beforeEach(async () => {
  t = testApp();
  dir = tempDir();
  const staticDir = join(dir.path, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), INDEX);
  writeFileSync(join(staticDir, 'app.js'), 'console.log("kliv")');
  writeFileSync(join(staticDir, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(dir.path, 'secret.txt'), 'TOP-SECRET-OUTSIDE-STATIC');
  const real = createDispatcher(t.app);
  dispatch = vi.fn(real) as unknown as Dispatch & ReturnType<typeof vi.fn>;
  transport = await startHttpTransport({ dispatch, staticDir, secret: SECRET });
  port = Number(new URL(transport.origin).port);
  // Record (instead of crashing the test process on) anything a request handler throws.
  requestErrors = [];
  const [listener] = transport.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  transport.server.removeAllListeners('request');
  transport.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      listener!(req, res);
    } catch (err) {
      requestErrors.push(err);
      res.writeHead(500).end();
    }
  });
});

afterEach(async () => {
  await transport.close();
  t.close();
  dir.cleanup();
});

function send({ method = 'GET', path, headers = {}, body, host }: Req): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: host ?? `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function launch(): Promise<string> {
  const reply = await send({ path: `/?launch=${SECRET}` });
  const cookie = String(reply.headers['set-cookie']?.[0] ?? '');
  return cookie.split(';')[0]!;
}

const api = (cookie: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Reply> => send({
  method: 'POST', path: '/api/call', body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', origin: transport.origin, ...(cookie ? { cookie } : {}), ...headers },
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'kliv.local', 'localhost.evil.example', '127.0.0.1.nip.io', '', '::ffff:192.168.1.10'])('%s is not', (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe('starting browser mode', () => {
  it.each(['0.0.0.0', '192.168.1.10', '::', 'example.com'])('refuses to listen on %s', async (host) => {
    await expect(startHttpTransport({ dispatch, staticDir: dir.path, host })).rejects.toThrow(/loopback/);
  });

  it('prints a launch URL on 127.0.0.1 with the secret; a random secret differs per launch', async () => {
    expect(transport.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(transport.url).toBe(`${transport.origin}/`);
    expect(transport.launchUrl).toBe(`${transport.origin}/?launch=${SECRET}`);
    const a = await startHttpTransport({ dispatch, staticDir: dir.path });
    const b = await startHttpTransport({ dispatch, staticDir: dir.path });
    try {
      const secretOf = (x: HttpTransport): string => new URL(x.launchUrl).searchParams.get('launch') ?? '';
      expect(secretOf(a).length).toBeGreaterThanOrEqual(32);
      expect(secretOf(a)).not.toBe(secretOf(b));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('launch secret and session cookie', () => {
  it('the launch secret gives 303 to / with an HttpOnly, SameSite=Strict cookie', async () => {
    const reply = await send({ path: `/?launch=${SECRET}` });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const cookie = reply.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{20,};`));
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\//);
    expect(cookie).not.toContain(SECRET);
  });

  it.each([['wrong'], [SECRET.slice(0, -1)], [`${SECRET}x`], ['']])('a wrong secret %j gives 403 and no cookie', async (secret) => {
    const reply = await send({ path: `/?launch=${encodeURIComponent(secret)}` });
    expect(reply.status).toBe(403);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });

  it('/ without a session cookie is 401; with it, the app is served', async () => {
    expect((await send({ path: '/' })).status).toBe(401);
    expect((await send({ path: '/index.html' })).status).toBe(401);
    expect((await send({ path: '/', headers: { cookie: `${SESSION_COOKIE}=made-up` } })).status).toBe(401);
    const cookie = await launch();
    const reply = await send({ path: '/', headers: { cookie } });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(INDEX);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('each launch makes its own client', async () => {
    const a = await launch();
    const b = await launch();
    expect(a).not.toBe(b);
    expect((await api(a, { method: 'kiosk.status', input: {} })).status).toBe(200);
    expect((await api(b, { method: 'kiosk.status', input: {} })).status).toBe(200);
  });
});

describe('API calls', () => {
  it('an API call with a session and the right Origin reaches the handler table', async () => {
    const cookie = await launch();
    const reply = await api(cookie, { method: 'kiosk.status', input: {} });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { venueName: 'Testgården' } });
  });

  it('a scan in browser mode checks a participant in', async () => {
    const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    const cookie = await launch();
    const reply = await api(cookie, { method: 'kiosk.scan', input: { payload: issued.payload } });
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { outcome: 'checked-in', displayName: 'Anna' } });
  });

  it('an API call without a session cookie is 401 and never dispatched', async () => {
    const reply = await api(null, { method: 'kiosk.status', input: {} });
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false });
    expect((await api(`${SESSION_COOKIE}=forged`, { method: 'kiosk.status', input: {} })).status).toBe(401);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it.each([['http://evil.example'], ['null'], ['http://127.0.0.1:1'], ['https://127.0.0.1:PORT'], ['http://127.0.0.1.evil.example:PORT']])('a foreign Origin %s is 403 and never dispatched', async (origin) => {
    const cookie = await launch();
    const reply = await api(cookie, { method: 'kiosk.status', input: {} }, { origin: origin.replace('PORT', String(port)) });
    expect(reply.status).toBe(403);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('an API call without an Origin is 403', async () => {
    const cookie = await launch();
    const reply = await send({ method: 'POST', path: '/api/call', body: '{}', headers: { 'content-type': 'application/json', cookie } });
    expect(reply.status).toBe(403);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('localhost is an accepted Origin/Host for the same port', async () => {
    const cookie = await launch();
    const reply = await send({ method: 'POST', path: '/api/call', host: `localhost:${port}`, body: JSON.stringify({ method: 'kiosk.status', input: {} }), headers: { 'content-type': 'application/json', cookie, origin: `http://localhost:${port}` } });
    expect(reply.status).toBe(200);
  });

  it('GET on the API is 405; a non-JSON content type is 415', async () => {
    const cookie = await launch();
    expect((await send({ path: '/api/call', headers: { cookie, origin: transport.origin } })).status).toBe(405);
    expect((await api(cookie, '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('invalid JSON → 400 BAD_INPUT', async () => {
    const cookie = await launch();
    for (const body of ['{', 'not json', '']) {
      const reply = await api(cookie, body);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body)).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: expect.any(String) } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('JSON that is not a call object → UNKNOWN_METHOD from the dispatcher', async () => {
    const cookie = await launch();
    for (const body of ['null', '42', '[]', '"kiosk.status"']) {
      expect(JSON.parse((await api(cookie, body)).body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('a body over 64 KB is refused and never dispatched; one just under is read', async () => {
    const cookie = await launch();
    const near = await api(cookie, { method: 'kiosk.scan', input: { payload: 'x'.repeat(60 * 1024) } });
    expect(near.status).toBe(200);
    expect(JSON.parse(near.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(dispatch).toHaveBeenCalledTimes(1);
    const big = await api(cookie, { method: 'kiosk.scan', input: { payload: 'x'.repeat(70 * 1024) } }).catch((err: Error) => err);
    // refused: either an error status or the connection is cut
    if (!(big instanceof Error)) expect(big.status).toBeGreaterThanOrEqual(400);
    expect(dispatch).toHaveBeenCalledTimes(1);
  });
});

describe('Host checks (DNS rebinding)', () => {
  it.each([['evil.example'], ['evil.example:PORT'], ['127.0.0.1:1'], ['127.0.0.1'], ['localhost.evil.example:PORT']])('Host %j → 421', async (host) => {
    const cookie = await launch();
    const h = host.replace('PORT', String(port));
    expect((await send({ path: '/', host: h, headers: { cookie } })).status).toBe(421);
    expect((await send({ path: `/?launch=${SECRET}`, host: h })).status).toBe(421);
    const reply = await send({ method: 'POST', path: '/api/call', host: h, body: JSON.stringify({ method: 'kiosk.status', input: {} }), headers: { 'content-type': 'application/json', cookie, origin: transport.origin } });
    expect(reply.status).toBe(421);
    expect(dispatch).not.toHaveBeenCalled();
  });
});

describe('Host checks without a Host header', () => {
  it('an HTTP/1.0 request without Host is refused', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /app.js HTTP/1.0\r\n\r\n'));
      let out = '';
      socket.on('data', (d: Buffer) => { out += d.toString('utf8'); });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.[01] 421/);
    expect(raw).not.toContain('console.log');
  });
});

describe('static files', () => {
  it('are served with the CSP, nosniff and anti-framing headers', async () => {
    for (const path of ['/app.js', '/assets/style.css']) {
      const reply = await send({ path });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
    expect((await send({ path: '/app.js' })).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await send({ path: '/assets/style.css' })).headers['content-type']).toMatch(/^text\/css/);
    expect((await send({ path: '/app.js' })).body).toBe('console.log("kliv")');
  });

  it('error replies carry the security headers too', async () => {
    const reply = await send({ path: '/' });
    expect(reply.status).toBe(401);
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the CSP forbids inline script, eval and foreign connections', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  it.each([
    '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/%5c..%5csecret.txt', '/secret.txt', '/missing.js', '/assets', '/app.js%00.png',
  ])('path traversal or missing file %s → 404 and nothing outside the static folder', async (path) => {
    const reply = await send({ path });
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('TOP-SECRET');
  });

  it('a raw request line with ../ cannot escape either', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET /../../secret.txt HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
      let out = '';
      socket.on('data', (d: Buffer) => { out += d.toString('utf8'); });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    expect(raw).not.toContain('TOP-SECRET');
  });

  it('a malformed escape in the path is 400', async () => {
    expect((await send({ path: '/%E0%A4%A' })).status).toBe(400);
  });

  it('other methods than GET/HEAD are refused for static files', async () => {
    expect((await send({ method: 'POST', path: '/app.js', body: 'x' })).status).toBe(405);
    expect((await send({ method: 'DELETE', path: '/app.js' })).status).toBe(405);
  });

  // Regression (found by this suite, since fixed): the handler builds `new URL(req.url, …)` without a
  // guard, so a request target that is not a valid URL (e.g. "http://[") makes
  // the request listener throw; in `kliv serve` that is an uncaught exception
  // that ends the process. Expected: a 400 reply and the server keeps serving.
  it('a request target that is not a valid URL gets 400 and does not throw', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
      let out = '';
      socket.on('data', (d: Buffer) => { out += d.toString('utf8'); });
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(requestErrors).toEqual([]);
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
  });
});
