/**
 * The one contract between the renderer and the main process. Each method
 * names the least role that may call it, a zod schema for its input and one
 * for its output. Both transports (Electron IPC and browser-mode HTTP) and the
 * handler table are typed from this object, so a method cannot exist on one
 * side only. Features keep their methods in shared/contract/<feature>.ts.
 */
import type { z } from 'zod';
import type { Result } from './errors';
import { kioskMethods } from './contract/kiosk';
import { staffMethods } from './contract/staff';
import { exportMethods } from './contract/export';
import { reportMethods } from './contract/reports';
import { participantMethods } from './contract/participants';

export * from './contract/common';
export * from './contract/kiosk';
export * from './contract/staff';
export * from './contract/export';
export * from './contract/reports';
export * from './contract/participants';

export const contract = {
  ...kioskMethods,
  ...staffMethods,
  ...exportMethods,
  ...reportMethods,
  ...participantMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(contract, value);
}

/** What window.kliv offers in both the desktop app and browser mode. */
export interface KlivBridge {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  /** 'desktop' or 'browser': lets the UI choose print vs download. */
  readonly transport: 'desktop' | 'browser';
}

/** The IPC channel name; the only one the preload uses. */
export const IPC_CHANNEL = 'kliv:call';
