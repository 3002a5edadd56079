/**
 * What every staff screen shares: the logged-in session, the venue's time
 * zone and one call() that turns a server-side session expiry into a lock.
 */
import { createContext, useContext } from 'react';
import type { KioskStatus, MethodInput, MethodName, MethodOutput, StaffRole } from '../../../shared/api';
import { roleAtLeast } from '../../../shared/api';
import type { Result } from '../../../shared/errors';

export interface StaffSession {
  staffName: string;
  role: StaffRole;
  idleLockSeconds: number;
}

export type StaffCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;

export interface StaffContextValue {
  session: StaffSession;
  status: KioskStatus;
  /** Like kliv.call, but NOT_LOGGED_IN (idle expiry on the server) locks the screen. */
  call: StaffCall;
  can(role: StaffRole): boolean;
}

export const StaffContext = createContext<StaffContextValue | null>(null);

export function useStaff(): StaffContextValue {
  const ctx = useContext(StaffContext);
  if (!ctx) throw new Error('useStaff outside StaffMode');
  return ctx;
}

export function hasRole(have: StaffRole, need: StaffRole): boolean {
  return roleAtLeast(have, need);
}
