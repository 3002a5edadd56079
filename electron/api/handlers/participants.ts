import type { PrintDelivery } from '../../../shared/api';
import { KlivError } from '../../../shared/errors';
import {
  badgesOf, cardsOf, enrolDetails, listForStaff, participantDetails, printBadges, printCards, revokeBadgeFor, revokeCardFor, setActiveFor,
  updateParticipantFor,
} from '../../services/participants';
import { endSchedule, setSchedule } from '../../services/schedules';
import type { KlivApp } from '../app';
import type { HandlerTable } from '../dispatch';
import { actorOf } from './staff';

/**
 * Hands a PDF to the operating system's print dialog. Only the desktop main
 * process can (electron/main/print.ts registers one); browser mode has none
 * and downloads instead. The printer takes ownership of the buffer and must
 * wipe it (and any copy) once printed: it holds clear card tokens.
 */
export type PdfPrinter = (pdf: Buffer, jobName: string) => void;

const printers = new WeakMap<KlivApp, PdfPrinter>();

export function setPdfPrinter(app: KlivApp, printer: PdfPrinter | null): void {
  if (printer) printers.set(app, printer);
  else printers.delete(app);
}

function deliver(app: KlivApp, how: PrintDelivery, pdf: Buffer, filename: string): { filename: string; pdfBase64: string | null; sentToPrinter: boolean } {
  if (how === 'printer') {
    const printer = printers.get(app);
    // Checked by the caller before anything is issued; this is the last guard.
    if (!printer) throw new KlivError('BAD_INPUT', 'This kiosk cannot print directly; download the PDF instead.');
    // The printer owns the buffer from here and wipes it when the job is done.
    printer(pdf, filename);
    return { filename, pdfBase64: null, sentToPrinter: true };
  }
  const pdfBase64 = pdf.toString('base64');
  pdf.fill(0);
  return { filename, pdfBase64, sentToPrinter: false };
}

function requirePrinterIfAsked(app: KlivApp, how: PrintDelivery): void {
  if (how === 'printer' && !printers.has(app)) throw new KlivError('BAD_INPUT', 'This kiosk cannot print directly; download the PDF instead.');
}

export const participantHandlers = {
  'participants.list': ({ query, includeInactive }, { app, caller }) => listForStaff(app.ctx, actorOf(caller), { query, includeInactive }),
  'participants.get': ({ participantId }, { app, caller }) => participantDetails(app.ctx, actorOf(caller), participantId),
  'participants.enrol': (input, { app, caller }) => enrolDetails(app.ctx, actorOf(caller), input),
  'participants.update': ({ participantId, displayName, mode }, { app, caller }) => updateParticipantFor(app.ctx, actorOf(caller), participantId, { displayName, mode }),
  'participants.setActive': ({ participantId, active }, { app, caller }) => {
    const details = setActiveFor(app.ctx, actorOf(caller), participantId, active);
    app.notifyChange();
    return details;
  },
  'schedules.set': ({ participantId, schedule }, { app, caller }) => {
    const actor = actorOf(caller);
    setSchedule(app.ctx, actor, participantId, schedule);
    app.notifyChange();
    return participantDetails(app.ctx, actor, participantId);
  },
  'schedules.end': ({ participantId }, { app, caller }) => {
    const actor = actorOf(caller);
    endSchedule(app.ctx, actor, participantId);
    app.notifyChange();
    return participantDetails(app.ctx, actor, participantId);
  },
  'cards.list': ({ participantId }, { app, caller }) => cardsOf(app.ctx, actorOf(caller), participantId),
  'cards.revoke': ({ participantId, cardId, reason }, { app, caller }) => revokeCardFor(app.ctx, actorOf(caller), participantId, cardId, reason),
  'cards.print': ({ participantIds, layout, deliver: how, reason }, { app, caller }) => {
    requirePrinterIfAsked(app, how);
    const printed = printCards(app.ctx, actorOf(caller), { participantIds, layout, reason });
    return { ...deliver(app, how, printed.pdf, printed.filename), cards: printed.issued };
  },
  'staffBadges.list': ({ staffId }, { app, caller }) => badgesOf(app.ctx, actorOf(caller), staffId),
  'staffBadges.revoke': ({ staffId, badgeId, reason }, { app, caller }) => revokeBadgeFor(app.ctx, actorOf(caller), staffId, badgeId, reason),
  'staffBadges.print': ({ staffIds, layout, deliver: how }, { app, caller }) => {
    requirePrinterIfAsked(app, how);
    const printed = printBadges(app.ctx, actorOf(caller), { staffIds, layout });
    return { ...deliver(app, how, printed.pdf, printed.filename), badges: printed.issued };
  },
} satisfies Partial<HandlerTable>;
