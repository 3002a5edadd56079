export interface Summary { n: number; p50: number; p99: number; mean: number; min: number; max: number }

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return {
    n: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export interface BenchFigure {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  data: Record<string, unknown>;
}

export const ms = (v: number): string => `${v.toFixed(v < 1 ? 3 : 2)} ms`;
