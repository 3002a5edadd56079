// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import { monthDays, monthlyReport, type MonthlyReport, type ReportFigures, type WeekdayFigures } from '../../../shared/contract/reports';
import type { ErrorCode, Result } from '../../../shared/errors';
import { isoWeekday, addDays } from '../../../shared/time';
import { I18nProvider, type Language } from '../../../renderer/src/i18n';
import { ReportScreen, type ReportCall } from '../../../renderer/src/reports/ReportScreen';

afterEach(cleanup);

const figures = (overrides: Partial<ReportFigures> = {}): ReportFigures => ({
  participants: 3, newParticipants: 1, visits: 9, openVisits: 1, daysWithAttendance: 11, hours: 33.5, soberHours: 19.5,
  meanHoursPerParticipant: 11.17, medianHoursPerParticipant: 10.5, checksReady: 6, checksNotToday: 1, visitsWithoutCheck: 2,
  correctedVisits: 3, autoClosedVisits: 1, manualVisits: 1, scheduledDays: 13, scheduledDaysAttended: 2, attendanceRate: 0.1538, ...overrides,
});

function weekdays(month: string, mean: (wd: number) => number): WeekdayFigures[] {
  const { first, last } = monthDays(month);
  const days = [0, 0, 0, 0, 0, 0, 0];
  for (let d = first; d <= last; d = addDays(d, 1)) days[isoWeekday(d) - 1] = (days[isoWeekday(d) - 1] ?? 0) + 1;
  return days.map((n, i) => ({ weekday: i + 1, days: n, participantDays: Math.round(mean(i + 1) * n), meanParticipants: mean(i + 1), visits: 0, hours: 0, soberHours: 0 }));
}

function report(month = '2026-03'): MonthlyReport {
  const { first, last } = monthDays(month);
  const perDay = [];
  for (let d = first; d <= last; d = addDays(d, 1)) {
    const n = Number(d.slice(8));
    perDay.push({ day: d, weekday: isoWeekday(d), participants: n % 3, visits: n % 3, hours: n === 10 ? 4 : n === 29 ? 4 : 0, soberHours: n === 10 ? 4 : n === 29 ? 3.75 : 0 });
  }
  return monthlyReport.parse({
    formatVersion: 1, scope: 'venue', month, from: first, to: last, previousMonth: month === '2026-03' ? '2026-02' : '2026-01',
    createdAt: Date.parse('2026-04-01T06:15:00Z'), timeZone: 'Europe/Stockholm',
    venue: { venueId: 'V1', name: 'Testgården', mode: 'structured', timeZone: 'Europe/Stockholm' },
    summary: figures(), previous: figures({ participants: 2, newParticipants: 0, visits: 2, hours: 6, soberHours: 5.5, scheduledDays: null, scheduledDaysAttended: null, attendanceRate: null }),
    perDay, perWeekday: weekdays(month, (wd) => (wd === 7 ? 0.4 : wd === 2 ? 1.25 : 0)), previousPerWeekday: weekdays('2026-02', (wd) => (wd === 1 ? 0.25 : 0)),
    participants: [
      { code: 'A001', displayName: 'Anna', mode: 'dropin', venues: ['V1'], newThisMonth: false, daysAttended: 5, visits: 4, openVisits: 0, hours: 15, soberHours: 12.58,
        checksReady: 3, checksNotToday: 0, visitsWithoutCheck: 1, scheduledDays: null, scheduledDaysAttended: null, attendanceRate: null,
        firstVisit: '2026-03-02', lastVisit: '2026-03-29', flags: { corrected: 0, autoClosed: 0, manual: 1 } },
      { code: 'B002', displayName: 'Börje', mode: 'structured', venues: ['V1'], newThisMonth: true, daysAttended: 3, visits: 3, openVisits: 1, hours: 10.5, soberHours: 2.92,
        checksReady: 2, checksNotToday: 0, visitsWithoutCheck: 1, scheduledDays: 13, scheduledDaysAttended: 2, attendanceRate: 0.1538,
        firstVisit: '2026-03-06', lastVisit: '2026-03-31', flags: { corrected: 1, autoClosed: 1, manual: 0 } },
      { code: 'C003', displayName: 'Cissi', mode: 'dropin', venues: ['V1'], newThisMonth: false, daysAttended: 3, visits: 2, openVisits: 0, hours: 8, soberHours: 4,
        checksReady: 1, checksNotToday: 1, visitsWithoutCheck: 0, scheduledDays: null, scheduledDaysAttended: null, attendanceRate: null,
        firstVisit: '2026-03-01', lastVisit: '2026-03-18', flags: { corrected: 2, autoClosed: 0, manual: 0 } },
    ],
    openVisits: [{ venueId: 'V1', code: 'B002', displayName: 'Börje', day: '2026-03-31', checkedInAt: Date.parse('2026-03-31T08:00:00Z'), checkedInLocal: '10:00' }],
    perVenue: [],
  });
}

