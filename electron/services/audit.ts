/**
 * The audit log: every staff action, every login attempt and every read of
 * participant data. Each entry carries an HMAC over its content and the
 * previous entry's HMAC, keyed with a secret outside the database, so a
 * changed, removed or reordered row breaks the chain at that row. The
 * database refuses UPDATE and DELETE on the table as a second line.
 * Details hold codes and ids, never display names.
 */
import { createHmac } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { KlivError } from '../../shared/errors';
import { countAudit, insertAuditRow, iterateAudit, lastAuditRow, nextAuditSeq, type AuditRow } from '../db/audit';
import type { ServiceContext } from './context';
import type { SecretStore } from './secrets';

export const GENESIS_MAC = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown>;
}

export function auditMac(key: Buffer, row: Omit<AuditRow, 'mac'>): string {
  const canonical = JSON.stringify([row.seq, row.at, row.actor, row.action, row.subject, row.detail, row.prevMac]);
  return createHmac('sha256', key).update(canonical, 'utf8').digest('hex');
}

export function auditKey(db: Database, secrets: SecretStore): Buffer {
  const existing = secrets.get('audit');
  if (existing) return existing;
  if (countAudit(db) > 0) throw new KlivError('KEY_UNAVAILABLE', `The audit key is missing (${secrets.describe()}); restore it from backup before continuing.`);
  return secrets.getOrCreate('audit');
}

export function audit(ctx: ServiceContext, entry: AuditEntry): void {
  const key = auditKey(ctx.db, ctx.secrets);
  ctx.db.transaction(() => {
    const prev = lastAuditRow(ctx.db);
    const row: Omit<AuditRow, 'mac'> = {
      seq: nextAuditSeq(ctx.db),
      at: ctx.clock.now(),
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      prevMac: prev?.mac ?? GENESIS_MAC,
    };
    insertAuditRow(ctx.db, { ...row, mac: auditMac(key, row) });
  })();
}

export type AuditVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; badSeq: number; problem: string };

export function verifyAuditChain(db: Database, key: Buffer): AuditVerdict {
  let expectedSeq = 1;
  let prevMac = GENESIS_MAC;
  let entries = 0;
  for (const row of iterateAudit(db)) {
    entries++;
    if (row.seq !== expectedSeq) {
      return { ok: false, entries, badSeq: expectedSeq, problem: `entry ${expectedSeq} is missing (the next entry is ${row.seq}): a row was removed or renumbered` };
    }
    if (row.prevMac !== prevMac) {
      return { ok: false, entries, badSeq: row.seq, problem: `entry ${row.seq} does not follow entry ${row.seq - 1}: rows were removed or reordered` };
    }
    if (auditMac(key, row) !== row.mac) {
      return { ok: false, entries, badSeq: row.seq, problem: `entry ${row.seq} was changed after it was written` };
    }
    prevMac = row.mac;
    expectedSeq++;
  }
  // AUTOINCREMENT remembers the highest number ever used, so rows cut off
  // the end of the log (which leave an intact chain behind) still show.
  const highest = nextAuditSeq(db) - 1;
  if (highest >= expectedSeq) {
    return { ok: false, entries, badSeq: expectedSeq, problem: `entries ${expectedSeq} to ${highest} are missing: the newest rows were removed` };
  }
  return { ok: true, entries, head: prevMac };
}

export const actorOf = (staffId: number | null): string => (staffId === null ? 'kiosk' : `staff:${staffId}`);
