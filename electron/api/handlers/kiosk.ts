import { localDateOf } from '../../../shared/time';
import { readSetting } from '../../services/settings';
import { requireVenue } from '../../services/venue';
import type { HandlerTable } from '../dispatch';

export const kioskHandlers = {
  'kiosk.status': (_input, { app, caller }) => {
    const venue = requireVenue(app.ctx);
    const now = app.ctx.clock.now();
    return {
      venueName: venue.name,
      mode: venue.mode,
      timeZone: venue.timeZone,
      today: localDateOf(now, venue.timeZone),
      now,
      session: caller.session ? { staffName: caller.session.staffName, role: caller.session.role, idleLockSeconds: readSetting(app.ctx, 'staff.idleLockSeconds') } : null,
      // Storage trouble (disk full, read-only, failed writes, low space, no recent backup) for the staff alert.
      health: app.health.status(),
    };
  },
  'kiosk.scan': ({ payload }, { app }) => app.kiosk.scan(payload),
  'kiosk.confirmCheckout': ({ ticket, confirm }, { app }) => app.kiosk.confirmCheckout(ticket, confirm),
} satisfies Partial<HandlerTable>;
