/**
 * The storage health of a running Kliv, for the staff alert on the kiosk
 * (kiosk.status → health) and `kliv doctor`.
 *
 * - A write that failed for a storage reason (disk full, read-only, I/O) is
 *   remembered until a later write succeeds: a scan that wrote, or a small
 *   probe write this monitor makes itself (at most every `probeEveryMs`)
 *   while a problem is outstanding, so the alert clears once staff free
 *   space, without anyone having to scan first.
 * - Free space on the data folder's disk (statfs), so staff are told before
 *   the disk is full.
 * - The age of the newest backup in <data>/backups, and whether the last
 *   backup run failed.
 *
 * `problem` is a stable code (HealthProblem) that the renderer translates.
 */
import { statfsSync } from 'node:fs';
import type { Clock } from './context';
import { latestBackup } from './backup';

export type StorageProblem = 'storage_full' | 'storage_read_only' | 'storage_failed';
export type HealthProblem = StorageProblem | 'disk_low' | 'backup_failed' | 'backup_overdue';

export interface HealthStatus {
  ok: boolean;
  problem: HealthProblem | null;
}

export interface HealthReport extends HealthStatus {
  /** Every problem found, most urgent first. */
  problems: HealthProblem[];
  lastStorageError: { problem: StorageProblem; code: string; at: number } | null;
  freeBytes: number | null;
  lastBackupAt: number | null;
  lastBackupFailure: { at: number; message: string } | null;
}

/** Staff are warned below this much free space on the data folder's disk. */
export const DISK_LOW_BYTES = 200 * 1024 * 1024;
/** Nightly backups: two missed nights is a problem. */
export const BACKUP_MAX_AGE_MS = 48 * 3600_000;

/** The storage problem behind an error thrown by a write, or null for any other error. */
export function storageProblemOf(err: unknown): StorageProblem | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === 'STORAGE_FULL' || code === 'ENOSPC') return 'storage_full';
  if (code.startsWith('SQLITE_READONLY') || code === 'STORAGE_READ_ONLY' || code === 'EROFS') return 'storage_read_only';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_CANTOPEN' || code === 'STORAGE_FAILED' || code === 'EIO') return 'storage_failed';
  return null;
}

/** Bytes an unprivileged user can still write on the disk holding `dir`, or null when unknown. */
export function freeBytesAt(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

export interface HealthOptions {
  dataDir: string;
  clock: Clock;
  /** A tiny committed write; throws like any write when storage is failing. */
  probe?: () => void;
  freeBytes?: (dir: string) => number | null;
  lastBackupAt?: (dataDir: string) => number | null;
  lowDiskBytes?: number;
  backupMaxAgeMs?: number;
  probeEveryMs?: number;
  /** How long a disk-space or backup-folder reading is reused (kiosk.status is polled). */
  cacheMs?: number;
}

export interface HealthMonitor {
  /** Remembers a storage failure; returns whether `err` was one. */
  recordStorageError(err: unknown): boolean;
  /** A write went through: any storage failure is over. */
  recordWriteOk(): void;
  recordBackup(outcome: { ok: true } | { ok: false; message: string }): void;
  status(): HealthStatus;
  report(): HealthReport;
}

export function createHealthMonitor(options: HealthOptions): HealthMonitor {
  const clock = options.clock;
  const freeBytes = options.freeBytes ?? freeBytesAt;
  const lastBackupAt = options.lastBackupAt ?? ((dir: string) => latestBackup(dir)?.at ?? null);
  const lowDisk = options.lowDiskBytes ?? DISK_LOW_BYTES;
  const maxBackupAge = options.backupMaxAgeMs ?? BACKUP_MAX_AGE_MS;
  const probeEvery = options.probeEveryMs ?? 15_000;
  const cacheMs = options.cacheMs ?? 30_000;
  const startedAt = clock.now();

  let storageError: HealthReport['lastStorageError'] = null;
  let lastProbeAt = -Infinity;
  let backupFailure: HealthReport['lastBackupFailure'] = null;
  let disk: { at: number; value: number | null } | null = null;
  let backup: { at: number; value: number | null } | null = null;

  const cached = (slot: { at: number; value: number | null } | null, read: () => number | null): { at: number; value: number | null } => {
    const now = clock.now();
    if (slot && now - slot.at < cacheMs && now >= slot.at) return slot;
    let value: number | null = null;
    try {
      value = read();
    } catch {
      value = null;
    }
    return { at: now, value };
  };

  function recordStorageError(err: unknown): boolean {
    const problem = storageProblemOf(err);
    if (!problem) return false;
    storageError = { problem, code: String((err as { code?: unknown }).code), at: clock.now() };
    lastProbeAt = clock.now();
    disk = null;
    return true;
  }

  function maybeProbe(): void {
    if (!storageError || !options.probe) return;
    const now = clock.now();
    if (now - lastProbeAt < probeEvery && now >= lastProbeAt) return;
    lastProbeAt = now;
    try {
      options.probe();
      storageError = null;
    } catch (err) {
      if (!recordStorageError(err)) storageError = null;
    }
  }

  function report(): HealthReport {
    maybeProbe();
    disk = cached(disk, () => freeBytes(options.dataDir));
    backup = cached(backup, () => lastBackupAt(options.dataDir));
    const now = clock.now();
    const problems: HealthProblem[] = [];
    if (storageError) problems.push(storageError.problem);
    if (disk.value !== null && disk.value < lowDisk) problems.push('disk_low');
    if (backupFailure) problems.push('backup_failed');
    else if (now - (backup.value ?? startedAt) > maxBackupAge) problems.push('backup_overdue');
    return {
      ok: problems.length === 0,
      problem: problems[0] ?? null,
      problems,
      lastStorageError: storageError,
      freeBytes: disk.value,
      lastBackupAt: backup.value,
      lastBackupFailure: backupFailure,
    };
  }

  return {
    recordStorageError,
    recordWriteOk() {
      storageError = null;
    },
    recordBackup(outcome) {
      backupFailure = outcome.ok ? null : { at: clock.now(), message: outcome.message };
      backup = null;
      disk = null;
    },
    status() {
      const r = report();
      return { ok: r.ok, problem: r.problem };
    },
    report,
  };
}
