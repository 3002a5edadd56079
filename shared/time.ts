/**
 * Venue-day arithmetic. Instants are UTC milliseconds; a "day" is a calendar
 * date (YYYY-MM-DD) in the venue's IANA time zone. Only Intl is used so this
 * runs in Node, the renderer and tests alike.
 */
export type LocalDate = string; // YYYY-MM-DD
export type LocalTime = string; // HH:MM

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

export function localParts(instant: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0,
    hour: (parts.hour ?? 0) % 24, minute: parts.minute ?? 0, second: parts.second ?? 0,
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function localDateOf(instant: number, timeZone: string): LocalDate {
  const p = localParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

export function localTimeOf(instant: number, timeZone: string): LocalTime {
  const p = localParts(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isLocalDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function isLocalTime(value: string): boolean {
  return TIME_RE.test(value);
}

function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in the zone. A time that does not exist
 * (the spring-forward gap) moves forward by the gap; an ambiguous time (the
 * autumn repeat) resolves to the earlier instant.
 */
export function zonedTimeToInstant(date: LocalDate, time: LocalTime, timeZone: string): number {
  const dm = DATE_RE.exec(date);
  const tm = /^(\d{2}):(\d{2})$/.exec(time);
  if (!dm || !tm) throw new RangeError(`bad local date/time ${date} ${time}`);
  const wall = Date.UTC(Number(dm[1]), Number(dm[2]) - 1, Number(dm[3]), Number(tm[1]), Number(tm[2]));
  // Try the offsets in force a day before and a day after the wall time; keep
  // the earliest that maps back. The probes must be a full day away: offsets
  // reach ±14 h, so a half-day probe can land on the wrong side of the change
  // (Pacific/Auckland, UTC+12/+13).
  const DAY = 86_400_000;
  const before = offsetAt(wall - DAY, timeZone);
  const candidates = new Set<number>();
  for (const offset of [before, offsetAt(wall, timeZone), offsetAt(wall + DAY, timeZone)]) candidates.add(wall - offset);
  const exact = [...candidates].filter((c) => offsetAt(c, timeZone) === wall - c).sort((a, b) => a - b);
  if (exact.length > 0) return exact[0] as number;
  // In a gap: use the offset before the change, which lands after the gap.
  return wall - before;
}

export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  return zonedTimeToInstant(date, '00:00', timeZone);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`bad local date ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`bad local date ${date}`);
  const js = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return js === 0 ? 7 : js;
}

/** Minutes between two wall-clock times on the same day ("09:00" → "12:30" = 210). */
export function minutesOfDay(time: LocalTime): number {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m) throw new RangeError(`bad local time ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}
