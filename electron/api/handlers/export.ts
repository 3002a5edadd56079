/**
 * Export status for staff and "Export now" for coordinators. The export runs
 * in the background (handlers answer at once); the screen polls export.status,
 * which says whether a run is going and how the last one ended.
 */
import { exportConfig, exportNow, exportOutboxDir, exportStatus, isExportRunning } from '../../services/export';
import { actorName } from '../../services/staff';
import type { HandlerTable } from '../dispatch';
import { actorOf } from './staff';

export const exportHandlers = {
  'export.status': (_input, { app }) => exportStatus(app.ctx),
  'export.now': (_input, { app, caller }) => {
    const actor = actorName(actorOf(caller));
    exportConfig(app.ctx); // EXPORT_NOT_CONFIGURED, with what to set, before anything starts
    const started = !isExportRunning(app.ctx.db);
    if (started) {
      // The outcome, failed or not, is recorded in the export history and the audit log.
      exportNow(app.ctx, { outboxDir: exportOutboxDir(app.dataDir), trigger: 'manual', actor }).catch(() => undefined);
    }
    return { started, status: exportStatus(app.ctx) };
  },
} satisfies Partial<HandlerTable>;
