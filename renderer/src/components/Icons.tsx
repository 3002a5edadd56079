/** Outcome icons, drawn inline so they need no files and scale to any screen. */
interface IconProps { className?: string }

const base = { viewBox: '0 0 96 96', fill: 'none', strokeWidth: 8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const, 'aria-hidden': true };

export const IconCheckIn = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="48" r="40" /><path d="M28 50l14 14 26-30" /></svg>
);
export const IconCheckOut = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M40 20H24a6 6 0 0 0-6 6v44a6 6 0 0 0 6 6h16" /><path d="M56 30l18 18-18 18M74 48H38" /></svg>
);
export const IconQuestion = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="48" r="40" /><path d="M36 38a12 12 0 1 1 17 11c-3 2-5 4-5 8v3" /><circle cx="48" cy="71" r="2" fill="currentColor" /></svg>
);
export const IconInfo = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="48" r="40" /><path d="M48 44v24" /><circle cx="48" cy="30" r="2" fill="currentColor" /></svg>
);
export const IconPerson = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="32" r="14" /><path d="M20 80c3-16 14-24 28-24s25 8 28 24" /></svg>
);
export const IconCard = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><rect x="12" y="22" width="72" height="52" rx="8" /><path d="M24 38h14v14H24zM50 38h22M50 52h14" /></svg>
);
export const IconLock = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><rect x="22" y="42" width="52" height="38" rx="6" /><path d="M32 42V30a16 16 0 0 1 32 0v12" /></svg>
);
export const IconWarning = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M48 14l38 66H10z" /><path d="M48 40v18" /><circle cx="48" cy="68" r="2" fill="currentColor" /></svg>
);
