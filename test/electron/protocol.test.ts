import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/csp';
import { createRendererProtocolHandler } from '../../electron/main/main';

vi.mock('electron', async () => (await import('./fakes')).electronModule());

let root: string;
let rendererDir: string;
let serve: (request: Request) => Promise<Response>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kliv-protocol-'));
  rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Kliv</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(rendererDir, 'assets', 'zxing.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(root, 'secret.txt'), 'SECRET');
  writeFileSync(join(root, 'renderer-sibling.txt'), 'SIBLING');
  serve = createRendererProtocolHandler(rendererDir);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function get(url: string, method = 'GET'): Promise<Response> {
  return serve(new Request(url, { method }));
}

describe('app:// protocol handler', () => {
  it('serves a renderer file with the CSP header', async () => {
    const res = await get('app://kliv/index.html');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Kliv</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves assets with their types, and index.html for the root', async () => {
    const js = await get('app://kliv/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const wasm = await get('app://kliv/assets/zxing.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
    const index = await get('app://kliv/');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Kliv');
  });

  it('refuses ../ traversal in every spelling, still with the CSP header', async () => {
    for (const url of [
      'app://kliv/../secret.txt',
      'app://kliv/%2e%2e/secret.txt',
      'app://kliv/..%2fsecret.txt',
      'app://kliv/..%2Fsecret.txt',
      'app://kliv/assets/..%2f..%2fsecret.txt',
      'app://kliv/..%5csecret.txt',
      'app://kliv/..%2f..%2frenderer-sibling.txt',
      'app://kliv/%2fetc%2fpasswd',
      'app://kliv/index.html%00.js',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      const body = await res.text();
      expect(body, url).not.toContain('SECRET');
      expect(body, url).not.toContain('SIBLING');
      expect(res.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses a symlink that leads out of the renderer folder', async () => {
    try {
      symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'link.txt'));
    } catch {
      return; // no symlink rights (Windows without developer mode)
    }
    const res = await get('app://kliv/link.txt');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('SECRET');
  });

  it('refuses other hosts, missing files, folders and writes', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://kliv/missing.js')).status).toBe(404);
    expect((await get('app://kliv/assets')).status).toBe(404);
    expect((await get('app://kliv/index.html', 'POST')).status).toBe(405);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows only the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-inline'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
  });
});
