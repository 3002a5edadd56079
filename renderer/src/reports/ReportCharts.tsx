/**
 * The report's two charts as inline SVG: no chart library, nothing fetched,
 * styled from reports.css (colours are CSS classes, so the CSP needs no
 * inline styles). Each chart is one labelled image for screen readers; every
 * bar carries a <title> with its exact figures.
 */
import type { DayFigures, WeekdayFigures } from '../../../shared/contract/reports';

/** 0, step, 2·step … covering max with about `ticks` steps of 1, 2, 2.5 or 5 × 10^n. */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

interface Axis { top: number; step: number; format(n: number): string }

/** viewBox widths: the weekday chart sits in the narrower column, so its text scales like the other's. */
const DAYS_W = 760;
const WEEKDAYS_W = 480;
const PAD = { start: 44, end: 8, top: 14, bottom: 26 };

function Grid({ axis, height, width }: { axis: Axis; height: number; width: number }) {
  const lines: number[] = [];
  for (let v = 0; v <= axis.top + axis.step / 2; v += axis.step) lines.push(v);
  return (
    <g className="rchart__grid">
      {lines.map((v) => {
        const y = PAD.top + height - (v / axis.top) * height;
        return (
          <g key={v}>
            <line x1={PAD.start} x2={width - PAD.end} y1={y} y2={y} className={v === 0 ? 'rchart__baseline' : 'rchart__gridline'} />
            <text x={PAD.start - 8} y={y + 4} textAnchor="end" className="rchart__tick">{axis.format(v)}</text>
          </g>
        );
      })}
    </g>
  );
}

export interface DayBarsProps {
  days: DayFigures[];
  label: string;
  format(n: number, decimals?: number): string;
  tip(d: DayFigures): string;
}

/** Hours on site per day; the sober part of each bar is the darker one. */
export function DayBars({ days, label, format, tip }: DayBarsProps) {
  const height = 170;
  const { top, step } = niceScale(Math.max(0, ...days.map((d) => d.hours)));
  const axis: Axis = { top, step, format: (n) => format(n, step < 1 ? 1 : 0) };
  const W = DAYS_W;
  const slot = (W - PAD.start - PAD.end) / Math.max(1, days.length);
  const bar = Math.max(3, slot * 0.7);
  const y = (v: number): number => PAD.top + height - (v / top) * height;
  return (
    <svg className="rchart rchart--days" viewBox={`0 0 ${W} ${PAD.top + height + PAD.bottom}`} role="img" aria-label={label} data-testid="chart-days">
      <Grid axis={axis} height={height} width={W} />
      {days.map((d, i) => {
        const x = PAD.start + i * slot + (slot - bar) / 2;
        const sober = Math.min(d.soberHours, d.hours);
        return (
          <g key={d.day} className="rchart__day" data-testid={`chart-day-${d.day}`}>
            <title>{tip(d)}</title>
            {d.hours > sober && <rect x={x} y={y(d.hours)} width={bar} height={y(sober) - y(d.hours)} className="rchart__bar rchart__bar--other" />}
            {sober > 0 && <rect x={x} y={y(sober)} width={bar} height={y(0) - y(sober)} className="rchart__bar rchart__bar--sober" />}
            <text x={x + bar / 2} y={PAD.top + height + 17} textAnchor="middle" className={`rchart__xlabel${d.weekday >= 6 ? ' rchart__xlabel--weekend' : ''}`}>
              {Number(d.day.slice(8))}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export interface WeekdayBarsProps {
  current: WeekdayFigures[];
  previous: WeekdayFigures[];
  weekdayName(weekday: number): string;
  label: string;
  format(n: number, decimals?: number): string;
  tip(weekday: number, value: number, which: 'current' | 'previous'): string;
}

/** Mean participants per day for each weekday, this month beside the previous one. */
export function WeekdayBars({ current, previous, weekdayName, label, format, tip }: WeekdayBarsProps) {
  const height = 200;
  const values = current.map((c, i) => ({ weekday: c.weekday, cur: c.meanParticipants, prev: previous[i]?.meanParticipants ?? 0 }));
  const { top, step } = niceScale(Math.max(0, ...values.flatMap((v) => [v.cur, v.prev])));
  const axis: Axis = { top, step, format: (n) => format(n, step < 1 ? 1 : 0) };
  const W = WEEKDAYS_W;
  const group = (W - PAD.start - PAD.end) / 7;
  const bar = group * 0.29;
  const y = (v: number): number => PAD.top + height - (v / top) * height;
  return (
    <svg className="rchart rchart--weekdays" viewBox={`0 0 ${W} ${PAD.top + height + PAD.bottom}`} role="img" aria-label={label} data-testid="chart-weekdays">
      <Grid axis={axis} height={height} width={W} />
      {values.map((v, i) => {
        const gx = PAD.start + i * group + group * 0.18;
        return (
          <g key={v.weekday}>
            {([['current', v.cur], ['previous', v.prev]] as const).map(([which, value], j) => {
              const x = gx + j * (bar + 6);
              return (
                <g key={which} data-testid={`chart-weekday-${v.weekday}-${which}`}>
                  <title>{tip(v.weekday, value, which)}</title>
                  {value > 0 && <rect x={x} y={y(value)} width={bar} height={y(0) - y(value)} className={`rchart__bar rchart__bar--${which}`} />}
                  {value > 0 && <text x={x + bar / 2} y={y(value) - 5} textAnchor="middle" className="rchart__value">{format(value, 1)}</text>}
                </g>
              );
            })}
            <text x={PAD.start + i * group + group / 2} y={PAD.top + height + 18} textAnchor="middle" className="rchart__xlabel">{weekdayName(v.weekday)}</text>
          </g>
        );
      })}
    </svg>
  );
}
