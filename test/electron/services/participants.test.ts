import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { findCardByHash, listCardsOf } from '../../../electron/db/cards';
import { eventsAfter } from '../../../electron/db/events';
import { getParticipantByCode, listParticipants } from '../../../electron/db/participants';
import { cardTokenHash } from '../../../electron/services/hash';
import { enrolParticipant, generateParticipantCode, issueCardFor, validateCode, validateDisplayName } from '../../../electron/services/participants';
import { parseCardPayload, TOKEN_ALPHABET } from '../../../shared/card';
import { KlivError } from '../../../shared/errors';
import { testApp, type TestApp } from '../../helpers';

// Lets one test force colliding generated codes; everything else gets real randomness.
const forced = vi.hoisted(() => ({ randomInts: [] as number[] }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const randomInt = ((...args: Parameters<typeof real.randomInt>) => (forced.randomInts.length > 0 ? forced.randomInts.shift() : (real.randomInt as (...a: unknown[]) => unknown)(...args))) as typeof real.randomInt;
  return { ...real, default: { ...real, randomInt }, randomInt };
});

let t: TestApp;
beforeEach(() => { t = testApp(); });
afterEach(() => {
  forced.randomInts = [];
  t.close();
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KlivError) return err.code;
    throw err;
  }
  return undefined;
}

const count = (table: string): number => t.app.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('enrolParticipant', () => {
  it('enrols with a display name and an explicit code, issuing a card that parses', () => {
    const { participant, issued } = enrolParticipant(t.app.ctx, { displayName: '  Anna ', code: ' d1001 ' });
    expect(participant).toMatchObject({ code: 'D1001', displayName: 'Anna', mode: 'dropin', active: true, createdAt: t.clock.now() });
    expect(parseCardPayload(issued.payload)).toEqual({ ok: true, kind: 'participant', payload: issued.payload });
    expect(issued.card).toMatchObject({ participantId: participant.id, revokedAt: null });
    expect(findCardByHash(t.app.db, cardTokenHash(issued.payload))?.id).toBe(issued.card.id);
    expect(eventsAfter(t.app.db, 0).map((e) => [e.type, e.participantCode])).toEqual([['participant.enrolled', 'D1001'], ['card.issued', 'D1001']]);
    expect(JSON.stringify(eventsAfter(t.app.db, 0))).not.toContain('Anna');
  });

  it('takes the venue\'s mode unless told otherwise', () => {
    expect(enrolParticipant(t.app.ctx, { displayName: 'Anna' }).participant.mode).toBe('dropin');
    expect(enrolParticipant(t.app.ctx, { displayName: 'Bo', mode: 'structured' }).participant.mode).toBe('structured');
  });

  it.each([
    ['', 'BAD_INPUT'], ['   ', 'BAD_INPUT'], ['x'.repeat(41), 'BAD_INPUT'],
    ['850101-1234', 'PERSONAL_NUMBER_REFUSED'], ['Anna 19850101-1234', 'PERSONAL_NUMBER_REFUSED'], ['8501011234', 'PERSONAL_NUMBER_REFUSED'],
  ])('refuses the display name %j with %s and writes nothing', (displayName, code) => {
    expect(codeOf(() => enrolParticipant(t.app.ctx, { displayName }))).toBe(code);
    expect(count('participants')).toBe(0);
    expect(count('cards')).toBe(0);
    expect(count('events')).toBe(0);
  });

  it('accepts names of 1 and 40 characters and non-Latin names', () => {
    for (const displayName of ['A', 'x'.repeat(40), 'Åsa-Lena', 'Фатима', 'ليلى', 'رضا', 'Zoë 2']) {
      expect(enrolParticipant(t.app.ctx, { displayName }).participant.displayName).toBe(displayName);
    }
  });

  it.each([
    ['ab', 'BAD_INPUT'], ['x'.repeat(21), 'BAD_INPUT'], ['P 100', 'BAD_INPUT'], ['P_100', 'BAD_INPUT'], ['PÅ1', 'BAD_INPUT'],
    ['850101-1234', 'PERSONAL_NUMBER_REFUSED'], ['198501011234', 'PERSONAL_NUMBER_REFUSED'],
  ])('refuses the code %j with %s and writes nothing', (code, error) => {
    expect(codeOf(() => enrolParticipant(t.app.ctx, { displayName: 'Anna', code }))).toBe(error);
    expect(count('participants')).toBe(0);
    expect(count('events')).toBe(0);
  });

  it('refuses a code that is already enrolled (case-insensitively) and writes nothing', () => {
    enrolParticipant(t.app.ctx, { displayName: 'Anna', code: 'D1001' });
    const events = count('events');
    expect(codeOf(() => enrolParticipant(t.app.ctx, { displayName: 'Bo', code: 'd1001' }))).toBe('CONFLICT');
    expect(count('participants')).toBe(1);
    expect(count('cards')).toBe(1);
    expect(count('events')).toBe(events);
  });

  it('generates unique codes of P + 7 base32 characters', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const { participant } = enrolParticipant(t.app.ctx, { displayName: `Person ${i}` });
      expect(participant.code).toMatch(/^P[0-9A-Z]{7}$/);
      for (const ch of participant.code.slice(1)) expect(TOKEN_ALPHABET).toContain(ch);
      codes.add(participant.code);
    }
    expect(codes.size).toBe(150);
    expect(listParticipants(t.app.db)).toHaveLength(150);
  });

  it('draws a new code when a generated one is taken', () => {
    forced.randomInts = [0, 0, 0, 0, 0, 0, 0];
    expect(generateParticipantCode()).toBe('P0000000');
    forced.randomInts = [0, 0, 0, 0, 0, 0, 0];
    enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    forced.randomInts = [0, 0, 0, 0, 0, 0, 0, /* collides */ 1, 1, 1, 1, 1, 1, 1];
    const { participant } = enrolParticipant(t.app.ctx, { displayName: 'Bo' });
    expect(participant.code).toBe('P1111111');
    expect(getParticipantByCode(t.app.db, 'P0000000')?.displayName).toBe('Anna');
  });

  it('refuses to enrol before a venue exists', () => {
    const bare = testApp({ init: false });
    try {
      expect(codeOf(() => enrolParticipant(bare.app.ctx, { displayName: 'Anna' }))).toBe('NOT_FOUND');
    } finally {
      bare.close();
    }
  });

  it('stores only a hash of the card payload: the payload and its token are nowhere in the data folder or the database', () => {
    const issued = [enrolParticipant(t.app.ctx, { displayName: 'Anna' }).issued, enrolParticipant(t.app.ctx, { displayName: 'Bo' }).issued];
    const needles = issued.flatMap(({ payload }) => {
      const token = payload.slice(6, 32);
      return [payload, payload.toLowerCase(), token, token.toLowerCase()].flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);
    });
    const checkFiles = (): void => {
      const files = filesUnder(t.dataDir);
      expect(files.some((f) => f.endsWith('kliv.sqlite'))).toBe(true);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      for (const needle of needles) expect(bytes.includes(needle), needle.toString()).toBe(false);
    };
    checkFiles(); // while open: the database file and its WAL
    t.app.db.pragma('wal_checkpoint(TRUNCATE)');
    checkFiles();
    // The files may be encrypted at rest, so also look at every value of every table as the app reads it.
    const tables = (t.app.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]);
    const values: Buffer[] = [];
    for (const table of tables) {
      for (const row of t.app.db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]) {
        for (const v of row) values.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
      }
    }
    const logical = Buffer.concat(values);
    expect(logical.includes(Buffer.from('Anna'))).toBe(true); // the dump does hold what was stored…
    expect(logical.includes(cardTokenHash(issued[0]!.payload))).toBe(true); // …including the hash
    for (const needle of needles) expect(logical.includes(needle), needle.toString()).toBe(false);
  });
});

