/**
 * Monthly reports for coordinators: the report itself for the screen, and
 * the same report as a CSV, XLSX or PDF file. Both reads are audited by the
 * service. The file export is asynchronous (the XLSX and PDF writers stream),
 * so its handler returns a promise that the dispatcher awaits.
 */
import { exportVenueReport, venueMonthlyReport } from '../../services/reports';
import type { HandlerTable } from '../dispatch';
import { actorOf } from './staff';

export const reportHandlers = {
  'reports.monthly': ({ month }, { app, caller }) => venueMonthlyReport(app.ctx, actorOf(caller), month, 'screen'),
  'reports.export': ({ month, format, language }, { app, caller }) => exportVenueReport(app.ctx, actorOf(caller), month, format, language ?? 'sv'),
} satisfies Partial<HandlerTable>;
