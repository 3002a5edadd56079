/**
 * Monthly report speed: a seeded, deterministic venue database of 1,000,000
 * visits (500 participants, 10 years, checks, corrections, schedules for the
 * structured half) in a temp folder, encrypted at rest like the product's;
 * then the month report (monthlyAttendance with the venue's schedule hook,
 * this month and the previous one, per day, per weekday, per participant)
 * timed over many months beside the leanest hand-written SQL for the same
 * per-participant and per-day figures on the same connection. Both read the
 * same months in the same order, so both meet the same cache.
 *
 * Run alone: `node scripts/bench.mjs report` (bundles and runs this file), or
 * `KLIV_BENCH_VISITS=200000 node scripts/bench.mjs report` for a quick look.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../electron/db/connection';
import { createVenue } from '../../electron/db/venue';
import { seededRandom } from '../../electron/services/demo';
import { LOOKBACK_DAYS, monthlyAttendance, venueScheduledDays, type ScheduleCandidate } from '../../electron/services/reports';
import { monthDays, shiftMonth, type MonthlyReport } from '../../shared/contract/reports';
import { addDays, startOfLocalDay, zonedTimeToInstant } from '../../shared/time';
import { ms, summarize, type BenchFigure } from './stats';

const TZ = 'Europe/Stockholm';
const FIRST_DAY = '2016-01-01';
const DAYS = 3653; // 2016-01-01 … 2025-12-31
const PARTICIPANTS = 500;
const MINUTE = 60_000;

export interface SeedResult { db: Database; visits: number; checks: number; seconds: number; bytes: number }

/** Builds the database: bulk inserts with prepared statements in one transaction. */
export function seedReportDatabase(file: string, visits = 1_000_000, key: Buffer | null = null): SeedResult {
  const started = performance.now();
  const db = openDatabase(file, { key });
  db.pragma('synchronous = OFF');
  db.pragma('journal_mode = MEMORY');
  const rand = seededRandom(20260301);
  createVenue(db, { venueId: 'VBENCH', name: 'Bench', mode: 'structured', timeZone: TZ, createdAt: Date.parse('2015-12-01T00:00:00Z') });
  let checks = 0;
  db.transaction(() => {
    db.prepare("INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (1, 'Bench', 'coordinator', 'x', 0)").run();
    const insP = db.prepare('INSERT INTO participants (id, code, display_name, mode, active, created_at) VALUES (?, ?, ?, ?, 1, ?)');
    const insS = db.prepare("INSERT INTO schedules (participant_id, days, start_time, end_time, valid_from, valid_to, created_at) VALUES (?, ?, '09:00', '12:00', ?, NULL, 0)");
    const enrolled: number[] = [];
    for (let p = 1; p <= PARTICIPANTS; p++) {
      // A core group from the start, the rest joining over the years.
      const joinDay = p <= 150 ? 0 : Math.floor(rand() * DAYS * 0.8);
      enrolled.push(joinDay);
      const structured = p % 2 === 0;
      insP.run(p, `P${String(p).padStart(4, '0')}`, `Deltagare ${p}`, structured ? 'structured' : 'dropin', startOfLocalDay(addDays(FIRST_DAY, joinDay), TZ));
      if (structured) insS.run(p, [0b10101, 0b01010, 0b11111][p % 3], addDays(FIRST_DAY, joinDay));
    }
    // 08:00 of each day: times later in the day never cross a DST change.
    const eight: number[] = [];
    const dayNames: string[] = [];
    for (let d = 0; d < DAYS + 1; d++) {
      dayNames.push(addDays(FIRST_DAY, d));
      eight.push(zonedTimeToInstant(dayNames[d] as string, '08:00', TZ));
    }
    const insV = db.prepare('INSERT INTO visits (id, participant_id, day, checked_in_at, checked_out_at, source, auto_closed, created_at, manual_reason, flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insC = db.prepare('INSERT INTO checks (visit_id, outcome, reason, recorded_at, staff_id, corrects_id, correction_reason) VALUES (?, ?, ?, ?, 1, ?, ?)');
    const insVC = db.prepare("INSERT INTO visit_corrections (visit_id, at, staff_id, reason, before_in, before_out, after_in, after_out) VALUES (?, ?, 1, 'wrong_time', ?, ?, ?, ?)");
    const perDay = visits / DAYS;
    let id = 0;
    let carry = 0;
    for (let d = 0; d < DAYS && id < visits; d++) {
      carry += perDay;
      const today = Math.floor(carry);
      carry -= today;
      const seen = new Set<number>();
      for (let k = 0; k < today && id < visits; k++) {
        let p = 1 + Math.floor(rand() * PARTICIPANTS);
        for (let tries = 0; (seen.has(p) || (enrolled[p - 1] as number) > d) && tries < 20; tries++) p = 1 + Math.floor(rand() * PARTICIPANTS);
        seen.add(p);
        id++;
        const inAt = (eight[d] as number) + Math.floor(rand() * 360) * MINUTE;
        const r = rand();
        // One visit in 500 runs past midnight; one in 400 is still open (recent days only).
        const nightOwl = r < 0.002;
        const open = !nightOwl && d > DAYS - 3 && r < 0.05;
        const outAt = open ? null : nightOwl ? (eight[d + 1] as number) - 6 * 60 * MINUTE + Math.floor(rand() * 120) * MINUTE : inAt + (30 + Math.floor(rand() * 330)) * MINUTE;
        const source = r > 0.98 ? 'paper' : r > 0.96 ? 'manual' : 'card';
        insV.run(id, p, dayNames[d], inAt, outAt, source, r > 0.3 && r < 0.31 ? 1 : 0, inAt, source === 'card' ? null : 'kiosk_problem', r > 0.5 && r < 0.503 ? 1 : 0);
        const c = rand();
        if (c < 0.92) {
          const notToday = c > 0.8;
          const first = Number(insC.run(id, notToday ? 'not_today' : 'ready', notToday ? 'unwell' : null, inAt + Math.floor(rand() * 20) * MINUTE, null, null).lastInsertRowid);
          checks++;
          if (c < 0.01) {
            insC.run(id, 'ready', null, inAt + 90 * MINUTE, first, 'wrong_check');
            checks++;
          }
        }
        if (r > 0.7 && r < 0.705 && outAt !== null) insVC.run(id, outAt, inAt - 10 * MINUTE, outAt, inAt, outAt);
      }
    }
  })();
  db.pragma('synchronous = FULL');
  db.pragma('optimize');
  const visitCount = db.prepare('SELECT count(*) FROM visits').pluck().get() as number;
  return { db, visits: visitCount, checks, seconds: (performance.now() - started) / 1000, bytes: statSync(file).size };
}

/**
 * The leanest SQL for the same figures: one aggregate over the two months per
 * participant (hours clipped at each month's bounds, checks, flags, days,
 * first and last visit) and one per day (participants, visits, hours), both
 * straight on the tables. It splits a visit only at the months' edges, not at
 * every midnight, and does no schedule or weekday work: a floor for what the
 * report costs.
 */
const LEAN_VISITS = `
  SELECT v.participant_id AS pid, v.day AS day, v.checked_in_at AS i, coalesce(v.checked_out_at, v.checked_in_at) AS o, v.source AS source, v.auto_closed AS auto,
    c.outcome AS outcome,
    CASE WHEN c.corrects_id IS NULL THEN c.recorded_at ELSE (SELECT c0.recorded_at FROM checks c0 WHERE c0.visit_id = v.id ORDER BY c0.id LIMIT 1) END AS check_at,
    (v.flagged <> 0 OR c.corrects_id IS NOT NULL OR EXISTS (SELECT 1 FROM visit_corrections vc WHERE vc.visit_id = v.id)) AS corrected
  FROM visits v LEFT JOIN checks c ON c.id = (SELECT max(c1.id) FROM checks c1 WHERE c1.visit_id = v.id)
  WHERE v.day BETWEEN @lookFrom AND @to AND (v.day >= @prevFrom OR v.checked_out_at >= @prevStart)`;

const perMonth = (m: 'prev' | 'cur'): string => {
  const inside = m === 'prev' ? 'day BETWEEN @prevFrom AND @prevTo' : 'day >= @from';
  const start = m === 'prev' ? '@prevStart' : '@start';
  const end = m === 'prev' ? '@start' : '@end';
  return `count(*) FILTER (WHERE ${inside}) AS ${m}_visits,
    sum(max(0, min(o, ${end}) - max(i, ${start}))) AS ${m}_ms,
    sum(CASE WHEN outcome = 'ready' AND check_at IS NOT NULL THEN max(0, min(o, ${end}) - max(i, check_at, ${start})) ELSE 0 END) AS ${m}_sober,
    count(*) FILTER (WHERE ${inside} AND outcome = 'ready') AS ${m}_ready,
    count(*) FILTER (WHERE ${inside} AND outcome = 'not_today') AS ${m}_not_today,
    count(*) FILTER (WHERE ${inside} AND corrected) AS ${m}_corrected,
    count(*) FILTER (WHERE ${inside} AND auto) AS ${m}_auto_closed,
    count(*) FILTER (WHERE ${inside} AND source <> 'card') AS ${m}_manual,
    count(DISTINCT day) FILTER (WHERE ${inside}) AS ${m}_days, min(day) FILTER (WHERE ${inside}) AS ${m}_first, max(day) FILTER (WHERE ${inside}) AS ${m}_last`;
};

const LEAN_PARTICIPANTS = `WITH v AS (${LEAN_VISITS}) SELECT pid, ${perMonth('prev')}, ${perMonth('cur')} FROM v GROUP BY pid`;

const LEAN_DAYS = `WITH v AS (${LEAN_VISITS})
  SELECT day, count(DISTINCT pid) AS people, count(*) AS visits, sum(o - i) AS ms,
    sum(CASE WHEN outcome = 'ready' AND check_at IS NOT NULL THEN max(0, o - max(i, check_at)) ELSE 0 END) AS sober
  FROM v WHERE day >= @prevFrom GROUP BY day`;

interface LeanTotals { participants: number; visits: number; hours: number; soberHours: number }

export function leanMonth(db: Database, month: string): { current: LeanTotals; previous: LeanTotals } {
  const cur = monthDays(month);
  const prev = monthDays(shiftMonth(month, -1));
  const params = {
    lookFrom: addDays(prev.first, -LOOKBACK_DAYS), prevFrom: prev.first, prevTo: prev.last, from: cur.first, to: cur.last,
    prevStart: startOfLocalDay(prev.first, TZ), start: startOfLocalDay(cur.first, TZ), end: startOfLocalDay(addDays(cur.last, 1), TZ),
  };
  const people = db.prepare(LEAN_PARTICIPANTS).all(params) as Record<string, number>[];
  db.prepare(LEAN_DAYS).all(params);
  const totals = (m: 'prev' | 'cur'): LeanTotals => {
    const present = people.filter((p) => (p[`${m}_ms`] as number) > 0 || (p[`${m}_visits`] as number) > 0);
    const sum = (k: string): number => present.reduce((s, p) => s + (p[`${m}_${k}`] as number), 0);
    return { participants: present.length, visits: sum('visits'), hours: Math.round(sum('ms') / 36_000) / 100, soberHours: Math.round(sum('sober') / 36_000) / 100 };
  };
  return { current: totals('cur'), previous: totals('prev') };
}

function scheduleCandidates(db: Database): ScheduleCandidate[] {
  return db.prepare("SELECT code, display_name AS displayName, mode, created_at AS enrolledAt FROM participants WHERE mode = 'structured' AND active = 1").all() as ScheduleCandidate[];
}

export function reportMonth(db: Database, month: string): MonthlyReport {
  // As the venue service calls it (minus the audit write): schedules wired in.
  return monthlyAttendance(db, month, {
    scope: 'venue', createdAt: Date.parse('2026-01-01T00:00:00Z'),
    venue: { venueId: 'VBENCH', name: 'Bench', mode: 'structured', timeZone: TZ },
    scheduledDaysFor: venueScheduledDays(db), scheduleCandidates: scheduleCandidates(db),
  });
}

export async function runReportBench(options: { visits?: number; rounds?: number } = {}): Promise<BenchFigure[]> {
  const visits = options.visits ?? Number(process.env.KLIV_BENCH_VISITS ?? 1_000_000);
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'kliv-bench-report-'));
  try {
    const seed = seedReportDatabase(join(dir, 'kliv.sqlite'), visits, randomBytes(32));
    const { db } = seed;
    // Twelve months of the last full year, in the same order for both, several rounds.
    const months = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);
    const service: number[] = [];
    const lean: number[] = [];
    // CPU time beside wall time: on a shared build machine the wall clock also counts other processes.
    const serviceCpu: number[] = [];
    const leanCpu: number[] = [];
    const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
    let mismatch: string | null = null;
    let sample: MonthlyReport | null = null;
    reportMonth(db, '2024-06');
    leanMonth(db, '2024-06');
    for (let r = 0; r < rounds; r++) {
      for (const month of months) {
        let c0 = process.cpuUsage();
        let t0 = performance.now();
        const report = reportMonth(db, month);
        service.push(performance.now() - t0);
        serviceCpu.push(cpuMs(process.cpuUsage(c0)));
        c0 = process.cpuUsage();
        t0 = performance.now();
        const baseline = leanMonth(db, month);
        lean.push(performance.now() - t0);
        leanCpu.push(cpuMs(process.cpuUsage(c0)));
        if (month === '2025-06') sample = report;
        // The two must agree where they define the same thing (no past-midnight visit crosses a month edge here).
        for (const [which, ours, theirs] of [['current', report.summary, baseline.current], ['previous', report.previous, baseline.previous]] as const) {
          for (const k of ['participants', 'visits', 'hours', 'soberHours'] as const) {
            if (Math.abs(ours[k] - theirs[k]) > 0.011 && !mismatch) mismatch = `${month} ${which} ${k}: report ${ours[k]} vs lean SQL ${theirs[k]}`;
          }
        }
      }
    }
    db.close();
    if (mismatch) throw new Error(`report and lean SQL disagree: ${mismatch}`);
    const s = summarize(service);
    const b = summarize(lean);
    const seeded = `${seed.visits.toLocaleString('en')} visits, ${seed.checks.toLocaleString('en')} checks, ${(seed.bytes / 2 ** 20).toFixed(0)} MiB encrypted, seeded in ${seed.seconds.toFixed(1)} s`;
    return [{
      figure: `month report over ${(seed.visits / 1e6).toFixed(seed.visits % 1e6 === 0 ? 0 : 1)}M visits (${PARTICIPANTS} participants, 10 years), p50 / p99`,
      value: `${ms(s.p50)} / ${ms(s.p99)}`,
      baseline: `lean SQL ${ms(b.p50)} / ${ms(b.p99)}`,
      ratio: `${(s.p50 / b.p50).toFixed(2)}× / ${(s.p99 / b.p99).toFixed(2)}×`,
      target: '< 200 ms (issue 6)',
      data: {
        report: s, leanSql: b, reportCpu: summarize(serviceCpu), leanSqlCpu: summarize(leanCpu), seed: seeded, months: months.length, rounds,
        sampleMonth: sample ? { month: sample.month, participants: sample.summary.participants, visits: sample.summary.visits, hours: sample.summary.hours, soberHours: sample.summary.soberHours } : null,
      },
    }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && /report\.c?js$/.test(require.main.filename)) {
  void runReportBench().then((figures) => {
    for (const f of figures) {
      const d = f.data as { seed: string; reportCpu: { p50: number }; leanSqlCpu: { p50: number } };
      console.log(`${f.figure}: ${f.value} (baseline ${f.baseline}, ratio ${f.ratio}, target ${f.target})`);
      console.log(`  CPU time p50: report ${ms(d.reportCpu.p50)}, lean SQL ${ms(d.leanSqlCpu.p50)}; ${d.seed}`);
    }
  });
}
