/**
 * The coordinator's monthly report: pick a month and see at once how the
 * venue did. Sober hours are the headline; each key figure stands beside the
 * previous month's; two charts (hours per day, participants per weekday
 * against the previous month); the participants table; and the same report
 * as a CSV, Excel or PDF file to attach to the monthly follow-up.
 *
 * Props:
 *   call  – kliv.call, or staff mode's call (which locks on NOT_LOGGED_IN)
 *   today – the venue's local date (KioskStatus.today): the screen opens on
 *           the month before it, the last complete one, and goes no later
 *           than its month.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import {
  shiftMonth, type DayFigures, type MonthlyReport, type ParticipantReportRow, type ReportFigures, type ReportFile, type ReportFormat,
} from '../../../shared/contract/reports';
import type { Result } from '../../../shared/errors';
import { IconCalendar, IconChevron, IconClock, IconFlag, IconWarning } from '../components/Icons';
import { errorMessageKey, useI18n, type Language } from '../i18n';
import type { MessageKey } from '../i18n/sv';
import { DayBars, WeekdayBars } from './ReportCharts';
import './reports.css';

export type ReportCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;

export interface ReportScreenProps {
  call: ReportCall;
  /** The venue's local date, YYYY-MM-DD. */
  today: string;
}

const localeOf = (language: Language): string => (language === 'sv' ? 'sv-SE' : 'en-GB');

function useFormat(language: Language) {
  return useMemo(() => {
    const locale = localeOf(language);
    const numbers = new Map<number, Intl.NumberFormat>();
    const number = (n: number, decimals = 0): string => {
      let f = numbers.get(decimals);
      if (!f) {
        f = new Intl.NumberFormat(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
        numbers.set(decimals, f);
      }
      return f.format(n);
    };
    const utc = (day: string): number => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
    const monthFmt = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'long', year: 'numeric' });
    const shortDay = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short' });
    const longDay = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'long' });
    const weekdayFmt = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short' });
    const weekdayLong = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'long' });
    // 2024-01-01 was a Monday: weekday n (1 = Monday) is 2024-01-0n.
    const weekdayDate = (n: number): number => Date.UTC(2024, 0, n);
    const capitalise = (s: string): string => s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);
    return {
      number,
      percent: (rate: number): string => `${number(rate * 100)} %`,
      month: (month: string): string => capitalise(monthFmt.format(utc(`${month}-01`))),
      shortDay: (day: string): string => shortDay.format(utc(day)),
      longDay: (day: string): string => longDay.format(utc(day)),
      weekday: (n: number): string => weekdayFmt.format(weekdayDate(n)),
      weekdayLong: (n: number): string => capitalise(weekdayLong.format(weekdayDate(n))),
      moment: (at: number, timeZone: string): string => new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at),
    };
  }, [language]);
}

type Format = ReturnType<typeof useFormat>;

