/**
 * The renderer shows names and other typed text only through React's text
 * rendering, which escapes them. The ways around that (raw HTML sinks and
 * string-to-code) must not appear in renderer code; test/e2e/naughty.spec.ts
 * shows the result in Chromium. A new use needs a reason in
 * docs/security.md and an entry here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');

const SINKS: [string, RegExp][] = [
  ['dangerouslySetInnerHTML', /dangerouslySetInnerHTML/],
  ['innerHTML / outerHTML', /\.(inner|outer)HTML\b/],
  ['insertAdjacentHTML', /insertAdjacentHTML/],
  ['document.write', /document\.write(ln)?\s*\(/],
  ['srcdoc', /\bsrcdoc\b/i],
  ['createContextualFragment / DOMParser', /createContextualFragment|new\s+DOMParser/],
  ['eval', /(^|[^.\w])eval\s*\(/],
  ['new Function', /new\s+Function\s*\(/],
  ['string timers', /set(Timeout|Interval)\s*\(\s*['"`]/],
  ['javascript: URLs', /['"`]javascript:/i],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx|js|jsx|html)$/.test(name) ? [path] : [];
  });
}

describe('renderer code', () => {
  const sources = [...files(join(ROOT, 'renderer', 'src')), join(ROOT, 'renderer', 'index.html')];

  it('is there to check', () => {
    expect(sources.length).toBeGreaterThan(20);
  });

  it.each(SINKS)('has no %s', (_name, pattern) => {
    const hits = sources.flatMap((file) => readFileSync(file, 'utf8').split('\n')
      .map((line, i) => ({ where: `${relative(ROOT, file)}:${i + 1}`, line }))
      .filter(({ line }) => pattern.test(line)));
    expect(hits).toEqual([]);
  });

  it('the page itself loads no inline script and no script from elsewhere', () => {
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attrs, body] of scripts) {
      expect(body?.trim()).toBe('');
      expect(attrs).toMatch(/src="\.?\/?[^":]+"/);
    }
  });
});
