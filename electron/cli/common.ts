/**
 * What every `kliv` command shares: where the data folder is, opening and
 * always closing the app around a command, and plain output. Command files
 * import these instead of keeping their own copies.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openApp, type KlivApp } from '../api/app';

/** A mistake in how the command was called; printed as one line, exit 1. */
export class UsageError extends Error {}

/** --data-dir, else KLIV_DATA_DIR; `hint` adds what else would do. */
export function dataDirOf(cmd: Command, hint = ''): string {
  const dir = cmd.optsWithGlobals<{ dataDir?: string }>().dataDir ?? process.env.KLIV_DATA_DIR;
  if (!dir) throw new UsageError(`no data folder: pass --data-dir DIR or set KLIV_DATA_DIR${hint}`);
  return resolve(dir);
}

export function withApp<T>(cmd: Command, fn: (app: KlivApp) => T): T {
  const app = openApp({ dataDir: dataDirOf(cmd) });
  try {
    return fn(app);
  } finally {
    app.close();
  }
}

export async function withAppAsync<T>(cmd: Command, fn: (app: KlivApp) => Promise<T> | T): Promise<T> {
  const app = openApp({ dataDir: dataDirOf(cmd) });
  try {
    return await fn(app);
  } finally {
    app.close();
  }
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
