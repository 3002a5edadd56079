/**
 * The HTTPS destination, against a real HTTP server on 127.0.0.1 (plain http
 * is accepted for loopback only). The server here is what a municipality's
 * endpoint does: check the bearer token, take the multipart POST, store the
 * bundle in the inbox that `kliv collect` reads, answer 2xx again for a
 * bundle it already holds.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectInbox, openCentralDatabase } from '../../../electron/services/central';
import { sha256Of } from '../../../electron/services/export';
import { writeSetting } from '../../../electron/services/settings';
import { tempDir, testApp, type TestApp } from '../../helpers';
import { bundlesIn, configureRecipient, eventCount, municipality, runExport, saveVenueKey, venueDay, type Municipality } from './exportFixture';

const TOKEN = 'kommun-token-0123456789abcdef';

interface Received { name: string | null; manifestSha: string | null; auth: string | null; fields: string[]; contentType: string | null }

let t: TestApp;
let work: ReturnType<typeof tempDir>;
let muni: Municipality;
let inbox: string;
let keys: string;
let server: Server;
let url: string;
let mode: 'ok' | 'fail' | 'hang-up';
let received: Received[];

async function toRequest(req: IncomingMessage): Promise<Request> {
  return new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: req.headers as Record<string, string>,
    body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
}

beforeEach(async () => {
  t = testApp();
  work = tempDir('kliv-export-http-');
  muni = await municipality(work.path);
  inbox = join(work.path, 'inbox');
  keys = join(work.path, 'keys');
  mkdirSync(inbox);
  mkdirSync(keys);
  saveVenueKey(t.app, keys);
  mode = 'ok';
  received = [];
  server = createServer((req, res) => {
    void (async () => {
      const auth = req.headers.authorization ?? null;
      const name = (req.headers['x-kliv-bundle'] as string | undefined) ?? null;
      const manifestSha = (req.headers['x-kliv-manifest-sha256'] as string | undefined) ?? null;
      const entry: Received = { name, manifestSha, auth, fields: [], contentType: req.headers['content-type'] ?? null };
      received.push(entry);
      if (mode === 'hang-up') {
        req.socket.destroy();
        return;
      }
      if (auth !== `Bearer ${TOKEN}`) {
        req.resume();
        res.writeHead(401).end();
        return;
      }
      if (mode === 'fail') {
        req.resume();
        res.writeHead(503).end('busy');
        return;
      }
      const form = await (await toRequest(req)).formData();
      entry.fields = [...form.keys()].sort();
      if (!name || !/^[A-Za-z0-9]+-\d{6}$/.test(name)) {
        res.writeHead(400).end();
        return;
      }
      const final = join(inbox, name);
      if (existsSync(final)) {
        // Idempotent: the same bundle again is fine, a different one is a conflict.
        res.writeHead(sha256Of(readFileSync(join(final, 'manifest.json'))) === manifestSha ? 200 : 409).end();
        return;
      }
      const tmp = join(inbox, `.${name}.upload`);
      mkdirSync(tmp, { recursive: true });
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') continue;
        writeFileSync(join(tmp, field), Buffer.from(await value.arrayBuffer()));
      }
      renameSync(tmp, final);
      res.writeHead(201).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/kliv/bundles`;
  configureRecipient(t.app, muni.recipient);
  writeSetting(t.app.ctx, 'export.url', url);
  writeSetting(t.app.ctx, 'export.token', TOKEN);
});

afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  t.close();
  work.cleanup();
});

async function collect() {
  const db = openCentralDatabase(join(work.path, 'central.sqlite'));
  try {
    return await collectInbox(db, { inbox, identities: [muni.identity], venueKeysDir: keys });
  } finally {
    db.close();
  }
}

describe('the HTTPS destination', () => {
  it('POSTs each bundle once, multipart, with the bearer token and the bundle name and manifest hash in headers', async () => {
    venueDay(t);
    const result = await runExport(t.app);
    expect(result.outcome).toBe('ok');
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r).toMatchObject({ auth: `Bearer ${TOKEN}`, name: result.batches[0]?.name, manifestSha: result.batches[0]?.manifestSha256 });
    expect(r?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(r?.fields).toEqual(['events.jsonl.age', 'manifest.json', 'manifest.sig']);
    expect(await collect()).toMatchObject({ collected: 1, refused: 0 });
    expect(await runExport(t.app)).toMatchObject({ outcome: 'nothing' });
    expect(received).toHaveLength(1);
  });

  it('retries a failing server with backoff, loses nothing, and delivers once when it recovers', async () => {
    venueDay(t);
    mode = 'fail';
    const waits: number[] = [];
    const failed = await runExport(t.app, { tries: 4, backoffMs: 100, sleep: (ms) => { waits.push(ms); return Promise.resolve(); } });
    expect(failed.outcome).toBe('failed');
    expect(failed.message).toMatch(/answered HTTP 503 \(tried 4 times\)/);
    expect(waits).toEqual([100, 200, 400]);
    expect(received).toHaveLength(4);

    mode = 'hang-up';
    expect((await runExport(t.app)).message).toMatch(/could not be reached/);

    mode = 'ok';
    received = [];
    const ok = await runExport(t.app);
    expect(ok.batches.map((b) => b.batch)).toEqual([1]);
    expect(received).toHaveLength(1);
    expect(bundlesIn(inbox)).toHaveLength(1);
    const report = await collect();
    expect(report).toMatchObject({ collected: 1, refused: 0 });
    const central = openCentralDatabase(join(work.path, 'central.sqlite'), { readonly: true });
    expect(central.prepare('SELECT count(*) FROM events').pluck().get()).toBe(eventCount(t.app));
    central.close();
  });

  it('does not retry a refused token, and says to check export.token (never printing it)', async () => {
    venueDay(t);
    writeSetting(t.app.ctx, 'export.token', 'wrong-token-0123456789');
    const result = await runExport(t.app, { tries: 4 });
    expect(received).toHaveLength(1);
    expect(result.message).toMatch(/refused the token \(HTTP 401\); check export\.token/);
    expect(result.message).not.toContain('wrong-token');
    expect(JSON.stringify(t.app.db.prepare('SELECT * FROM export_attempts').all())).not.toContain('wrong-token');
  });

  it('with a folder too: a bundle the folder already has is not written again while the URL catches up', async () => {
    const share = join(work.path, 'share');
    mkdirSync(share);
    writeSetting(t.app.ctx, 'export.folder', share);
    venueDay(t);
    mode = 'fail';
    const first = await runExport(t.app, { tries: 1 });
    expect(first.outcome).toBe('failed');
    expect(bundlesIn(share)).toHaveLength(1);
    const before = readdirSync(join(share, bundlesIn(share)[0] ?? ''));
    const inode = statSync(join(share, bundlesIn(share)[0] ?? '')).ino;
    mode = 'ok';
    const second = await runExport(t.app);
    expect(second.outcome).toBe('ok');
    expect(readdirSync(share)).toEqual(bundlesIn(share));
    expect(readdirSync(join(share, bundlesIn(share)[0] ?? ''))).toEqual(before);
    expect(statSync(join(share, bundlesIn(share)[0] ?? '')).ino).toBe(inode);
    // both destinations hold byte-identical bundles
    const name = bundlesIn(share)[0] ?? '';
    for (const f of ['manifest.json', 'manifest.sig', 'events.jsonl.age']) {
      expect(readFileSync(join(inbox, name, f)).equals(readFileSync(join(share, name, f)))).toBe(true);
    }
  });

  it('refuses plain http to anything but this machine', () => {
    expect(() => writeSetting(t.app.ctx, 'export.url', 'http://kommun.example/bundles')).toThrow(/https:\/\//);
    expect(() => writeSetting(t.app.ctx, 'export.url', 'http://10.0.0.5/bundles')).toThrow(/https:\/\//);
  });
});
