import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { audit, auditKey, auditMac, GENESIS_MAC, verifyAuditChain, type AuditVerdict } from '../../../electron/services/audit';
import { todayView } from '../../../electron/services/attendance';
import { enrolParticipant } from '../../../electron/services/participants';
import { addStaff, CLI_ACTOR, login } from '../../../electron/services/staff';
import { KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

const FAST = { logN: 10, r: 8, p: 1 };

interface Row { seq: number; at: number; actor: string; action: string; subject: string | null; detail: string; prev_mac: string; mac: string }
const rows = (db: Database): Row[] => db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];

let t: TestApp;
let key: Buffer;
let n: number;

/** A log written by real staff work, not by hand. */
function writeRealLog(): void {
  const { badgePayload, account } = addStaff(t.app.ctx, CLI_ACTOR, { name: 'Kim', role: 'staff', pin: '482913' }, FAST);
  addStaff(t.app.ctx, CLI_ACTOR, { name: 'Cleo', role: 'coordinator', pin: '731904' }, FAST);
  login(t.app.ctx, { badge: badgePayload, pin: '482913' });
  try {
    login(t.app.ctx, { badge: badgePayload, pin: '000001' });
  } catch (err) {
    if (!(err instanceof KlivError)) throw err;
  }
  const { issued } = enrolParticipant(t.app.ctx, { displayName: 'Anna', code: 'P-100' });
  t.app.kiosk.scan(issued.payload);
  for (let i = 0; i < 4; i++) {
    t.clock.advance(60_000);
    todayView(t.app.ctx, { staffId: account.staffId, role: 'staff' });
  }
}

/** Runs `mutate` on the database, verifies, and undoes the change. */
function verdictAfter(mutate: (db: Database) => void, withKey: Buffer = key): AuditVerdict {
  const db = t.app.db;
  db.exec('SAVEPOINT tamper');
  try {
    mutate(db);
    return verifyAuditChain(db, withKey);
  } finally {
    db.exec('ROLLBACK TO tamper; RELEASE tamper');
  }
}

function dropTriggers(db: Database): void {
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; DROP TRIGGER IF EXISTS audit_no_replace;');
}

function swapContent(db: Database, a: number, b: number): void {
  const [ra, rb] = [a, b].map((s) => db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(s) as Row);
  const put = db.prepare('UPDATE audit_log SET at = ?, actor = ?, action = ?, subject = ?, detail = ?, prev_mac = ?, mac = ? WHERE seq = ?');
  put.run(rb!.at, rb!.actor, rb!.action, rb!.subject, rb!.detail, rb!.prev_mac, rb!.mac, a);
  put.run(ra!.at, ra!.actor, ra!.action, ra!.subject, ra!.detail, ra!.prev_mac, ra!.mac, b);
}

beforeEach(() => {
  t = testApp();
  writeRealLog();
  key = auditKey(t.app.db, t.app.ctx.secrets);
  n = rows(t.app.db).length;
});
afterEach(() => t.close());

