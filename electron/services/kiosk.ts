/**
 * The scan rules, the heart of the kiosk:
 *   first scan of the venue day → check in;
 *   scan while checked in       → ask for confirmation, then check out;
 *   the same card within a few seconds → double scan, nothing changes;
 *   after a check-out the same day → a new visit.
 * Rejections record nothing but a per-day counter.
 */
import { randomBytes } from 'node:crypto';
import type { ScanResult, ScheduleSlot } from '../../shared/api';
import { parseCardPayload } from '../../shared/card';
import { KlivError } from '../../shared/errors';
import { localDateOf, localTimeOf } from '../../shared/time';
import { findCardByHash } from '../db/cards';
import { appendEvent } from '../db/events';
import { getParticipant, type Participant } from '../db/participants';
import { countRejectedScan } from '../db/rejectedScans';
import { getDayConfirmation } from '../db/dayConfirmations';
import { closeVisit, findOpenVisit, getVisit, insertVisit, setVisitFlagged } from '../db/visits';
import type { ServiceContext } from './context';
import { cardTokenHash } from './hash';
import { requireVenue } from './venue';

export interface KioskOptions {
  /** A repeat of the same card inside this window is a double scan. */
  doubleScanMs: number;
  /** How long a check-out confirmation stays valid. */
  ticketMs: number;
  /** Today's scheduled slot for a participant, if the venue is structured. */
  scheduleFor?: (participant: Participant, day: string) => ScheduleSlot | null;
  /** Called after each change so live views (staff today view) can refresh. */
  onChange?: () => void;
}

export const DEFAULT_KIOSK_OPTIONS: KioskOptions = { doubleScanMs: 5_000, ticketMs: 60_000 };

interface RecentScan { at: number; state: 'in' | 'out'; displayName: string }
interface PendingCheckout { visitId: number; participantId: number; cardKey: string; expires: number }

export interface KioskService {
  scan(payload: string): ScanResult;
  confirmCheckout(ticket: string, confirm: boolean): ScanResult;
}

export function createKioskService(ctx: ServiceContext, options: Partial<KioskOptions> = {}): KioskService {
  const opts: KioskOptions = { ...DEFAULT_KIOSK_OPTIONS, ...options };
  const recent = new Map<string, RecentScan>();
  const pending = new Map<string, PendingCheckout>();

  function prune(nowMono: number): void {
    for (const [key, r] of recent) if (nowMono - r.at > opts.doubleScanMs) recent.delete(key);
    for (const [key, p] of pending) if (nowMono > p.expires) pending.delete(key);
  }

  function reject(day: string, reason: 'malformed' | 'unknown' | 'revoked' | 'inactive'): ScanResult {
    countRejectedScan(ctx.db, day, reason);
    return { outcome: 'rejected', reason };
  }

  function scan(raw: string): ScanResult {
    const venue = requireVenue(ctx);
    const now = ctx.clock.now();
    const mono = ctx.clock.monotonic();
    const day = localDateOf(now, venue.timeZone);
    prune(mono);

    const parsed = parseCardPayload(raw);
    if (!parsed.ok) return reject(day, 'malformed');
    if (parsed.kind === 'staff') return { outcome: 'staff-badge' };

    const hash = cardTokenHash(parsed.payload);
    const cardKey = hash.toString('hex');
    const card = findCardByHash(ctx.db, hash);
    if (!card) return reject(day, 'unknown');
    if (card.revokedAt !== null) return reject(day, 'revoked');
    const participant = getParticipant(ctx.db, card.participantId);
    if (!participant || !participant.active) return reject(day, 'inactive');

    const last = recent.get(cardKey);
    if (last && mono - last.at <= opts.doubleScanMs) {
      return { outcome: 'double-scan', displayName: participant.displayName, state: last.state };
    }

    const open = findOpenVisit(ctx.db, participant.id, day);
    if (!open) {
      const visit = ctx.db.transaction(() => {
        const v = insertVisit(ctx.db, { participantId: participant.id, day, checkedInAt: now, checkedOutAt: null, source: 'card', createdAt: now });
        // Someone arriving after staff confirmed the day is still recorded,
        // flagged so a coordinator sees the confirmed day changed.
        const afterConfirmation = getDayConfirmation(ctx.db, day) !== undefined;
        if (afterConfirmation) setVisitFlagged(ctx.db, v.id);
        appendEvent(ctx.db, { at: now, type: 'visit.checked_in', participantCode: participant.code, data: { visitId: v.id, day, source: 'card', ...(afterConfirmation ? { afterConfirmation } : {}) } });
        return v;
      })();
      recent.set(cardKey, { at: mono, state: 'in', displayName: participant.displayName });
      opts.onChange?.();
      return {
        outcome: 'checked-in',
        displayName: participant.displayName,
        at: visit.checkedInAt,
        localTime: localTimeOf(visit.checkedInAt, venue.timeZone),
        schedule: opts.scheduleFor?.(participant, day) ?? null,
      };
    }

    const ticket = randomBytes(18).toString('base64url');
    for (const [key, p] of pending) if (p.cardKey === cardKey) pending.delete(key);
    pending.set(ticket, { visitId: open.id, participantId: participant.id, cardKey, expires: mono + opts.ticketMs });
    recent.set(cardKey, { at: mono, state: 'in', displayName: participant.displayName });
    return { outcome: 'checkout-pending', displayName: participant.displayName, ticket, checkedInLocalTime: localTimeOf(open.checkedInAt, venue.timeZone) };
  }

  function confirmCheckout(ticket: string, confirm: boolean): ScanResult {
    const venue = requireVenue(ctx);
    const mono = ctx.clock.monotonic();
    prune(mono);
    const p = pending.get(ticket);
    if (!p) throw new KlivError('TICKET_EXPIRED', 'This check-out question has expired; show the card again.');
    pending.delete(ticket);
    const participant = getParticipant(ctx.db, p.participantId);
    if (!participant) throw new KlivError('NOT_FOUND', 'Participant no longer exists.');
    if (!confirm) return { outcome: 'checkout-cancelled', displayName: participant.displayName };

    // If the wall clock was set back since the check-in (NTP correcting a fast
    // clock), check out at the check-in instant rather than refuse a visit
    // that would end before it began.
    const checkedInAt = getVisit(ctx.db, p.visitId)?.checkedInAt ?? -Infinity;
    const now = Math.max(ctx.clock.now(), checkedInAt);
    ctx.db.transaction(() => {
      if (closeVisit(ctx.db, p.visitId, now)) {
        const closed = getVisit(ctx.db, p.visitId);
        if (closed && getDayConfirmation(ctx.db, closed.day)) setVisitFlagged(ctx.db, p.visitId);
        appendEvent(ctx.db, { at: now, type: 'visit.checked_out', participantCode: participant.code, data: { visitId: p.visitId, source: 'card' } });
      }
    })();
    const visit = getVisit(ctx.db, p.visitId);
    const outAt = visit?.checkedOutAt ?? now;
    recent.set(p.cardKey, { at: ctx.clock.monotonic(), state: 'out', displayName: participant.displayName });
    opts.onChange?.();
    return {
      outcome: 'checked-out',
      displayName: participant.displayName,
      at: outAt,
      localTime: localTimeOf(outAt, venue.timeZone),
      minutes: visit ? Math.max(0, Math.round((outAt - visit.checkedInAt) / 60_000)) : 0,
    };
  }

  return { scan, confirmCheckout };
}
