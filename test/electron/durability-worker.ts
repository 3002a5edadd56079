/**
 * The child process of durability.test.ts (bundled with esbuild in the
 * test's beforeAll, run with plain `node`). It is the kiosk as far as the
 * database is concerned: the same openApp and kiosk service.
 *
 *   scan <dataDir> <cards.json> <firstIndex> <startAtMs>
 *     Prints OPENING, opens the data folder, prints READY, then scans the
 *     cards in turn, confirming every check-out, and prints
 *     "OK <index> <outcome> <code> <at>" for each scan only after the
 *     service has returned, i.e. after the screen would have confirmed it.
 *     Runs until it is killed (or for 20 s at most, so that nothing is left
 *     behind if the test dies).
 *
 *   probe <dataDir> <payload>
 *     Opens the data folder, scans once and asks for kiosk.status through the
 *     dispatcher, and prints one JSON line of what happened (the read-only
 *     tests run this as an unprivileged user).
 */
import { readFileSync, writeSync } from 'node:fs';
import { openApp, type KlivApp } from '../../electron/api/app';

/** Writes a whole line to stdout, synchronously, even if the pipe is momentarily full. */
function emit(line: string): void {
  let buf = Buffer.from(`${line}\n`);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
    }
  }
}

function scanStream(dataDir: string, cardsFile: string, firstIndex: number, startAt: number): void {
  const cards = JSON.parse(readFileSync(cardsFile, 'utf8')) as { code: string; payload: string }[];
  let wall = startAt;
  let mono = 0;
  emit('OPENING');
  const app = openApp({ dataDir, clock: { now: () => wall, monotonic: () => mono }, kiosk: { doubleScanMs: 0 } });
  emit('READY');
  const deadline = Date.now() + 20_000;
  for (let i = firstIndex; Date.now() < deadline; i++) {
    wall += 7_000;
    mono += 7_000;
    const card = cards[i % cards.length] as { code: string; payload: string };
    let result = app.kiosk.scan(card.payload);
    if (result.outcome === 'checkout-pending') result = app.kiosk.confirmCheckout(result.ticket, true);
    emit(`OK ${i} ${result.outcome} ${card.code} ${'at' in result ? result.at : '-'}`);
  }
  app.close();
}

async function probe(dataDir: string, payload: string): Promise<void> {
  let app: KlivApp;
  try {
    app = openApp({ dataDir, health: { probeEveryMs: 0 } });
  } catch (err) {
    emit(JSON.stringify({ opened: false, code: (err as { code?: string }).code ?? null, message: err instanceof Error ? err.message : String(err) }));
    return;
  }
  // Loaded only here: the handler table pulls in the report and PDF code, which the scan stream does not need.
  const { createDispatcher } = await import('../../electron/api/dispatch');
  const dispatch = createDispatcher(app);
  const scan = await dispatch({ session: null }, 'kiosk.scan', { payload });
  const status = await dispatch({ session: null }, 'kiosk.status', {});
  emit(JSON.stringify({ opened: true, scan, health: status.ok ? (status.value as { health: unknown }).health : null }));
  app.close();
}

const [mode, ...args] = process.argv.slice(2);
// The test builds this file twice: with KLIV_WORKER_PROBE false the probe (and
// the handler table with its report and PDF code) is left out, so the
// scanning child starts fast.
declare const KLIV_WORKER_PROBE: boolean;
if (mode === 'scan') scanStream(args[0] as string, args[1] as string, Number(args[2]), Number(args[3]));
else if (mode === 'probe' && KLIV_WORKER_PROBE) void probe(args[0] as string, args[1] as string);
else {
  process.stderr.write('usage: durability-worker scan|probe …\n');
  process.exitCode = 2;
}
