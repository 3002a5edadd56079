/** How schedules and dates read on the participant screens. */
import type { ScheduleView, Weekday } from '../../../shared/api';
import { WEEKDAYS } from '../../../shared/api';
import type { Language, Params } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { localeOf } from '../staff/format';

type T = (key: MessageKey, params?: Params) => string;

export function daysText(t: T, days: readonly Weekday[]): string {
  return WEEKDAYS.filter((d) => days.includes(d)).map((d) => t(`participants.day.${d}`)).join(', ');
}

export function scheduleText(t: T, s: Pick<ScheduleView, 'days' | 'start' | 'end'>): string {
  return t('participants.schedule.summary', { days: daysText(t, s.days), start: s.start, end: s.end });
}

/** "2 mars 2026" for a venue-local date. */
export function dateText(day: string, language: Language): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(localeOf(language), { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(Date.UTC(y, m - 1, d));
}

export function periodText(t: T, s: Pick<ScheduleView, 'validFrom' | 'validTo'>, language: Language): string {
  return s.validTo
    ? t('participants.schedule.periodTo', { from: dateText(s.validFrom, language), to: dateText(s.validTo, language) })
    : t('participants.schedule.period', { from: dateText(s.validFrom, language) });
}

/** "09:00" ± minutes, kept within the day. */
export function stepTime(time: string, minutes: number): string {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  const now = m ? Number(m[1]) * 60 + Number(m[2]) : 9 * 60;
  const clamped = Math.min(23 * 60 + 30, Math.max(0, Math.round((now + minutes) / 30) * 30));
  return `${String(Math.floor(clamped / 60)).padStart(2, '0')}:${String(clamped % 60).padStart(2, '0')}`;
}
