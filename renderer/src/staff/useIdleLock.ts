import { useEffect, useRef, useState } from 'react';

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'touchstart', 'wheel'] as const;

/**
 * Calls onIdle once after `seconds` without touch, pointer or key activity
 * anywhere in the window. Returns the seconds left while inside the final
 * `warnSeconds`, so the screen can say it is about to lock; otherwise null.
 */
export function useIdleLock(seconds: number, onIdle: () => void, warnSeconds = 15, onActivity?: () => void): number | null {
  const lastActivity = useRef(Date.now());
  const handler = useRef(onIdle);
  handler.current = onIdle;
  const activity = useRef(onActivity);
  activity.current = onActivity;
  const [remaining, setRemaining] = useState<number | null>(null);

  useEffect(() => {
    lastActivity.current = Date.now();
    let fired = false;
    const limitMs = seconds * 1000;
    const warnMs = Math.min(warnSeconds, Math.floor(seconds / 3)) * 1000;
    const onActivity = (): void => {
      lastActivity.current = Date.now();
      setRemaining(null);
      activity.current?.();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { capture: true, passive: true });
    const timer = window.setInterval(() => {
      if (fired) return;
      const left = limitMs - (Date.now() - lastActivity.current);
      if (left <= 0) {
        fired = true;
        setRemaining(null);
        handler.current();
      } else if (left <= warnMs) {
        setRemaining(Math.ceil(left / 1000));
      }
    }, 500);
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity, { capture: true });
    };
  }, [seconds, warnSeconds]);

  return remaining;
}
