/**
 * Where the TrueType fonts for generated PDFs (cards, reports) are found.
 * PDFs embed their fonts, so a card prints the same on every machine; the
 * app ships DejaVu Sans in build/fonts (copied to dist/fonts when bundled).
 * A Linux system copy is the last resort for a development checkout.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KlivError } from '../../shared/errors';

const SYSTEM_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];

function candidateDirs(): string[] {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  return [
    // bundled: dist/electron/*.cjs → dist/fonts
    join(here, '..', 'fonts'),
    // source: electron/services → build/fonts; bundled: dist/electron → build/fonts
    join(here, '..', '..', 'build', 'fonts'),
    join(process.cwd(), 'build', 'fonts'),
    ...(resources ? [join(resources, 'fonts')] : []),
    ...SYSTEM_DIRS,
  ];
}

const cache = new Map<string, string>();

/** Absolute path of a font file such as "DejaVuSans-Bold.ttf". */
export function fontPath(name: string): string {
  const known = cache.get(name);
  if (known) return known;
  for (const dir of candidateDirs()) {
    const file = join(dir, name);
    if (existsSync(file)) {
      cache.set(name, file);
      return file;
    }
  }
  throw new KlivError('INTERNAL', `The font ${name} is missing: reinstall Kliv (it ships in build/fonts).`);
}
