import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCardByHash, insertCard, listCardsOf, revokeActiveCardsOf, revokeCard } from '../../../electron/db/cards';
import { insertParticipant } from '../../../electron/db/participants';
import { freshDb } from './fixture';

let t: ReturnType<typeof freshDb>;
let anna: number;
let bo: number;
beforeEach(() => {
  t = freshDb();
  anna = insertParticipant(t.db, { code: 'P1', displayName: 'Anna', mode: 'dropin', createdAt: 0 }).id;
  bo = insertParticipant(t.db, { code: 'P2', displayName: 'Bo', mode: 'dropin', createdAt: 0 }).id;
});
afterEach(() => t.close());

const hash = (n: number): Buffer => Buffer.alloc(32, n);

describe('db/cards', () => {
  it('inserts a card and finds it by the exact token hash only', () => {
    const card = insertCard(t.db, { tokenHash: hash(1), participantId: anna, issuedAt: 100 });
    expect(card).toEqual({ id: expect.any(Number), participantId: anna, issuedAt: 100, revokedAt: null, revokeReason: null });
    expect(findCardByHash(t.db, hash(1))).toEqual(card);
    expect(findCardByHash(t.db, hash(2))).toBeUndefined();
    expect(findCardByHash(t.db, hash(1).subarray(0, 31))).toBeUndefined();
    expect(findCardByHash(t.db, Buffer.alloc(0))).toBeUndefined();
  });

  it('a token hash belongs to one card only; the participant must exist', () => {
    insertCard(t.db, { tokenHash: hash(1), participantId: anna, issuedAt: 100 });
    expect(() => insertCard(t.db, { tokenHash: hash(1), participantId: bo, issuedAt: 100 })).toThrow(/UNIQUE/);
    expect(() => insertCard(t.db, { tokenHash: hash(3), participantId: 999, issuedAt: 100 })).toThrow(/FOREIGN KEY/);
  });

  it('lists a participant\'s cards newest first', () => {
    const a = insertCard(t.db, { tokenHash: hash(1), participantId: anna, issuedAt: 100 });
    const b = insertCard(t.db, { tokenHash: hash(2), participantId: anna, issuedAt: 300 });
    const c = insertCard(t.db, { tokenHash: hash(3), participantId: anna, issuedAt: 300 });
    insertCard(t.db, { tokenHash: hash(4), participantId: bo, issuedAt: 200 });
    expect(listCardsOf(t.db, anna).map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect(listCardsOf(t.db, 999)).toEqual([]);
  });

  it('revokeCard records time and reason once; a second revoke keeps the first', () => {
    const card = insertCard(t.db, { tokenHash: hash(1), participantId: anna, issuedAt: 100 });
    revokeCard(t.db, card.id, 500, 'lost');
    expect(findCardByHash(t.db, hash(1))).toMatchObject({ revokedAt: 500, revokeReason: 'lost' });
    revokeCard(t.db, card.id, 900, 'again');
    expect(findCardByHash(t.db, hash(1))).toMatchObject({ revokedAt: 500, revokeReason: 'lost' });
  });

  it('revokeActiveCardsOf revokes only that participant\'s active cards and counts them', () => {
    const old = insertCard(t.db, { tokenHash: hash(1), participantId: anna, issuedAt: 100 });
    revokeCard(t.db, old.id, 150, 'lost');
    insertCard(t.db, { tokenHash: hash(2), participantId: anna, issuedAt: 200 });
    insertCard(t.db, { tokenHash: hash(3), participantId: anna, issuedAt: 210 });
    insertCard(t.db, { tokenHash: hash(4), participantId: bo, issuedAt: 200 });
    expect(revokeActiveCardsOf(t.db, anna, 400, 'reissued')).toBe(2);
    expect(revokeActiveCardsOf(t.db, anna, 500, 'reissued')).toBe(0);
    expect(findCardByHash(t.db, hash(1))).toMatchObject({ revokedAt: 150, revokeReason: 'lost' });
    expect(findCardByHash(t.db, hash(2))).toMatchObject({ revokedAt: 400, revokeReason: 'reissued' });
    expect(findCardByHash(t.db, hash(3))).toMatchObject({ revokedAt: 400, revokeReason: 'reissued' });
    expect(findCardByHash(t.db, hash(4))).toMatchObject({ revokedAt: null, revokeReason: null });
  });
});
