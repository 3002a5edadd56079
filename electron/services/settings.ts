/**
 * Every setting the venue can change, with its validation, default and a
 * description that `kliv config` shows when a value is refused. Values are
 * stored as strings in the settings table.
 */
import { z } from 'zod';
import { KlivError } from '../../shared/errors';
import { isAbsolute } from 'node:path';
import { isLocalTime } from '../../shared/time';
import { deleteSetting, getSetting, setSetting } from '../db/settings';
import type { ServiceContext } from './context';
import { isAgeRecipientList, isExportUrl } from './exportCrypto';

export interface SettingSpec<T> {
  schema: z.ZodType<T>;
  fallback: T;
  help: string;
  /** Never printed in full (tokens). */
  secret?: boolean;
}

const spec = <T>(schema: z.ZodType<T>, fallback: T, help: string, secret = false): SettingSpec<T> => ({ schema, fallback, help, secret });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const hhmm = z.string().refine(isLocalTime, 'HH:MM');
/** Whole numbers written as digits only, so an empty value is refused rather than read as 0. */
const digits = (min: number, max: number) => z.string().regex(/^\d{1,6}$/).transform(Number).pipe(z.number().int().min(min).max(max));

export const SETTINGS = {
  'venue.openingTime': spec(hhmm, '09:00', 'opening time, HH:MM (e.g. 09:00)'),
  'venue.closingTime': spec(hhmm, '16:00', 'closing time, HH:MM (e.g. 16:00); open visits can be closed at this time when the day is confirmed'),
  'staff.idleLockSeconds': spec(z.coerce.number().int().min(5).max(3600), 120, 'seconds without a touch before staff mode locks itself, 5–3600 (e.g. 120)'),
  'checks.notTodayEndsVisit': spec(bool, true, '"true" or "false": whether a "not today" check ends the visit at once'),
  'kiosk.doubleScanSeconds': spec(z.coerce.number().int().min(1).max(60), 5, 'seconds in which a repeated scan of the same card is ignored, 1–60 (e.g. 5)'),
  'export.recipient': spec(z.string().refine(isAgeRecipientList), '', "the municipality's age public key (X25519), e.g. age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p (several: separate them with commas)"),
  'export.folder': spec(z.string().refine(isAbsolute), '', 'an absolute path to a folder on the mounted share, e.g. /mnt/kommun/kliv-inbox (Linux) or \\\\server\\kliv-inbox (Windows)'),
  'export.url': spec(z.string().refine(isExportUrl), '', 'an https:// address that accepts bundles, e.g. https://kliv.kommun.example/bundles (no user:password in it; the token goes in export.token)'),
  'export.token': spec(z.string().regex(/^[\x21-\x7e]{16,512}$/), '', 'the bearer token for export.url: 16–512 printable characters without spaces', true),
  'export.time': spec(hhmm, '02:00', "time of the nightly export in the venue's time zone, HH:MM (e.g. 02:00)"),
  'backup.time': spec(hhmm, '01:30', "time of the nightly backup (and the retention purge after it) in the venue's time zone, HH:MM (e.g. 01:30)"),
  'backup.keep': spec(digits(1, 365), 14, 'how many daily backups to keep in <data>/backups, 1–365 (e.g. 14)'),
  'retention.months': spec(digits(0, 240), 24, 'months of attendance to keep; older visits, checks and exported events are purged every night, 0–240 (0 = keep forever; e.g. 24)'),
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['fallback'];

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}

export function readSetting<K extends SettingKey>(ctx: Pick<ServiceContext, 'db'>, key: K): SettingValue<K> {
  const raw = getSetting(ctx.db, key);
  const s = SETTINGS[key] as SettingSpec<SettingValue<K>>;
  if (raw === undefined) return s.fallback;
  const parsed = s.schema.safeParse(raw);
  return parsed.success ? parsed.data : s.fallback;
}

/** Validates and stores a setting given as text (CLI, settings screen). */
export function writeSetting(ctx: Pick<ServiceContext, 'db'>, key: string, value: string | null): void {
  if (!isSettingKey(key)) throw new KlivError('BAD_INPUT', `Unknown setting "${key}". Known settings: ${Object.keys(SETTINGS).join(', ')}.`);
  if (value === null) {
    deleteSetting(ctx.db, key);
    return;
  }
  const s = SETTINGS[key] as SettingSpec<unknown>;
  if (!s.schema.safeParse(value).success) throw new KlivError('BAD_INPUT', `Refused ${key}="${s.secret ? '…' : value.slice(0, 80)}": expected ${s.help}.`);
  setSetting(ctx.db, key, value);
}

export function describeSetting(ctx: Pick<ServiceContext, 'db'>, key: SettingKey): { key: SettingKey; value: string; isDefault: boolean; help: string } {
  const raw = getSetting(ctx.db, key);
  const s = SETTINGS[key] as SettingSpec<unknown>;
  const shown = raw === undefined ? String(s.fallback) : s.secret ? `${raw.slice(0, 4)}…` : raw;
  return { key, value: shown, isDefault: raw === undefined, help: s.help };
}
