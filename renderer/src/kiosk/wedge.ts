/**
 * Tells a USB keyboard-wedge scan from a person typing. A scanner "types"
 * the whole payload within a few milliseconds per key and ends with Enter; a
 * person is far slower. Keys that are not single characters (Shift, Dead keys
 * from a Swedish layout, function keys) are layout noise and skipped.
 */
export interface WedgeOptions {
  /** Longest pause between two keys of one scan. */
  maxGapMs: number;
  /** Shortest payload worth reporting. */
  minLength: number;
  /** Longest buffer kept; beyond it the input is not a card. */
  maxLength: number;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { maxGapMs: 50, minLength: 6, maxLength: 128 };

export class WedgeDetector {
  private buffer = '';
  private lastAt = -Infinity;
  private readonly opts: WedgeOptions;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE_OPTIONS, ...options };
  }

  /** Feeds one keydown; returns the scanned text when a scan just ended. */
  feed(key: string, at: number): string | null {
    const gap = at - this.lastAt;
    this.lastAt = at;
    if (gap > this.opts.maxGapMs) this.buffer = '';
    if (key === 'Enter') {
      const text = this.buffer;
      this.buffer = '';
      return text.length >= this.opts.minLength && gap <= this.opts.maxGapMs ? text : null;
    }
    if (key.length !== 1) return null;
    if (this.buffer.length < this.opts.maxLength) this.buffer += key;
    return null;
  }

  reset(): void {
    this.buffer = '';
    this.lastAt = -Infinity;
  }
}
