import { randomBytes } from 'node:crypto';
import { KlivError } from '../../shared/errors';
import type { VenueMode } from '../../shared/api';
import { isValidTimeZone } from '../../shared/time';
import { createVenue, getVenue, type Venue } from '../db/venue';
import type { ServiceContext } from './context';

export interface InitVenueInput { name: string; mode: VenueMode; timeZone: string }

export function initVenue(ctx: ServiceContext, input: InitVenueInput): Venue {
  if (getVenue(ctx.db)) throw new KlivError('CONFLICT', 'This data folder already holds a venue.');
  if (!isValidTimeZone(input.timeZone)) throw new KlivError('BAD_INPUT', `Unknown time zone "${input.timeZone}"; use an IANA name such as Europe/Stockholm.`);
  const venue: Venue = {
    venueId: `V${randomBytes(5).toString('hex').toUpperCase()}`,
    name: input.name,
    mode: input.mode,
    timeZone: input.timeZone,
    createdAt: ctx.clock.now(),
  };
  createVenue(ctx.db, venue);
  ctx.secrets.getOrCreate('signing'); // the venue's Ed25519 export signing key (seed); see services/export.ts venueSigningKey
  return venue;
}

export function requireVenue(ctx: ServiceContext): Venue {
  const venue = getVenue(ctx.db);
  if (!venue) throw new KlivError('NOT_FOUND', 'No venue here yet: run `kliv init` first.');
  return venue;
}
