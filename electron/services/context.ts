import type { Database } from 'better-sqlite3';
import type { SecretStore } from './secrets';

/** Injected time: `now` is wall-clock UTC ms; `monotonic` never jumps and is used for double-scan windows. */
export interface Clock {
  now(): number;
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

export interface ServiceContext {
  db: Database;
  clock: Clock;
  secrets: SecretStore;
}
