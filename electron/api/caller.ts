import type { Role, StaffRole } from '../../shared/api';

/** A staff login held by one transport client (a window or a browser cookie). */
export interface StaffSession {
  staffId: number;
  staffName: string;
  role: StaffRole;
  lastActive: number;
}

/** Who is calling: one per window (IPC) or per browser client (HTTP). */
export interface Caller {
  session: StaffSession | null;
}

export function callerRole(caller: Caller): Role {
  return caller.session?.role ?? 'kiosk';
}

export function newCaller(): Caller {
  return { session: null };
}