describe('issueCardFor', () => {
  it('reissuing revokes the old card in the same step and logs both', () => {
    const { participant, issued: first } = enrolParticipant(t.app.ctx, { displayName: 'Anna', code: 'D1001' });
    t.clock.advance(60_000);
    const second = issueCardFor(t.app.ctx, participant, 'lost');
    expect(second.payload).not.toBe(first.payload);
    const cards = listCardsOf(t.app.db, participant.id);
    expect(cards).toHaveLength(2);
    expect(cards.find((c) => c.id === first.card.id)).toMatchObject({ revokedAt: t.clock.now(), revokeReason: 'lost' });
    expect(cards.find((c) => c.id === second.card.id)).toMatchObject({ revokedAt: null });
    expect(findCardByHash(t.app.db, cardTokenHash(first.payload))?.revokedAt).toBe(t.clock.now());
    const types = eventsAfter(t.app.db, 0).map((e) => e.type);
    expect(types).toEqual(['participant.enrolled', 'card.issued', 'card.revoked', 'card.issued']);
    const revoked = eventsAfter(t.app.db, 0).find((e) => e.type === 'card.revoked');
    expect(revoked?.data).toEqual({ count: 1, reason: 'lost' });
  });

  it('a participant never holds two active cards', () => {
    const { participant } = enrolParticipant(t.app.ctx, { displayName: 'Anna' });
    for (let i = 0; i < 5; i++) issueCardFor(t.app.ctx, participant);
    const cards = listCardsOf(t.app.db, participant.id);
    expect(cards).toHaveLength(6);
    expect(cards.filter((c) => c.revokedAt === null)).toHaveLength(1);
    expect(cards[0]?.revokedAt).toBeNull(); // the newest one
  });
});

describe('validators', () => {
  it('validateDisplayName trims; validateCode trims and upper-cases', () => {
    expect(validateDisplayName('  Micke ')).toBe('Micke');
    expect(validateCode(' ab-12 ')).toBe('AB-12');
  });

  // Regression (found by this suite, since fixed): the service (which `kliv participant add` calls
  // directly) lets control and bidi-override characters into a display name
  // that the kiosk then shows; the contract's plainText() refuses them, the
  // service does not.
  it('refuses control and invisible/bidi-override characters in a display name', () => {
    for (const bad of ['Anna\u202E', 'An\u0000na', 'Anna\nBo', '\u200BAnna', 'Anna\u2066']) {
      expect(codeOf(() => validateDisplayName(bad)), JSON.stringify(bad)).toBe('BAD_INPUT');
    }
  });
});