describe('the audit chain', () => {
  it('verifies on a log written by real work; each entry chains to the one before', () => {
    expect(n).toBeGreaterThanOrEqual(8);
    const verdict = verifyAuditChain(t.app.db, key);
    const all = rows(t.app.db);
    expect(verdict).toEqual({ ok: true, entries: n, head: all.at(-1)!.mac });
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(all[0]!.prev_mac).toBe(GENESIS_MAC);
    for (let i = 1; i < n; i++) expect(all[i]!.prev_mac).toBe(all[i - 1]!.mac);
    for (const r of all) expect(r.mac).toBe(auditMac(key, { seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, prevMac: r.prev_mac }));
    // writing more keeps it valid
    audit(t.app.ctx, { actor: 'cli', action: 'test.more', subject: 'x:1', detail: { a: 1 } });
    expect(verifyAuditChain(t.app.db, key)).toMatchObject({ ok: true, entries: n + 1 });
  });

  it('an empty log is valid', () => {
    const fresh = testApp();
    try {
      expect(verifyAuditChain(fresh.app.db, randomBytes(32))).toEqual({ ok: true, entries: 0, head: GENESIS_MAC });
    } finally {
      fresh.close();
    }
  });

  it('the database refuses UPDATE and DELETE on the log', () => {
    const db = t.app.db;
    expect(() => db.prepare("UPDATE audit_log SET detail = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE audit_log SET seq = seq + 100').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO audit_log (seq, at, actor, action, detail, prev_mac, mac) VALUES (2, 0, 'x', 'y', '{}', '', '') ON CONFLICT (seq) DO UPDATE SET detail = excluded.detail").run()).toThrow(/append-only/);
    expect(rows(db)).toHaveLength(n);
    expect(verifyAuditChain(db, key).ok).toBe(true);
  });

  // INSERT OR REPLACE deletes the old row without firing DELETE triggers
  // (SQLite fires them only with PRAGMA recursive_triggers), so it needs a
  // trigger of its own.
  it('the database also refuses INSERT OR REPLACE over an existing entry', () => {
    const db = t.app.db;
    expect(() => db.prepare("INSERT OR REPLACE INTO audit_log (seq, at, actor, action, detail, prev_mac, mac) VALUES (2, 0, 'x', 'y', '{}', '', '')").run()).toThrow(/append-only/);
    expect(() => db.prepare("REPLACE INTO audit_log (seq, at, actor, action, detail, prev_mac, mac) VALUES (2, 0, 'x', 'y', '{}', '', '')").run()).toThrow(/append-only/);
    expect(rows(db)).toHaveLength(n);
    expect(verifyAuditChain(db, key).ok).toBe(true);
  });

  it('an entry overwritten with INSERT OR REPLACE is still caught by the chain', () => {
    const verdict = verdictAfter((db) => {
      db.exec('DROP TRIGGER IF EXISTS audit_no_replace');
      const r = db.prepare('SELECT * FROM audit_log WHERE seq = 3').get() as Row;
      db.prepare('INSERT OR REPLACE INTO audit_log (seq, at, actor, action, subject, detail, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(3, r.at, 'cli', r.action, r.subject, r.detail, r.prev_mac, r.mac);
    });
    expect(verdict).toMatchObject({ ok: false, badSeq: 3 });
  });
});

describe('tampering (triggers dropped) is found and the first bad entry is named', () => {
  beforeEach(() => dropTriggers(t.app.db));

  it('(a) a changed detail', () => {
    const verdict = verdictAfter((db) => db.prepare("UPDATE audit_log SET detail = '{\"via\":\"name\"}' WHERE seq = 4").run());
    expect(verdict).toMatchObject({ ok: false, badSeq: 4 });
    if (!verdict.ok) expect(verdict.problem).toMatch(/entry 4 was changed/);
  });

  it('(a) property: changing any one field of any entry names that entry', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: n }), fc.constantFrom('at', 'actor', 'action', 'subject', 'detail'),
      (seq, column) => {
        const value = column === 'at' ? 1 : column === 'detail' ? '{"x":1}' : 'tampered';
        const verdict = verdictAfter((db) => db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(value, seq));
        expect(verdict).toMatchObject({ ok: false, badSeq: seq });
      },
    ), { numRuns: 40 });
  });

  it('(b) a deleted middle entry', () => {
    const verdict = verdictAfter((db) => db.prepare('DELETE FROM audit_log WHERE seq = 5').run());
    expect(verdict).toMatchObject({ ok: false, badSeq: 5 });
    if (!verdict.ok) expect(verdict.problem).toMatch(/entry 5 is missing/);
  });

  it('(b) the first entry deleted, or a middle entry deleted and the rest renumbered, is named too', () => {
    expect(verdictAfter((db) => db.prepare('DELETE FROM audit_log WHERE seq = 1').run())).toMatchObject({ ok: false, badSeq: 1 });
    const renumbered = verdictAfter((db) => {
      db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
      for (let s = 4; s <= n; s++) db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(s - 1, s);
    });
    expect(renumbered).toMatchObject({ ok: false, badSeq: 3 });
  });

  it('(b) property: deleting any one entry names it', () => {
    for (let seq = 1; seq <= n; seq++) {
      expect(verdictAfter((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq)), `deleted ${seq}`).toMatchObject({ ok: false, badSeq: seq });
    }
  });

  it('(c) two entries swapped (reordered) name the earlier one', () => {
    const verdict = verdictAfter((db) => swapContent(db, 3, 6));
    expect(verdict).toMatchObject({ ok: false, badSeq: 3 });
    if (!verdict.ok) expect(verdict.problem).toMatch(/entry 3 does not follow entry 2/);
    expect(verdictAfter((db) => swapContent(db, n - 1, n))).toMatchObject({ ok: false, badSeq: n - 1 });
  });

  it('(c) property: swapping any two entries names the earlier one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: n }), fc.integer({ min: 1, max: n }), (a, b) => {
      fc.pre(a !== b);
      expect(verdictAfter((db) => swapContent(db, a, b))).toMatchObject({ ok: false, badSeq: Math.min(a, b) });
    }), { numRuns: 40 });
  });

  it('(d) the last entry deleted and a forged one added in its place without the key', () => {
    const verdict = verdictAfter((db) => {
      const last = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(n) as Row;
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(n);
      const forged = { seq: n, at: last.at, actor: 'kiosk', action: 'read.today', subject: last.subject, detail: '{}', prevMac: last.prev_mac };
      const guessedKey = createHmac('sha256', 'not the key').update('x').digest();
      db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(forged.seq, forged.at, forged.actor, forged.action, forged.subject, forged.detail, forged.prevMac, auditMac(guessedKey, forged));
    });
    expect(verdict).toMatchObject({ ok: false, badSeq: n });
    if (!verdict.ok) expect(verdict.problem).toMatch(new RegExp(`entry ${n} was changed`));
  });

  it('(d) a forged entry appended at the end without the key is named', () => {
    const verdict = verdictAfter((db) => {
      const head = db.prepare('SELECT mac FROM audit_log WHERE seq = ?').pluck().get(n) as string;
      db.prepare("INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_mac, mac) VALUES (?, 1, 'staff:1', 'login.ok', 'staff:1', '{}', ?, ?)")
        .run(n + 1, head, randomBytes(32).toString('hex'));
    });
    expect(verdict).toMatchObject({ ok: false, badSeq: n + 1 });
  });

  it('entries cut off the end of the log are found (the sequence remembers the highest number used)', () => {
    expect(verdictAfter((db) => db.prepare('DELETE FROM audit_log WHERE seq = ?').run(n))).toMatchObject({ ok: false, badSeq: n });
    const cut = verdictAfter((db) => db.prepare('DELETE FROM audit_log WHERE seq > 3').run());
    expect(cut).toMatchObject({ ok: false, badSeq: 4, entries: 3 });
    if (!cut.ok) expect(cut.problem).toContain(`4 to ${n}`);
    expect(verdictAfter((db) => db.prepare('DELETE FROM audit_log').run())).toMatchObject({ ok: false, badSeq: 1, entries: 0 });
  });

  it('a different key fails at entry 1', () => {
    expect(verifyAuditChain(t.app.db, randomBytes(32))).toMatchObject({ ok: false, badSeq: 1 });
    const nearly = Buffer.from(key);
    nearly[31] = nearly[31]! ^ 0x80;
    expect(verifyAuditChain(t.app.db, nearly)).toMatchObject({ ok: false, badSeq: 1 });
    expect(verifyAuditChain(t.app.db, key).ok).toBe(true);
  });

  it('nothing above changed the real log', () => {
    verdictAfter((db) => db.prepare('DELETE FROM audit_log').run());
    expect(rows(t.app.db)).toHaveLength(n);
    expect(verifyAuditChain(t.app.db, key).ok).toBe(true);
  });
});

describe('audit()', () => {
  it('stores actor, action, subject and JSON detail, and an entry written inside a failed transaction is rolled back with it', () => {
    audit(t.app.ctx, { actor: 'staff:7', action: 'test.one', subject: 'visit:3', detail: { code: 'P-100', n: 2 } });
    expect(rows(t.app.db).at(-1)).toMatchObject({ seq: n + 1, actor: 'staff:7', action: 'test.one', subject: 'visit:3', detail: '{"code":"P-100","n":2}', at: t.clock.now() });
    audit(t.app.ctx, { actor: 'cli', action: 'test.two' });
    expect(rows(t.app.db).at(-1)).toMatchObject({ seq: n + 2, subject: null, detail: '{}' });
    expect(() => t.app.db.transaction(() => {
      audit(t.app.ctx, { actor: 'cli', action: 'test.rolled-back' });
      throw new Error('boom');
    })()).toThrow('boom');
    expect(rows(t.app.db).map((r) => r.action)).not.toContain('test.rolled-back');
    audit(t.app.ctx, { actor: 'cli', action: 'test.three' });
    // the rolled-back number is not a gap: the chain stays whole
    expect(verifyAuditChain(t.app.db, key)).toMatchObject({ ok: true, entries: n + 3 });
  });
});
