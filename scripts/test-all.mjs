// The one test command (README and CI): build, type-check, lint, unit and
// component tests (vitest), end-to-end tests (Playwright in Chromium on browser
// mode). Ends with a plain "N passed, N failed" line summed from the JSON
// reports, and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2);

let passed = 0;
let failed = 0;
const failures = [];

function run(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  return res.status === 0;
}

function step(name, command, args) {
  if (only.length && !only.includes(name)) return;
  if (run(name, command, args)) passed++;
  else { failed++; failures.push(name); }
}

function suite(name, command, args, reportFile, count) {
  if (only.length && !only.includes(name)) return;
  const ok = run(name, command, args);
  const file = join(reports, reportFile);
  if (!existsSync(file)) {
    failed++;
    failures.push(`${name} (no report)`);
    return;
  }
  const counts = count(JSON.parse(readFileSync(file, 'utf8')));
  passed += counts.passed;
  failed += counts.failed;
  if (counts.failed > 0) failures.push(`${name}: ${counts.failed} failed`);
  else if (!ok) { failed++; failures.push(`${name} exited non-zero`); }
  if (counts.passed + counts.failed === 0) { failed++; failures.push(`${name} ran no test`); }
}

step('build', process.execPath, ['scripts/build.mjs', '--quiet']);
step('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
step('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings=0']);
step('electronegativity', process.execPath, ['scripts/lint-electron.mjs']);
suite('vitest', process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`], 'vitest.json',
  (r) => ({ passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0) + ((r.numFailedTestSuites ?? 0) > 0 && (r.numFailedTests ?? 0) === 0 ? r.numFailedTestSuites : 0) }));
suite('e2e', process.execPath, ['node_modules/@playwright/test/cli.js', 'test'], 'e2e.json',
  (r) => ({ passed: r.stats?.expected ?? 0, failed: (r.stats?.unexpected ?? 0) + (r.stats?.flaky ?? 0) + (r.errors?.length ?? 0) }));

if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
