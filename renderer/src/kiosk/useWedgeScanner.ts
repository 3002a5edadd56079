import { useEffect, useRef } from 'react';
import { WedgeDetector } from './wedge';

/**
 * Listens for scanner input on the whole window, so no visible text field
 * and no focus are needed. Keys typed into a real input (staff forms) are
 * left alone.
 */
export function useWedgeScanner(onScan: (text: string) => void, enabled = true): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  useEffect(() => {
    if (!enabled) return undefined;
    const detector = new WedgeDetector();
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const text = detector.feed(e.key, e.timeStamp || performance.now());
      if (text !== null) {
        e.preventDefault();
        handler.current(text);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}
