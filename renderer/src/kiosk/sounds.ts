/**
 * Each scan outcome has its own short sound, made with WebAudio so no file
 * has to load and nothing leaves the machine. Rising for arrival, falling for
 * leaving, a soft low tone for "talk to staff" (never a harsh buzzer).
 */
export type SoundName = 'checkedIn' | 'checkedOut' | 'confirm' | 'double' | 'rejected' | 'error';

const TUNES: Record<SoundName, { freq: number; ms: number }[]> = {
  checkedIn: [{ freq: 660, ms: 110 }, { freq: 880, ms: 160 }],
  checkedOut: [{ freq: 880, ms: 110 }, { freq: 660, ms: 160 }],
  confirm: [{ freq: 740, ms: 120 }],
  double: [{ freq: 700, ms: 70 }, { freq: 700, ms: 70 }],
  rejected: [{ freq: 392, ms: 220 }, { freq: 349, ms: 260 }],
  error: [{ freq: 330, ms: 400 }],
};

let context: AudioContext | null = null;

export function playSound(name: SoundName): void {
  try {
    const Ctx = window.AudioContext;
    if (!Ctx) return;
    context ??= new Ctx();
    const ctx = context;
    let t = ctx.currentTime + 0.01;
    for (const note of TUNES[name]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = note.freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + note.ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + note.ms / 1000 + 0.02);
      t += note.ms / 1000 + 0.03;
    }
  } catch {
    // Sound is a courtesy; the screen always shows the outcome too.
  }
}
