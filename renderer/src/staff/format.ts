/** Dates and times as staff read them, in the venue's time zone. */
import { localTimeOf, type LocalDate } from '../../../shared/time';
import type { Language } from '../i18n';

export function localeOf(language: Language): string {
  return language === 'sv' ? 'sv-SE' : 'en-GB';
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** "Måndag 2 mars" for a venue-local calendar date; `inSentence` keeps the locale's own case ("måndag"). */
export function formatDay(day: LocalDate, language: Language, inSentence = false): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const text = new Intl.DateTimeFormat(localeOf(language), { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(Date.UTC(y, m - 1, d));
  return inSentence ? text : capitalise(text);
}

/** "2 mars 14:05" for an instant. */
export function formatMoment(at: number, timeZone: string, language: Language): string {
  return new Intl.DateTimeFormat(localeOf(language), {
    timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
  }).format(at);
}

export function nowLocalTime(timeZone: string): string {
  return localTimeOf(Date.now(), timeZone);
}

/** Accepts "930", "0930", "9:30" and "09.30" as 09:30; null when it is not a time. */
export function normaliseTime(input: string): string | null {
  const digits = input.trim().replace(/[.:\s]/g, '');
  if (!/^\d{3,4}$/.test(digits)) return null;
  const padded = digits.padStart(4, '0');
  const h = Number(padded.slice(0, 2));
  const m = Number(padded.slice(2));
  if (h > 23 || m > 59) return null;
  return `${padded.slice(0, 2)}:${padded.slice(2)}`;
}
