// `npm run lint:electron`: Electronegativity's static scan of the Electron
// code, failing on any HIGH or MEDIUM finding that docs/security.md does not
// explain. Run by scripts/test-all.mjs (the CI command).
//
// Electronegativity's own CLI cannot be used: it needs commander 2 and picks
// up the project's commander 14. Its programmatic runner is used instead.
// Its runner also fetches translations from the internet on every start;
// the offline English strings it ships are loaded here instead, so the scan
// is the same on an offline build machine.
//
// Usage: node scripts/lint-electron.mjs [--json] [dir …]   (default: electron/ and dist/renderer/index.html)
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Findings reviewed and explained in docs/security.md ("Electronegativity
 * findings"): check id and the file it is expected in. Anything else of
 * MEDIUM or HIGH severity fails the scan.
 */
export const REVIEWED = [
  // Middle-click (auxclick) can only try to open a window or navigate; every
  // webContents denies window.open and prevents navigation (security.ts).
  { id: 'AUXCLICK_JS_CHECK', file: 'electron/main/window.ts' },
  { id: 'AUXCLICK_JS_CHECK', file: 'electron/main/print.ts' },
  // The one preload exposes window.kliv.call (contract methods only) and nothing else.
  { id: 'PRELOAD_JS_CHECK', file: 'electron/main/window.ts' },
];

/**
 * Checks left out: AvailableSecurityFixesGlobalCheck downloads Electron's
 * release list from GitHub on every run (so the result would depend on the
 * network) and writes it into the temp folder; Electron updates are tracked
 * as a dependency instead (docs/security.md).
 */
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'];

const FAILING = new Set(['HIGH', 'MEDIUM']);

function offlineI18n() {
  const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const i18nFile = join(pkgDir, 'dist', 'locales', 'i18n.js');
  // The i18n package as electronegativity itself resolves it.
  const i18n = createRequire(join(pkgDir, 'package.json'))('i18n');
  const configure = () => {
    i18n.configure({
      locales: ['en-US'], defaultLocale: 'en-US', directory: dirname(i18nFile), updateFiles: false,
      objectNotation: true, retryInDefaultLocale: true, register: globalThis,
    });
    i18n.setLocale('en-US');
    return Promise.resolve();
  };
  // Pre-seed the module cache so the runner's `require('./locales/i18n')` gets this one.
  require.cache[i18nFile] = { id: i18nFile, filename: i18nFile, loaded: true, exports: Object.assign(configure, { default: configure }) };
  return pkgDir;
}

function loadRunner() {
  const pkgDir = offlineI18n();
  const runner = require(join(pkgDir, 'dist', 'runner.js'));
  return typeof runner === 'function' ? runner : runner.default;
}

/** The directory to scan: electron/ plus the renderer's built HTML, copied so one scan sees both. */
function stageInput(dirs) {
  const stage = mkdtempSync(join(tmpdir(), 'kliv-electronegativity-'));
  for (const dir of dirs) {
    const abs = resolve(root, dir);
    if (!existsSync(abs)) throw new Error(`nothing to scan at ${abs} (run node scripts/build.mjs first?)`);
    const rel = relative(root, abs);
    const dest = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? basename(abs) : rel;
    cpSync(abs, join(stage, dest), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  // The version checks read the Electron version from a package.json.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(stage, { recursive: true });
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  return { stage, electronVersion: pkg.devDependencies?.electron ?? pkg.dependencies?.electron };
}

/** Scans `dirs` (relative to the project, or absolute); returns every finding. */
export async function scan(dirs = ['electron', 'dist/renderer/index.html']) {
  const run = loadRunner();
  const { stage, electronVersion } = stageInput(dirs);
  // The runner logs progress through console.log when not in CLI mode too; keep stdout for the result.
  const log = console.log;
  console.log = () => undefined;
  try {
    const result = await run({
      input: stage,
      output: undefined,
      isSarif: false,
      customScan: [],
      excludeFromScan: EXCLUDED_CHECKS,
      severitySet: 'informational',
      confidenceSet: 'tentative',
      isRelative: true,
      isVerbose: false,
      electronUpgrade: undefined,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    }, false);
    const findings = result.issues.map((i) => ({
      id: i.id,
      severity: i.severity.name,
      confidence: i.confidence.name,
      file: i.file,
      line: i.location?.line ?? 0,
      column: i.location?.column ?? 0,
      manualReview: i.manualReview === true,
      description: i.description,
    }));
    const parseErrors = result.errors.filter((e) => !e.tolerable).map((e) => ({ file: relative(stage, e.file), message: e.message }));
    return { checks: result.globalChecks + result.atomicChecks, findings, parseErrors };
  } finally {
    console.log = log;
    rmSync(stage, { recursive: true, force: true });
  }
}

export function isReviewed(finding) {
  return REVIEWED.some((r) => r.id === finding.id && finding.file.replaceAll('\\', '/').endsWith(r.file));
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((a) => !a.startsWith('--'));
  const report = await scan(dirs.length ? dirs : undefined);
  const failing = report.findings.filter((f) => FAILING.has(f.severity) && !isReviewed(f));
  if (json) {
    console.log(JSON.stringify({ ...report, failing }, null, 2));
  } else {
    console.log(`electronegativity: ${report.checks} checks, ${report.findings.length} findings, ${failing.length} failing (HIGH/MEDIUM not reviewed in docs/security.md)`);
    for (const f of report.findings) {
      const mark = failing.includes(f) ? 'FAIL' : isReviewed(f) ? 'reviewed' : 'info';
      console.log(`  [${mark}] ${f.severity}/${f.confidence} ${f.id} ${f.file}:${f.line}:${f.column}`);
    }
    for (const e of report.parseErrors) console.log(`  [FAIL] could not parse ${e.file}: ${e.message}`);
  }
  // A file the scanner could not parse was not checked at all: that fails too.
  process.exitCode = failing.length === 0 && report.parseErrors.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`electronegativity: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 2;
  });
}
