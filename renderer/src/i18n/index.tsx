import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ErrorCode } from '../../../shared/errors';
import { en } from './en';
import { sv, type Catalogue, type MessageKey } from './sv';

export const LANGUAGES = { sv, en } as const satisfies Record<string, Catalogue>;
export type Language = keyof typeof LANGUAGES;
export const DEFAULT_LANGUAGE: Language = 'sv';
/** Right-to-left languages (Arabic, Persian) will be added here. */
const RTL: ReadonlySet<string> = new Set(['ar', 'fa']);

export type Params = Record<string, string | number>;

export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  const template = LANGUAGES[language][key] ?? sv[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function errorMessageKey(code: ErrorCode | 'NETWORK'): MessageKey {
  return `error.${code}` as MessageKey;
}

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t(key: MessageKey, params?: Params): string;
  dir: 'ltr' | 'rtl';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, initial = DEFAULT_LANGUAGE }: { children: ReactNode; initial?: Language }) {
  const [language, setLanguage] = useState<Language>(initial);
  const t = useCallback((key: MessageKey, params?: Params) => translate(language, key, params), [language]);
  const value = useMemo<I18n>(() => ({ language, setLanguage, t, dir: RTL.has(language) ? 'rtl' : 'ltr' }), [language, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