type Calls = { method: MethodName; input: unknown }[];

function fakeCall(handlers: { [M in MethodName]?: (input: MethodInput<M>) => Result<MethodOutput<M>> }) {
  const calls: Calls = [];
  const call: ReportCall = async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> => {
    calls.push({ method, input });
    const h = handlers[method] as ((i: MethodInput<M>) => Result<MethodOutput<M>>) | undefined;
    return h ? h(input) : { ok: false, error: { code: 'UNKNOWN_METHOD' as ErrorCode, message: 'no handler' } };
  };
  return { call, calls };
}

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });

function renderScreen(call: ReportCall, language: Language = 'sv') {
  return render(<I18nProvider initial={language}><ReportScreen call={call} today="2026-04-10" /></I18nProvider>);
}

let created: Blob[];
let clicked: { href: string; download: string }[];
beforeEach(() => {
  created = [];
  clicked = [];
  URL.createObjectURL = vi.fn((b: Blob) => {
    created.push(b);
    return 'blob:report';
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push({ href: this.href, download: this.download });
  });
});

describe('ReportScreen', () => {
  it('opens on the last complete month with sober hours as the headline and last month beside each figure', async () => {
    const { call, calls } = fakeCall({ 'reports.monthly': ({ month }) => ok(report(month)) });
    renderScreen(call);
    expect(await screen.findByTestId('report-sober-hours')).toHaveTextContent('19,5');
    expect(calls[0]).toEqual({ method: 'reports.monthly', input: { month: '2026-03' } });
    expect(screen.getByTestId('report-month')).toHaveTextContent('Mars 2026');
    const headline = screen.getByTestId('report-headline');
    expect(headline).toHaveTextContent('Februari 2026: 5,5');
    expect(headline).toHaveTextContent('+14,0');
    expect(screen.getByTestId('figure-participants')).toHaveTextContent(/Unika deltagare\s*3\s*Februari 2026: 2\s*\+1/);
    expect(screen.getByTestId('figure-hours')).toHaveTextContent('33,5');
    expect(screen.getByTestId('figure-attendanceRate')).toHaveTextContent('15 %');
    expect(screen.getByTestId('figure-attendanceRate')).toHaveTextContent('Februari 2026: –');
  });

  it('draws the per-day and per-weekday charts as SVG', async () => {
    const { call } = fakeCall({ 'reports.monthly': ({ month }) => ok(report(month)) });
    renderScreen(call);
    const days = await screen.findByTestId('chart-days');
    expect(days.tagName.toLowerCase()).toBe('svg');
    expect(days).toHaveAttribute('role', 'img');
    expect(days.getAttribute('aria-label')).toContain('33,5');
    const the29th = screen.getByTestId('chart-day-2026-03-29');
    expect(the29th.querySelectorAll('rect.rchart__bar--sober')).toHaveLength(1);
    expect(the29th.querySelectorAll('rect.rchart__bar--other')).toHaveLength(1);
    expect(the29th.querySelector('title')?.textContent).toContain('4,0 h på plats, 3,8 h nyktra');
    expect(screen.getByTestId('chart-day-2026-03-10').querySelectorAll('rect.rchart__bar--other')).toHaveLength(0);
    expect(screen.getByTestId('chart-day-2026-03-03').querySelectorAll('rect')).toHaveLength(0);
    const weekdaysChart = screen.getByTestId('chart-weekdays');
    expect(within(weekdaysChart).getByTestId('chart-weekday-7-current').querySelector('rect')).not.toBeNull();
    expect(within(weekdaysChart).getByTestId('chart-weekday-1-previous').querySelector('title')?.textContent).toBe('Måndag: 0,3 deltagare per dag (Februari 2026)');
    expect(within(weekdaysChart).getByTestId('chart-weekday-1-current').querySelector('rect')).toBeNull();
  });

  it('lists participants with flags and open visits, and sorts by a column', async () => {
    const { call } = fakeCall({ 'reports.monthly': ({ month }) => ok(report(month)) });
    renderScreen(call);
    const table = await screen.findByTestId('report-table');
    const order = () => within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-testid'));
    expect(order()).toEqual(['report-row-A001', 'report-row-B002', 'report-row-C003']);
    const b = screen.getByTestId('report-row-B002');
    expect(b).toHaveTextContent('Börje');
    expect(b).toHaveTextContent('Ny');
    expect(b).toHaveTextContent('2 av 13');
    expect(b).toHaveTextContent('Öppet besök');
    expect(b).toHaveTextContent('Korrigerad (1)');
    expect(b).toHaveTextContent('Autostängd (1)');
    expect(screen.getByTestId('report-row-A001')).toHaveTextContent('Manuell (1)');
    expect(screen.getByTestId('report-row-A001')).toHaveTextContent('12,6');
    fireEvent.click(screen.getByTestId('sort-soberHours'));
    expect(order()).toEqual(['report-row-A001', 'report-row-C003', 'report-row-B002']);
    fireEvent.click(screen.getByTestId('sort-soberHours'));
    expect(order()).toEqual(['report-row-B002', 'report-row-C003', 'report-row-A001']);
    expect(screen.getByTestId('report-open')).toHaveTextContent('31 mars kl. 10:00: Börje (B002)');
  });

  it('steps between months but not past the current one', async () => {
    const { call, calls } = fakeCall({ 'reports.monthly': ({ month }) => ok(report(month)) });
    renderScreen(call);
    await screen.findByTestId('report-sober-hours');
    fireEvent.click(screen.getByTestId('report-next'));
    await waitFor(() => expect(screen.getByTestId('report-month')).toHaveTextContent('April 2026'));
    expect(screen.getByTestId('report-next')).toBeDisabled();
    fireEvent.click(screen.getByTestId('report-prev'));
    fireEvent.click(screen.getByTestId('report-prev'));
    await waitFor(() => expect(screen.getByTestId('report-month')).toHaveTextContent('Februari 2026'));
    expect(calls.map((c) => (c.input as { month: string }).month)).toEqual(['2026-03', '2026-04', '2026-03', '2026-02']);
  });

  it('downloads PDF, Excel and CSV files as blobs in the UI language', async () => {
    const pdf = Buffer.from('%PDF-1.3 test').toString('base64');
    const { call, calls } = fakeCall({
      'reports.monthly': ({ month }) => ok(report(month)),
      'reports.export': ({ format }) => ok({ filename: `kliv-rapport-V1-2026-03.${format}`, mime: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8', base64: pdf }),
    });
    renderScreen(call);
    await screen.findByTestId('report-sober-hours');
    fireEvent.click(screen.getByTestId('report-download-pdf'));
    expect(await screen.findByText('kliv-rapport-V1-2026-03.pdf är nedladdad.')).toBeInTheDocument();
    expect(calls.at(-1)).toEqual({ method: 'reports.export', input: { month: '2026-03', format: 'pdf', language: 'sv' } });
    expect(created[0]?.type).toBe('application/pdf');
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(created[0] as Blob);
    });
    expect(text).toBe('%PDF-1.3 test');
    expect(clicked).toEqual([{ href: 'blob:report', download: 'kliv-rapport-V1-2026-03.pdf' }]);
    fireEvent.click(screen.getByTestId('report-download-csv'));
    await screen.findByText('kliv-rapport-V1-2026-03.csv är nedladdad.');
    expect(screen.getByTestId('report-download-xlsx')).toHaveTextContent('Excel');
  });

  it('shows a translated error when the report is refused', async () => {
    const { call } = fakeCall({ 'reports.monthly': () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'x' } }) });
    renderScreen(call);
    expect(await screen.findByTestId('report-error')).toHaveTextContent('Du har inte behörighet till det här.');
    expect(screen.queryByTestId('report-headline')).toBeNull();
  });

  it('speaks English too', async () => {
    const { call, calls } = fakeCall({
      'reports.monthly': ({ month }) => ok(report(month)),
      'reports.export': () => ok({ filename: 'kliv-report-V1-2026-03.csv', mime: 'text/csv', base64: '' }),
    });
    renderScreen(call, 'en');
    expect(await screen.findByTestId('report-sober-hours')).toHaveTextContent('19.5');
    expect(screen.getByText('Sober hours', { selector: 'h2' })).toBeInTheDocument();
    expect(screen.getByTestId('report-month')).toHaveTextContent('March 2026');
    fireEvent.click(screen.getByTestId('report-download-csv'));
    await screen.findByText('kliv-report-V1-2026-03.csv is downloaded.');
    expect(calls.at(-1)?.input).toMatchObject({ language: 'en' });
  });
});
