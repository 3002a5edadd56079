import { KlivError } from '../../../shared/errors';
import {
  confirmDay, correctCheck, correctVisit, dayReview, manualCheckIn, manualCheckOut, recordCheck, searchForStaff, todayView, visitHistory,
} from '../../services/attendance';
import { readSetting } from '../../services/settings';
import { addStaff, allowNameLogin, login, logout, staffAccounts, unlockAccount, type Actor } from '../../services/staff';
import type { Caller } from '../caller';
import type { HandlerTable } from '../dispatch';

/** The acting staff member; the dispatcher has already checked the role. */
export function actorOf(caller: Caller): Actor {
  if (!caller.session) throw new KlivError('NOT_LOGGED_IN', 'Log in as staff first.');
  return { staffId: caller.session.staffId, role: caller.session.role };
}

export const staffHandlers = {
  'staff.login': (input, { app, caller }) => {
    if (caller.session) {
      logout(app.ctx, caller.session.staffId, 'logout');
      caller.session = null;
    }
    const member = login(app.ctx, input);
    const idleLockSeconds = readSetting(app.ctx, 'staff.idleLockSeconds');
    caller.session = { staffId: member.id, staffName: member.name, role: member.role, lastActive: app.ctx.clock.now() };
    return { staffName: member.name, role: member.role, idleLockSeconds };
  },
  'staff.logout': (_input, { app, caller }) => {
    if (caller.session) logout(app.ctx, caller.session.staffId, 'logout');
    caller.session = null;
    return { ok: true as const };
  },
  'staff.touch': () => ({ ok: true as const }),
  'today.view': ({ day }, { app, caller }) => todayView(app.ctx, actorOf(caller), day),
  'participants.search': ({ query }, { app, caller }) => searchForStaff(app.ctx, actorOf(caller), query),
  'visits.manualCheckIn': ({ participantId, reason }, { app, caller }) => {
    const row = manualCheckIn(app.ctx, actorOf(caller), participantId, reason);
    app.notifyChange();
    return row;
  },
  'visits.manualCheckOut': ({ visitId, reason, at }, { app, caller }) => {
    const row = manualCheckOut(app.ctx, actorOf(caller), visitId, reason, at);
    app.notifyChange();
    return row;
  },
  'visits.correct': ({ visitId, checkedIn, checkedOut, reason }, { app, caller }) => correctVisit(app.ctx, actorOf(caller), visitId, checkedIn, checkedOut, reason),
  'visits.history': ({ visitId }, { app, caller }) => visitHistory(app.ctx, actorOf(caller), visitId),
  'checks.record': ({ visitId, outcome, reason }, { app, caller }) => recordCheck(app.ctx, actorOf(caller), visitId, outcome, reason),
  'checks.correct': ({ checkId, outcome, reason, correctionReason }, { app, caller }) => correctCheck(app.ctx, actorOf(caller), checkId, outcome, reason, correctionReason),
  'day.review': ({ day }, { app }) => dayReview(app.ctx, day),
  'day.confirm': ({ day, autoCloseOpenVisits }, { app, caller }) => confirmDay(app.ctx, actorOf(caller), day, autoCloseOpenVisits),
  'staff.list': (_input, { app, caller }) => staffAccounts(app.ctx, actorOf(caller)),
  'staff.unlock': ({ staffId }, { app, caller }) => unlockAccount(app.ctx, actorOf(caller), staffId),
  'staff.add': (input, { app, caller }) => addStaff(app.ctx, actorOf(caller), input),
  'staff.allowNameLogin': ({ staffId, allow }, { app, caller }) => allowNameLogin(app.ctx, actorOf(caller), staffId, allow),
} satisfies Partial<HandlerTable>;
