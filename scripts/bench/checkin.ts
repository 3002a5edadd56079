/**
 * Check-in write latency: the full service path (dispatch → zod validation →
 * card lookup → visit + event in one transaction → output validation) beside
 * a raw better-sqlite3 insert-and-commit of one visit row with the same
 * pragmas (WAL, synchronous=FULL). Both commit to disk on every row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp } from '../../electron/api/app';
import { newCaller } from '../../electron/api/caller';
import { createDispatcher } from '../../electron/api/dispatch';
import { openDatabase } from '../../electron/db/connection';
import { enrolParticipant } from '../../electron/services/participants';
import { initVenue } from '../../electron/services/venue';
import { summarize, ms, type BenchFigure } from './stats';

export async function runCheckinBench(count = 1500): Promise<BenchFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'kliv-bench-checkin-'));
  try {
    const app = openApp({ dataDir: join(dir, 'venue') });
    initVenue(app.ctx, { name: 'Bench', mode: 'dropin', timeZone: 'Europe/Stockholm' });
    const payloads: string[] = [];
    app.db.transaction(() => {
      for (let i = 0; i < count + 50; i++) payloads.push(enrolParticipant(app.ctx, { displayName: `P${i}`, code: `B${100000 + i}` }).issued.payload);
    })();
    const dispatch = createDispatcher(app);
    const caller = newCaller();
    const service: number[] = [];
    for (let i = 0; i < payloads.length; i++) {
      const t0 = process.hrtime.bigint();
      const res = await dispatch(caller, 'kiosk.scan', { payload: payloads[i] });
      const t1 = process.hrtime.bigint();
      if (!res.ok || (res.value as { outcome: string }).outcome !== 'checked-in') throw new Error(`unexpected scan result ${JSON.stringify(res)}`);
      if (i >= 50) service.push(Number(t1 - t0) / 1e6);
    }
    app.close();

    const raw = openDatabase(join(dir, 'raw.sqlite'), { migrateTo: 0 });
    raw.exec(`CREATE TABLE visits (id INTEGER PRIMARY KEY, participant_id INTEGER NOT NULL, day TEXT NOT NULL, checked_in_at INTEGER NOT NULL,
      checked_out_at INTEGER, source TEXT NOT NULL, auto_closed INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`);
    const insert = raw.prepare('INSERT INTO visits (participant_id, day, checked_in_at, checked_out_at, source, auto_closed, created_at) VALUES (?, ?, ?, NULL, ?, 0, ?)');
    const baseline: number[] = [];
    for (let i = 0; i < count + 50; i++) {
      const now = Date.now();
      const t0 = process.hrtime.bigint();
      insert.run(i + 1, '2026-11-25', now, 'card', now);
      const t1 = process.hrtime.bigint();
      if (i >= 50) baseline.push(Number(t1 - t0) / 1e6);
    }
    raw.close();
    const s = summarize(service);
    const b = summarize(baseline);
    return {
      figure: 'check-in write (service call incl. validation + event), p50 / p99',
      value: `${ms(s.p50)} / ${ms(s.p99)}`,
      baseline: `raw insert+commit ${ms(b.p50)} / ${ms(b.p99)}`,
      ratio: `${(s.p50 / b.p50).toFixed(2)}× / ${(s.p99 / b.p99).toFixed(2)}×`,
      target: '≤ 3× (issue 9)',
      data: { service: s, baseline: b },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