/** Saves a file from the report export: a Blob download, the same in the browser and the desktop window. */
export function saveReportFile(file: ReportFile): void {
  const binary = atob(file.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

const IconDownload = ({ className }: { className?: string }) => (
  <svg viewBox="0 0 96 96" fill="none" stroke="currentColor" strokeWidth={8} strokeLinecap="round" strokeLinejoin="round" aria-hidden className={className}>
    <path d="M48 14v46M28 42l20 20 20-20M18 78h60" />
  </svg>
);

function Delta({ current, previous, kind, format }: { current: number; previous: number; kind: 'count' | 'hours' | 'rate'; format: Format }) {
  const diff = Math.round((current - previous) * 10_000) / 10_000;
  if (diff === 0) return <span className="rdelta rdelta--same">±0</span>;
  const text = kind === 'rate' ? `${format.number(Math.abs(diff) * 100)} %` : format.number(Math.abs(diff), kind === 'hours' ? 1 : 0);
  return <span className={`rdelta rdelta--${diff > 0 ? 'up' : 'down'}`}>{diff > 0 ? '+' : '−'}{text}</span>;
}

interface FigureSpec { key: keyof ReportFigures; label: MessageKey; kind: 'count' | 'hours' | 'rate' }

const FIGURES: FigureSpec[] = [
  { key: 'participants', label: 'reports.fig.participants', kind: 'count' },
  { key: 'newParticipants', label: 'reports.fig.newParticipants', kind: 'count' },
  { key: 'visits', label: 'reports.fig.visits', kind: 'count' },
  { key: 'daysWithAttendance', label: 'reports.fig.daysWithAttendance', kind: 'count' },
  { key: 'hours', label: 'reports.fig.hours', kind: 'hours' },
  { key: 'meanHoursPerParticipant', label: 'reports.fig.meanHours', kind: 'hours' },
  { key: 'medianHoursPerParticipant', label: 'reports.fig.medianHours', kind: 'hours' },
  { key: 'checksReady', label: 'reports.fig.checksReady', kind: 'count' },
  { key: 'checksNotToday', label: 'reports.fig.checksNotToday', kind: 'count' },
  { key: 'attendanceRate', label: 'reports.fig.attendanceRate', kind: 'rate' },
];

function figureText(value: number | null, kind: FigureSpec['kind'], format: Format): string {
  if (value === null) return '–';
  return kind === 'rate' ? format.percent(value) : format.number(value, kind === 'hours' ? 1 : 0);
}

type SortKey = 'name' | 'daysAttended' | 'visits' | 'hours' | 'soberHours' | 'checksReady' | 'checksNotToday' | 'attendanceRate' | 'firstVisit';

const SORTERS: Record<SortKey, (p: ParticipantReportRow) => number | string> = {
  name: (p) => p.displayName ?? p.code,
  daysAttended: (p) => p.daysAttended,
  visits: (p) => p.visits,
  hours: (p) => p.hours,
  soberHours: (p) => p.soberHours,
  checksReady: (p) => p.checksReady,
  checksNotToday: (p) => p.checksNotToday,
  attendanceRate: (p) => p.attendanceRate ?? -1,
  firstVisit: (p) => p.firstVisit ?? '',
};

function ParticipantsTable({ report, format }: { report: MonthlyReport; format: Format }) {
  const { t, language } = useI18n();
  const [sort, setSort] = useState<{ key: SortKey; down: boolean }>({ key: 'name', down: false });
  const hasSchedules = report.participants.some((p) => p.scheduledDays !== null);
  const rows = useMemo(() => {
    const collator = new Intl.Collator(localeOf(language), { sensitivity: 'base', numeric: true });
    const get = SORTERS[sort.key];
    const sorted = [...report.participants].sort((a, b) => {
      const x = get(a);
      const y = get(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return c || collator.compare(a.code, b.code);
    });
    return sort.down ? sorted.reverse() : sorted;
  }, [report.participants, sort, language]);

  const head = (key: SortKey, label: MessageKey, numeric = true) => {
    const active = sort.key === key;
    return (
      <th scope="col" className={numeric ? 'rtable__num' : undefined} aria-sort={active ? (sort.down ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className={`rtable__sort${active ? ' is-active' : ''}`} aria-label={t('reports.sortBy', { column: t(label) })}
          onClick={() => setSort((s) => ({ key, down: s.key === key ? !s.down : numeric }))} data-testid={`sort-${key}`}>
          {t(label)}{active && <span aria-hidden="true" className="rtable__arrow">{sort.down ? '▼' : '▲'}</span>}
        </button>
      </th>
    );
  };

  return (
    <div className="rtable__wrap">
      <table className="rtable" data-testid="report-table">
        <thead>
          <tr>
            {head('name', 'reports.col.participant', false)}
            {head('daysAttended', 'reports.col.days')}
            {head('visits', 'reports.col.visits')}
            {head('hours', 'reports.col.hours')}
            {head('soberHours', 'reports.col.soberHours')}
            {head('checksReady', 'reports.col.ready')}
            {head('checksNotToday', 'reports.col.notToday')}
            {hasSchedules && head('attendanceRate', 'reports.col.schedule')}
            {head('firstVisit', 'reports.col.period', false)}
            <th scope="col">{t('reports.col.flags')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.code} data-testid={`report-row-${p.code}`}>
              <th scope="row" className="rtable__who">
                <span className="rtable__name">{p.displayName ?? p.code}</span>
                <span className="rtable__code">{p.displayName !== null ? p.code : p.venues.join(' ')}</span>
                {p.newThisMonth && <span className="chip chip--ready rtable__new">{t('reports.new')}</span>}
              </th>
              <td className="rtable__num">{format.number(p.daysAttended)}</td>
              <td className="rtable__num">{format.number(p.visits)}</td>
              <td className="rtable__num">{format.number(p.hours, 1)}</td>
              <td className="rtable__num rtable__sober">{format.number(p.soberHours, 1)}</td>
              <td className="rtable__num">{format.number(p.checksReady)}</td>
              <td className="rtable__num">{format.number(p.checksNotToday)}</td>
              {hasSchedules && (
                <td className="rtable__num">
                  {p.scheduledDays === null ? '–' : (
                    <>
                      <span>{t('reports.scheduleValue', { attended: p.scheduledDaysAttended ?? 0, scheduled: p.scheduledDays })}</span>
                      {p.attendanceRate !== null && <span className="rtable__rate">{format.percent(p.attendanceRate)}</span>}
                    </>
                  )}
                </td>
              )}
              <td className="rtable__period">{p.firstVisit && p.lastVisit ? `${format.shortDay(p.firstVisit)} – ${format.shortDay(p.lastVisit)}` : '–'}</td>
              <td>
                <div className="rtable__flags">
                {p.openVisits > 0 && <span className="chip chip--pending"><IconClock className="chip__icon" />{t('reports.flag.open')}</span>}
                {p.flags.corrected > 0 && <span className="chip chip--flag"><IconFlag className="chip__icon" />{t('reports.flag.corrected', { count: p.flags.corrected })}</span>}
                {p.flags.autoClosed > 0 && <span className="chip chip--flag">{t('reports.flag.autoClosed', { count: p.flags.autoClosed })}</span>}
                {p.flags.manual > 0 && <span className="chip">{t('reports.flag.manual', { count: p.flags.manual })}</span>}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FORMATS: { format: ReportFormat; label: MessageKey }[] = [
  { format: 'pdf', label: 'reports.download.pdf' },
  { format: 'xlsx', label: 'reports.download.xlsx' },
  { format: 'csv', label: 'reports.download.csv' },
];

export function ReportScreen({ call, today }: ReportScreenProps) {
  const { t, language } = useI18n();
  const format = useFormat(language);
  const thisMonth = today.slice(0, 7);
  const [month, setMonth] = useState(() => shiftMonth(thisMonth, -1));
  const [report, setReport] = useState<MonthlyReport | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const latest = useRef(month);

  useEffect(() => {
    latest.current = month;
    setError(null);
    setSaved(null);
    void call('reports.monthly', { month }).then((res) => {
      if (latest.current !== month) return;
      if (res.ok) setReport(res.value);
      else setError(errorMessageKey(res.error.code));
    });
  }, [call, month]);

  const download = useCallback(async (which: ReportFormat) => {
    setBusy(which);
    setSaved(null);
    const res = await call('reports.export', { month, format: which, language });
    setBusy(null);
    if (!res.ok) {
      setError(errorMessageKey(res.error.code));
      return;
    }
    saveReportFile(res.value);
    setSaved(res.value.filename);
  }, [call, month, language]);

  const shown = report && report.month === month ? report : null;
  const s = shown?.summary;
  const p = shown?.previous;
  const prevName = format.month(shiftMonth(month, -1));

  return (
    <div className="reports" data-testid="reports" aria-busy={!shown && !error}>
      <div className="screen-head">
        <div>
          <h1 className="screen-head__title">{t('reports.title')}</h1>
          <p className="screen-head__meta">
            {shown?.venue ? <span>{shown.venue.name}</span> : null}
            <span>{t('reports.intro')}</span>
          </p>
        </div>
        <div className="daynav" role="group" aria-label={t('reports.chooseMonth')}>
          <button type="button" className="iconbutton iconbutton--flip" onClick={() => setMonth((m) => shiftMonth(m, -1))}
            aria-label={t('reports.previousMonth')} data-testid="report-prev">
            <IconChevron className="iconbutton__icon" />
          </button>
          <span className="daynav__label" data-testid="report-month" aria-live="polite">
            <IconCalendar className="daynav__icon" />{format.month(month)}
          </span>
          <button type="button" className="iconbutton" onClick={() => setMonth((m) => shiftMonth(m, 1))} disabled={month >= thisMonth}
            aria-label={t('reports.nextMonth')} data-testid="report-next">
            <IconChevron className="iconbutton__icon" />
          </button>
        </div>
      </div>

      {error && <p className="notice notice--error" role="alert" data-testid="report-error"><IconWarning className="notice__icon" />{t(error)}</p>}
      {!shown && !error && <p className="notice notice--info" data-testid="report-loading">{t('reports.loading')}</p>}

      {shown && s && p && (
        <>
          <section className="rheadline" data-testid="report-headline" aria-labelledby="rheadline-title">
            <div className="rheadline__main">
              <h2 className="rheadline__label" id="rheadline-title">{t('reports.headline')}</h2>
              <p className="rheadline__value" data-testid="report-sober-hours">{format.number(s.soberHours, 1)}</p>
            </div>
            <div className="rheadline__side">
              <p className="rheadline__prev">
                {t('reports.lastMonth', { month: prevName, value: format.number(p.soberHours, 1) })}{' '}
                <Delta current={s.soberHours} previous={p.soberHours} kind="hours" format={format} />
              </p>
              <p className="rheadline__note">{t('reports.headlineNote')}</p>
            </div>
            <div className="rdownload" role="group" aria-label={t('reports.download.title')}>
              {FORMATS.map((f) => (
                <button key={f.format} type="button" className="sbutton rdownload__button" onClick={() => void download(f.format)} disabled={busy !== null}
                  data-testid={`report-download-${f.format}`}>
                  <IconDownload className="sbutton__icon" />{t(f.label)}
                </button>
              ))}
            </div>
          </section>
          {(busy || saved) && (
            <p className="notice notice--info rdownload__status" role="status" data-testid="report-download-status">
              {busy ? t('reports.download.busy') : t('reports.download.done', { file: saved ?? '' })}
            </p>
          )}

          <section className="rfigures" aria-label={t('reports.title')}>
            {FIGURES.filter((f) => s[f.key] !== null || p[f.key] !== null).map((f) => (
              <div key={f.key} className="rfigure" data-testid={`figure-${f.key}`}>
                <span className="rfigure__label">{t(f.label)}</span>
                <span className="rfigure__value">{figureText(s[f.key], f.kind, format)}</span>
                <span className="rfigure__prev">
                  {t('reports.lastMonth', { month: prevName, value: figureText(p[f.key], f.kind, format) })}{' '}
                  {s[f.key] !== null && p[f.key] !== null && <Delta current={s[f.key] as number} previous={p[f.key] as number} kind={f.kind} format={format} />}
                </span>
              </div>
            ))}
          </section>

          <div className="rcharts">
            <section className="scard rchart-card">
              <h2 className="rchart-card__title">{t('reports.chart.perDay')}</h2>
              <DayBars days={shown.perDay} format={format.number}
                label={t('reports.chart.perDayLabel', { month: format.month(month), hours: format.number(s.hours, 1), sober: format.number(s.soberHours, 1) })}
                tip={(d: DayFigures) => t('reports.chart.dayTip', { day: format.longDay(d.day), hours: format.number(d.hours, 1), sober: format.number(d.soberHours, 1), people: d.participants })} />
              <p className="rlegend">
                <span className="rlegend__item"><span className="rlegend__swatch rlegend__swatch--sober" />{t('reports.chart.sober')}</span>
                <span className="rlegend__item"><span className="rlegend__swatch rlegend__swatch--other" />{t('reports.chart.other')}</span>
              </p>
            </section>
            <section className="scard rchart-card">
              <h2 className="rchart-card__title">{t('reports.chart.perWeekday')}</h2>
              <WeekdayBars current={shown.perWeekday} previous={shown.previousPerWeekday} weekdayName={format.weekday} format={format.number}
                label={t('reports.chart.perWeekdayLabel', { month: format.month(month), previous: prevName })}
                tip={(wd, value, which) => t('reports.chart.weekdayTip', { weekday: format.weekdayLong(wd), value: format.number(value, 1), month: which === 'current' ? format.month(month) : prevName })} />
              <p className="rlegend">
                <span className="rlegend__item"><span className="rlegend__swatch rlegend__swatch--current" />{format.month(month)}</span>
                <span className="rlegend__item"><span className="rlegend__swatch rlegend__swatch--previous" />{prevName}</span>
              </p>
            </section>
          </div>

          {shown.openVisits.length > 0 && (
            <section className="notice notice--flag ropen" data-testid="report-open">
              <IconClock className="notice__icon" />
              <div>
                <p className="ropen__title">{t('reports.open.title')}</p>
                <ul className="ropen__list">
                  {shown.openVisits.map((o) => (
                    <li key={`${o.venueId}-${o.code}-${o.checkedInAt}`}>
                      {t('reports.open.item', { day: format.shortDay(o.day), time: o.checkedInLocal, name: o.displayName ? `${o.displayName} (${o.code})` : o.code })}
                    </li>
                  ))}
                </ul>
              </div>
            </section>
          )}

          <section className="rtable-section">
            <div className="rtable-section__head">
              <h2 className="rtable-section__title">{t('reports.table.title')}</h2>
              <span className="rtable-section__count">{t('reports.table.count', { count: shown.participants.length })}</span>
            </div>
            {shown.participants.length === 0
              ? <p className="notice notice--info" data-testid="report-empty">{t('reports.empty')}</p>
              : <ParticipantsTable report={shown} format={format} />}
            <p className="rfoot">{t('reports.createdAt', { time: format.moment(shown.createdAt, shown.timeZone) })}</p>
          </section>
        </>
      )}
    </div>
  );
}
