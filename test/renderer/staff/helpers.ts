import { act, fireEvent, screen } from '@testing-library/react';
import { STAFF_BADGE } from './fakes';

/**
 * Types a payload the way a USB wedge scanner does: keys 5 ms apart, then
 * Enter. The timestamps are set, not measured, so a slow test machine cannot
 * turn a scan into "typing".
 */
export function wedgeScan(text: string): void {
  const start = performance.now();
  [...text, 'Enter'].forEach((key, i) => {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    Object.defineProperty(event, 'timeStamp', { value: start + i * 5 });
    fireEvent(window, event);
  });
}

export function typePin(pin: string): void {
  for (const digit of pin) fireEvent.click(screen.getByTestId(`pin-key-${digit}`));
}

/** From the attract screen: scan a staff badge, type the PIN, log in. */
export async function loginWithBadge(pin = '123456'): Promise<void> {
  await screen.findByTestId('attract');
  // The wedge listener is installed by an effect after the first paint.
  await act(async () => { await Promise.resolve(); });
  wedgeScan(STAFF_BADGE);
  await screen.findByTestId('badge-read');
  typePin(pin);
  fireEvent.click(screen.getByTestId('login-submit'));
}
