// `npm run bench`: every benchmark figure in one run, printed as a table and
// written to bench-results.json. Benchmarks are TypeScript in scripts/bench/,
// bundled here with esbuild so they run the same code as the app.
import { build } from 'esbuild';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const only = process.argv.slice(2);

const suites = [
  { name: 'checkin', file: 'checkin.ts', fn: 'runCheckinBench' },
  { name: 'scan', file: 'scan-browser.ts', fn: 'runScanBrowserBench' },
  { name: 'report', file: 'report.ts', fn: 'runReportBench' },
  { name: 'export', file: 'export.ts', fn: 'runExportBench' },
].filter((s) => existsSync(join(root, 'scripts', 'bench', s.file)) && (only.length === 0 || only.includes(s.name)));

const figures = [];
for (const suite of suites) {
  const outfile = join(root, 'dist', 'bench', suite.file.replace(/\.ts$/, '.cjs'));
  await build({
    entryPoints: [join(root, 'scripts', 'bench', suite.file)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['electron', 'better-sqlite3', 'playwright-core', 'better-sqlite3-multiple-ciphers'], logLevel: 'warning',
  });
  process.stdout.write(`running ${suite.name} …\n`);
  const mod = require(outfile);
  const result = await mod[suite.fn]();
  figures.push(...(Array.isArray(result) ? result : [result]));
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
const header = ['figure', 'value', 'baseline (same run)', 'ratio', 'target'];
const rows = figures.map((f) => [f.figure, f.value, f.baseline, f.ratio, f.target]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(`\nKliv benchmarks on ${machine}`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify({ machine, at: new Date().toISOString(), figures }, null, 2)}\n`);
console.log('\nwritten to bench-results.json');
