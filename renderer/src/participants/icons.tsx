/** Icons only the participant screens use, drawn like components/Icons. */
interface IconProps { className?: string }

const base = { viewBox: '0 0 96 96', fill: 'none', strokeWidth: 8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const, 'aria-hidden': true };

export { IconPlus } from '../components/Icons';

export const IconMinus = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor"><path d="M22 48h52" /></svg>
);
export const IconPrinter = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor">
    <path d="M28 36V14h40v22" /><rect x="12" y="36" width="72" height="32" rx="6" /><path d="M28 58h40v24H28z" />
  </svg>
);
export const IconCamera = ({ className }: IconProps) => (
  <svg {...base} className={className} stroke="currentColor">
    <path d="M14 32a6 6 0 0 1 6-6h12l6-8h20l6 8h12a6 6 0 0 1 6 6v38a6 6 0 0 1-6 6H20a6 6 0 0 1-6-6z" /><circle cx="48" cy="50" r="13" />
  </svg>
);
/** A stand-in for the QR in the preview: the real code exists only in the printout. */
export const IconQrPlaceholder = ({ className }: IconProps) => (
  <svg viewBox="0 0 96 96" aria-hidden="true" className={className} fill="currentColor">
    <path d="M8 8h28v28H8zm6 6v16h16V14zM60 8h28v28H60zm6 6v16h16V14zM8 60h28v28H8zm6 6v16h16V66z" />
    <path d="M19 19h6v6h-6zM71 19h6v6h-6zM19 71h6v6h-6zM44 8h8v8h-8zM44 24h8v16h-8zM8 44h16v8H8zM32 44h24v8H32zM64 44h24v8H64zM44 60h8v12h-8zM60 60h12v8H60zM80 60h8v28h-8zM60 76h12v12H60zM44 80h8v8h-8z" />
  </svg>
);
