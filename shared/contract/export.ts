/**
 * The nightly export as staff and coordinators see it: its status and
 * history (staff) and "Export now" (coordinator). The bundle format itself is
 * documented in docs/export-format.md.
 */
import { z } from 'zod';
import { empty, localTime, method } from './common';

export const exportTrigger = z.enum(['schedule', 'catch-up', 'retry', 'manual', 'cli']);
export const exportOutcome = z.enum(['running', 'ok', 'nothing', 'failed', 'interrupted']);

export const exportAttemptView = z.object({
  id: z.number().int().positive(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  trigger: exportTrigger,
  /** 'nothing' is a success with no new events. */
  outcome: exportOutcome,
  firstBatch: z.number().int().positive().nullable(),
  lastBatch: z.number().int().positive().nullable(),
  events: z.number().int().nonnegative(),
  /** For the coordinator: what happened, or what failed and where. Never a token. */
  message: z.string(),
});
export type ExportAttemptView = z.infer<typeof exportAttemptView>;

export const exportStatusView = z.object({
  /** A recipient and at least one destination are set. */
  configured: z.boolean(),
  destinations: z.array(z.object({ kind: z.enum(['folder', 'url']), target: z.string() })),
  exportTime: localTime,
  timeZone: z.string(),
  nextRunAt: z.number().nullable(),
  running: z.boolean(),
  lastSuccessAt: z.number().nullable(),
  lastAttempt: exportAttemptView.nullable(),
  /** Show a warning: not set up, or more than 36 hours without a successful export. */
  warning: z.boolean(),
  problem: z.enum(['not_configured', 'overdue', 'last_failed']).nullable(),
  exportedThroughSeq: z.number().int().nonnegative(),
  lastBatch: z.number().int().nonnegative(),
  /** Events not yet at every destination. */
  pendingEvents: z.number().int().nonnegative(),
  history: z.array(exportAttemptView),
});
export type ExportStatusView = z.infer<typeof exportStatusView>;

export const exportMethods = {
  'export.status': method('staff', empty, exportStatusView),
  /** Starts an export in the background; `started` is false when one was already running. Poll export.status. */
  'export.now': method('coordinator', empty, z.object({ started: z.boolean(), status: exportStatusView })),
} as const;
