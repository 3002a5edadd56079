import { describe, expect, it } from 'vitest';
import { errorMessageKey, LANGUAGES, translate, type Language } from '../../renderer/src/i18n';
import { sv, type MessageKey } from '../../renderer/src/i18n/sv';
import { ERROR_CODES } from '../../shared/errors';

const languages = Object.keys(LANGUAGES) as Language[];
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('message catalogues', () => {
  it('Swedish is there, and so is English', () => {
    expect(languages).toContain('sv');
    expect(languages).toContain('en');
  });

  it.each(languages)('%s has exactly the same keys as sv', (lang) => {
    expect(Object.keys(LANGUAGES[lang]).sort()).toEqual(Object.keys(sv).sort());
  });

  it.each(languages)('%s has no empty message and uses the same placeholders as sv', (lang) => {
    for (const key of Object.keys(sv) as MessageKey[]) {
      const message = LANGUAGES[lang][key];
      expect(message.trim().length, `${lang} ${key}`).toBeGreaterThan(0);
      expect(placeholders(message), `${lang} ${key}`).toEqual(placeholders(sv[key]));
    }
  });

  it.each(languages)('%s has an error.CODE message for every ErrorCode (and for NETWORK)', (lang) => {
    for (const code of [...ERROR_CODES, 'NETWORK'] as const) {
      const key = errorMessageKey(code);
      expect(key).toBe(`error.${code}`);
      expect(Object.prototype.hasOwnProperty.call(LANGUAGES[lang], key), `${lang} error.${code}`).toBe(true);
      expect(translate(lang, key)).not.toBe(key);
    }
  });

  it('each catalogue names itself in its own language', () => {
    expect(LANGUAGES.sv['lang.name']).toBe('Svenska');
    expect(LANGUAGES.en['lang.name']).toBe('English');
    expect(new Set(languages.map((l) => LANGUAGES[l]['lang.name'])).size).toBe(languages.length);
  });

  it('English is actually translated (not a copy of Swedish)', () => {
    const keys = Object.keys(sv) as MessageKey[];
    const same = keys.filter((k) => LANGUAGES.en[k] === sv[k]);
    expect(same.length / keys.length).toBeLessThan(0.2);
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('sv', 'scan.checkedIn.title', { name: 'Anna' })).toBe('Välkommen, Anna!');
    expect(translate('en', 'scan.checkedIn.title', { name: 'Anna' })).toBe('Welcome, Anna!');
    expect(translate('sv', 'scan.checkedIn.body', { time: '09:14' })).toBe('Du är incheckad 09:14');
    expect(translate('sv', 'scan.schedule', { start: '09:00', end: 12 })).toBe('Ditt schema idag: 09:00–12');
  });

  it('fills every occurrence and leaves unknown placeholders visible rather than blank', () => {
    expect(translate('sv', 'scan.checkedIn.title')).toBe('Välkommen, {name}!');
    expect(translate('sv', 'scan.checkedIn.title', { other: 'x' })).toBe('Välkommen, {name}!');
  });

  it('a value is inserted literally, never re-interpreted as a template', () => {
    expect(translate('en', 'scan.checkedIn.title', { name: '{time} $& $1' })).toBe('Welcome, {time} $& $1!');
  });

  it('messages without placeholders come back unchanged', () => {
    expect(translate('en', 'scan.rejected.title')).toBe(LANGUAGES.en['scan.rejected.title']);
  });
});
