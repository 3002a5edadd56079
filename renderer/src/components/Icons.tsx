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

/* ---- staff side ---- */
export const IconCheck = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M20 50l18 18 38-40" /></svg>
);
export const IconClose = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M26 26l44 44M70 26L26 70" /></svg>
);
export const IconBackspace = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M34 22h46a6 6 0 0 1 6 6v40a6 6 0 0 1-6 6H34L10 48z" /><path d="M46 36l24 24M70 36L46 60" /></svg>
);
export const IconUnlock = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><rect x="22" y="42" width="52" height="38" rx="6" /><path d="M32 42V30a16 16 0 0 1 31-6" /></svg>
);
export const IconSearch = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="42" cy="42" r="24" /><path d="M60 60l22 22" /></svg>
);
export const IconPeople = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="36" cy="34" r="12" /><path d="M12 78c2-14 11-21 24-21s22 7 24 21" /><circle cx="66" cy="30" r="10" /><path d="M64 50c12 0 19 7 21 20" /></svg>
);
export const IconCalendar = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><rect x="14" y="20" width="68" height="62" rx="8" /><path d="M14 40h68M32 12v16M64 12v16M30 58l10 10 22-22" /></svg>
);
export const IconClock = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="48" r="36" /><path d="M48 28v22l14 10" /></svg>
);
export const IconHistory = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M16 48a32 32 0 1 0 9-22" /><path d="M14 14v16h16" /><path d="M48 32v18l12 8" /></svg>
);
export const IconEdit = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M62 18l16 16-42 42H20V60z" /><path d="M54 26l16 16" /></svg>
);
export const IconPlus = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M48 18v60M18 48h60" /></svg>
);
export const IconHand = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="48" cy="48" r="38" /><path d="M22 22l52 52" /></svg>
);
export const IconHome = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M14 46L48 16l34 30" /><path d="M24 38v40h48V38" /><path d="M40 78V58h16v20" /></svg>
);
export const IconFlag = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M22 86V14" /><path d="M22 16h48l-10 16 10 16H22" /></svg>
);
export const IconChevron = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M38 20l28 28-28 28" /></svg>
);
export const IconKey = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="30" cy="56" r="16" /><path d="M42 44l36-36M62 24l12 12M54 32l8 8" /></svg>
);
export const IconUserPlus = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><circle cx="40" cy="32" r="14" /><path d="M12 80c3-16 14-24 28-24 6 0 11 1 15 4" /><path d="M72 56v24M60 68h24" /></svg>
);
export const IconUpload = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M48 64V18M30 36l18-18 18 18" /><path d="M18 60v14a6 6 0 0 0 6 6h48a6 6 0 0 0 6-6V60" /></svg>
);
export const IconHeart = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M48 80S14 60 14 36a16 16 0 0 1 34-8 16 16 0 0 1 34 8c0 24-34 44-34 44z" /></svg>
);
export const IconChart = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M14 80h68" /><path d="M26 68V44M44 68V28M62 68V50M80 68V20" /></svg>
);
