/**
 * Browser mode against a network neighbour and a hostile local page, beyond
 * http.test.ts (secret, Origin, Host and bind-address rules one by one):
 * the server really is unreachable from the network, a session does not
 * outlive its launch, a secret cannot be guessed through odd encodings, and
 * the secret never leaks into a response. test/e2e/browser-mode-attacks.spec.ts
 * does the same from a real Chromium.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher, type Dispatch } from '../../../electron/api/dispatch';
import { SESSION_COOKIE, startHttpTransport, type HttpTransport } from '../../../electron/api/http';
import { enrolParticipant } from '../../../electron/services/participants';
import { tempDir, testApp, type TestApp } from '../../helpers';

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';

interface Reply { status: number; headers: IncomingHttpHeaders; body: string }

let t: TestApp;
let dir: ReturnType<typeof tempDir>;
let staticDir: string;
let dispatch: Dispatch & ReturnType<typeof vi.fn>;
const started: HttpTransport[] = [];

async function serve(options: { host?: string; secret?: string } = {}): Promise<HttpTransport> {
  const transport = await startHttpTransport({ dispatch, staticDir, secret: options.secret ?? SECRET, ...(options.host ? { host: options.host } : {}) });
  started.push(transport);
  return transport;
}

function send(transport: HttpTransport, req: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  const url = new URL(transport.origin);
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, method: req.method ?? 'GET', path: req.path, headers: { host: url.host, ...req.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

async function launch(transport: HttpTransport): Promise<string> {
  const reply = await send(transport, { path: `/?launch=${SECRET}` });
  expect(reply.status).toBe(303);
  return String(reply.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
}

function apiCall(transport: HttpTransport, cookie: string, body: unknown): Promise<Reply> {
  return send(transport, { method: 'POST', path: '/api/call', body: JSON.stringify(body), headers: { 'content-type': 'application/json', origin: transport.origin, cookie } });
}

/** Resolves with the connection error code, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('ETIMEDOUT');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

const networkAddresses = (family: 'IPv4' | 'IPv6'): string[] => Object.values(networkInterfaces()).flat()
  .filter((a): a is NonNullable<typeof a> => !!a && !a.internal && a.family === family && !a.address.startsWith('fe80'))
  .map((a) => a.address);

beforeEach(() => {
  t = testApp();
  dir = tempDir();
  staticDir = join(dir.path, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Kliv</title>');
  writeFileSync(join(staticDir, 'app.js'), 'console.log("kliv")');
  dispatch = vi.fn(createDispatcher(t.app)) as unknown as Dispatch & ReturnType<typeof vi.fn>;
});
afterEach(async () => {
  for (const transport of started.splice(0)) await transport.close();
  t.close();
  dir.cleanup();
});

describe('a network neighbour', () => {
  it('finds nothing listening on this machine\'s network addresses', async () => {
    const transport = await serve();
    const address = transport.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    const port = Number(new URL(transport.origin).port);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    const outside = [...networkAddresses('IPv4'), ...networkAddresses('IPv6')];
    for (const host of outside) expect(await tryConnect(host, port), host).not.toBe('connected');
    if (outside.length === 0) console.warn('no non-loopback address on this machine: the reachability half of this test checked nothing');
  });

  it.each([['0.0.0.0'], ['::'], ['192.0.2.2'], ['fd00::2'], ['::ffff:127.0.0.1'], ['127.0.0.1.nip.io'], ['localhost.example']])(
    'cannot be served by binding to %s', async (host) => {
      await expect(serve({ host })).rejects.toThrow(/loopback/);
    },
  );

  it('IPv6 loopback works, with the same Host rules', async () => {
    const transport = await serve({ host: '::1' }).catch(() => null);
    if (!transport) return; // no IPv6 on this machine
    expect(transport.origin).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const cookie = await launch(transport);
    expect((await apiCall(transport, cookie, { method: 'kiosk.status', input: {} })).status).toBe(200);
    expect((await send(transport, { path: '/', headers: { host: 'evil.example', cookie } })).status).toBe(421);
  });
});

describe('sessions and the launch secret', () => {
  it('a session cookie does not survive a restart of browser mode, even with the same secret', async () => {
    const first = await serve();
    const cookie = await launch(first);
    expect((await apiCall(first, cookie, { method: 'kiosk.status', input: {} })).status).toBe(200);
    await first.close();
    started.splice(started.indexOf(first), 1);
    const second = await serve();
    const reply = await send(second, { method: 'POST', path: '/api/call', body: '{"method":"kiosk.status","input":{}}', headers: { 'content-type': 'application/json', origin: second.origin, cookie } });
    expect(reply.status).toBe(401);
  });

  it.each([
    ['missing', '/'],
    ['empty', '/?launch='],
    ['case-changed', `/?launch=${SECRET.toUpperCase()}`],
    ['with a multibyte character', `/?launch=${encodeURIComponent(`${SECRET.slice(0, -1)}é`)}`],
    ['as long as the real one but different', `/?launch=${'x'.repeat(SECRET.length)}`],
    ['very long', `/?launch=${'a'.repeat(8000)}`],
    ['given twice, wrong first', `/?launch=wrong&launch=${SECRET}`],
    ['in the fragment', '/#launch=' + SECRET],
    ['on the API path', `/api/call?launch=${SECRET}`],
  ])('a %s secret gives no session', async (_what, path) => {
    const transport = await serve();
    const reply = await send(transport, { path });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('the secret never appears in a response: not in the redirect, the cookie, the page or an error', async () => {
    const transport = await serve();
    const replies = [
      await send(transport, { path: `/?launch=${SECRET}` }),
      await send(transport, { path: '/?launch=wrong' }),
      await send(transport, { path: '/' }),
      await send(transport, { path: '/app.js' }),
      await send(transport, { path: '/', headers: { host: 'evil.example' } }),
    ];
    for (const reply of replies) {
      expect(JSON.stringify(reply.headers)).not.toContain(SECRET);
      expect(reply.body).not.toContain(SECRET);
    }
    const cookie = String(replies[0]?.headers['set-cookie']?.[0] ?? '');
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
  });
});

describe('a hostile page in the same browser', () => {
  it('cannot use the kiosk\'s cookie: a scan from a foreign or absent Origin never reaches the handlers', async () => {
    const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    const transport = await serve();
    const cookie = await launch(transport);
    const port = Number(new URL(transport.origin).port);
    const scan = JSON.stringify({ method: 'kiosk.scan', input: { payload: issued.payload } });
    const attempts: Record<string, string>[] = [
      { 'content-type': 'application/json', origin: `http://127.0.0.1:${port + 1}`, cookie }, // another local web page: same site, other origin
      { 'content-type': 'application/json', origin: `http://localhost:${port + 1}`, cookie },
      { 'content-type': 'application/json', origin: 'null', cookie }, // sandboxed iframe, file://
      { 'content-type': 'text/plain', origin: transport.origin, cookie }, // a "simple" request that skips the CORS preflight
      { 'content-type': 'application/x-www-form-urlencoded', origin: transport.origin, cookie }, // an HTML form
      { 'content-type': 'application/json', cookie }, // no Origin at all
    ];
    for (const headers of attempts) {
      const reply = await send(transport, { method: 'POST', path: '/api/call', body: scan, headers });
      expect(reply.status, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
    }
    // A CORS preflight gets no permission either.
    const preflight = await send(transport, { method: 'OPTIONS', path: '/api/call', headers: { origin: `http://127.0.0.1:${port + 1}`, 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(dispatch).not.toHaveBeenCalled();
    expect(t.app.db.prepare('SELECT count(*) FROM visits').pluck().get()).toBe(0);
  });

  it('cannot frame the kiosk or read it cross-origin', async () => {
    const transport = await serve();
    const cookie = await launch(transport);
    const page = await send(transport, { path: '/', headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });
});
