// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardView, KlivBridge, ParticipantDetails, ParticipantSummary, StaffRole } from '../../../shared/api';
import { roleAtLeast } from '../../../shared/api';
import { I18nProvider } from '../../../renderer/src/i18n';
import { en } from '../../../renderer/src/i18n/en';
import { sv } from '../../../renderer/src/i18n/sv';
import { KlivProvider } from '../../../renderer/src/kliv';
import { ParticipantsScreen } from '../../../renderer/src/participants/ParticipantsScreen';
import { StaffContext, type StaffContextValue } from '../../../renderer/src/staff/context';
import { fail, fakeBridge, kioskStatus, ok, type FakeBridge, type Handlers } from '../staff/fakes';

const TODAY = '2026-03-02';
const card = (cardId: number, overrides: Partial<CardView> = {}): CardView => ({
  cardId, issuedAt: Date.parse('2026-02-10T09:00:00Z'), status: 'active', revokedAt: null, revokeReason: null, ...overrides,
});
const anna: ParticipantSummary = {
  participantId: 7, code: 'K-1001', displayName: 'Anna', mode: 'structured', active: true, hasActiveCard: true,
  schedule: { scheduleId: 3, days: ['mon', 'wed', 'fri'], start: '09:00', end: '12:00', validFrom: '2026-02-02', validTo: null },
};
const bo: ParticipantSummary = { participantId: 8, code: 'K-1002', displayName: 'Bo', mode: 'dropin', active: true, hasActiveCard: false, schedule: null };
const details = (s: ParticipantSummary, overrides: Partial<ParticipantDetails> = {}): ParticipantDetails => ({
  ...s, createdAt: Date.parse('2026-02-02T09:00:00Z'), cards: s.hasActiveCard ? [card(31), card(12, { status: 'revoked', revokedAt: Date.parse('2026-02-10T08:00:00Z'), revokeReason: 'lost' })] : [],
  schedules: s.schedule ? [s.schedule] : [], todaySlot: s.schedule ? { start: '09:00', end: '12:00' } : null, ...overrides,
});

let notify: ReturnType<typeof vi.fn<(text: string, tone?: 'ok' | 'error') => void>>;
let clicked: { href: string; download: string }[];
beforeEach(() => {
  notify = vi.fn<(text: string, tone?: 'ok' | 'error') => void>();
  clicked = [];
  Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: vi.fn(() => 'blob:kliv/test') });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: vi.fn() });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { clicked.push({ href: this.href, download: this.download }); });
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function show(handlers: Handlers, options: { role?: StaffRole; transport?: KlivBridge['transport']; mode?: 'structured' | 'dropin'; initial?: number } = {}): FakeBridge {
  const bridge = fakeBridge({
    'participants.list': () => ok([anna, bo]),
    'participants.get': ({ participantId }) => ok(details(participantId === 7 ? anna : bo)),
    ...handlers,
  });
  if (options.transport) (bridge as { transport: KlivBridge['transport'] }).transport = options.transport;
  const role = options.role ?? 'staff';
  const ctx: StaffContextValue = {
    session: { staffName: 'Kim', role, idleLockSeconds: 120 },
    status: kioskStatus({ mode: options.mode ?? 'structured', venueName: 'Testgården', today: TODAY }),
    call: (method, input) => bridge.call(method, input),
    can: (need) => roleAtLeast(role, need),
  };
  render(
    <KlivProvider bridge={bridge}>
      <I18nProvider>
        <StaffContext.Provider value={ctx}>
          <ParticipantsScreen notify={notify} {...(options.initial ? { initialParticipantId: options.initial } : {})} />
        </StaffContext.Provider>
      </I18nProvider>
    </KlivProvider>,
  );
  return bridge;
}

describe('participant list', () => {
  it('lists participants with mode, card and schedule, and searches by name or code', async () => {
    const bridge = show({});
    const list = await screen.findByTestId('participant-list');
    expect(within(list).getByTestId('participant-7')).toHaveTextContent('Anna');
    expect(within(list).getByTestId('participant-7')).toHaveTextContent('K-1001');
    expect(within(list).getByTestId('participant-7')).toHaveTextContent('mån, ons, fre 09:00–12:00');
    expect(within(list).getByTestId('participant-8')).toHaveTextContent('Inget kort');
    expect(within(list).getByTestId('participant-8')).toHaveTextContent('Drop-in');
    fireEvent.change(screen.getByTestId('participants-search'), { target: { value: 'k-10' } });
    await waitFor(() => expect(bridge.callsOf('participants.list').at(-1)).toEqual({ query: 'k-10', includeInactive: false }));
    fireEvent.click(screen.getByTestId('participants-inactive'));
    await waitFor(() => expect(bridge.callsOf('participants.list').at(-1)).toEqual({ query: 'k-10', includeInactive: true }));
  });

  it('selects everyone without a card and prints their cards on an A4 sheet', async () => {
    const bridge = show({ 'cards.print': () => ok({ filename: 'kliv-kort.pdf', pdfBase64: btoa('%PDF-1.4 test'), sentToPrinter: false, cards: [{ participantId: 8, cardId: 40 }] }) });
    fireEvent.click(await screen.findByTestId('participants-select-nocard'));
    fireEvent.click(screen.getByTestId('participants-print'));
    const print = await screen.findByTestId('print-cards');
    expect(within(print).getAllByTestId('card-preview')).toHaveLength(1);
    expect(within(print).getByTestId('card-preview')).toHaveTextContent('Bo');
    expect(screen.queryByTestId('print-replaces')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId('print-layout-sheet'));
    expect(print).toHaveTextContent('Klipp längs strecken');
    fireEvent.click(screen.getByTestId('print-go'));
    await screen.findByTestId('print-done');
    expect(bridge.callsOf('cards.print')).toEqual([{ participantIds: [8], layout: 'sheet', deliver: 'download' }]);
    expect(clicked).toEqual([{ href: 'blob:kliv/test', download: 'kliv-kort.pdf' }]);
  });
});

describe('enrolment', () => {
  it('enrols a structured participant with a weekly schedule and goes straight to printing the card', async () => {
    const enrolled = details({ ...bo, participantId: 9, code: 'K-2001', displayName: 'Sara', mode: 'structured', hasActiveCard: false });
    const bridge = show({
      'participants.enrol': () => ok(enrolled),
      'cards.print': () => ok({ filename: 'kliv-kort-2026-03-02-0900.pdf', pdfBase64: btoa('%PDF'), sentToPrinter: false, cards: [{ participantId: 9, cardId: 41 }] }),
    });
    fireEvent.click(await screen.findByTestId('participants-add'));
    expect(screen.getByTestId('enrol-form')).toHaveTextContent('Skriv aldrig personnummer');
    fireEvent.change(screen.getByTestId('enrol-name'), { target: { value: 'Sara' } });
    fireEvent.change(screen.getByTestId('enrol-code'), { target: { value: 'k-2001' } });
    expect(screen.getByTestId('enrol-code')).toHaveValue('K-2001');
    expect(screen.getByTestId('enrol-mode-structured')).toHaveAttribute('aria-checked', 'true');
    for (const d of ['mon', 'wed', 'fri']) fireEvent.click(screen.getByTestId(`day-${d}`));
    fireEvent.click(screen.getByTestId('day-wed'));
    fireEvent.click(screen.getByTestId('day-wed'));
    expect(screen.getByTestId('day-wed')).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(screen.getByTestId('schedule-end-later'));
    expect(screen.getByTestId('schedule-end')).toHaveValue('12:30');
    fireEvent.change(screen.getByTestId('schedule-start'), { target: { value: '930' } });
    fireEvent.blur(screen.getByTestId('schedule-start'));
    expect(screen.getByTestId('schedule-start')).toHaveValue('09:30');
    fireEvent.click(screen.getByTestId('enrol-save'));
    await screen.findByTestId('print-cards');
    expect(bridge.callsOf('participants.enrol')).toEqual([{
      displayName: 'Sara', code: 'K-2001', mode: 'structured',
      schedule: { days: ['mon', 'wed', 'fri'], start: '09:30', end: '12:30', validFrom: TODAY, validTo: null },
    }]);
    expect(notify).toHaveBeenCalledWith('Sara är inskriven.');
    expect(screen.getByTestId('card-preview')).toHaveTextContent('Sara');
    expect(screen.getByTestId('card-preview')).toHaveTextContent('Testgården');
    expect(screen.getByTestId('card-preview')).toHaveTextContent('Visa kortet för kameran');
    expect(screen.getByTestId('card-preview')).not.toHaveTextContent('K-2001');
    fireEvent.click(screen.getByTestId('print-go'));
    await screen.findByTestId('print-done');
    expect(bridge.callsOf('cards.print')).toEqual([{ participantIds: [9], layout: 'single', deliver: 'download' }]);
    expect(screen.getByTestId('print-done')).toHaveTextContent('radera filen');
    fireEvent.click(screen.getByTestId('print-finish'));
    await screen.findByTestId('participant-detail');
  });

  it('shows why an enrolment was refused (a personal number) and keeps the form', async () => {
    show({ 'participants.enrol': () => fail('PERSONAL_NUMBER_REFUSED') }, { mode: 'dropin' });
    fireEvent.click(await screen.findByTestId('participants-add'));
    expect(screen.queryByTestId('schedule-editor')).not.toBeInTheDocument();
    fireEvent.change(screen.getByTestId('enrol-name'), { target: { value: '850101-1234' } });
    fireEvent.click(screen.getByTestId('enrol-save'));
    expect(await screen.findByTestId('enrol-error')).toHaveTextContent('Skriv inte personnummer här.');
    expect(screen.getByTestId('enrol-name')).toHaveValue('850101-1234');
  });

  it('asks for a name and refuses an end time before the start without calling the service', async () => {
    const bridge = show({});
    fireEvent.click(await screen.findByTestId('participants-add'));
    fireEvent.click(screen.getByTestId('enrol-save'));
    expect(screen.getByTestId('enrol-error')).toHaveTextContent('Skriv ett namn först.');
    fireEvent.change(screen.getByTestId('enrol-name'), { target: { value: 'Sara' } });
    fireEvent.click(screen.getByTestId('day-tue'));
    fireEvent.change(screen.getByTestId('schedule-end'), { target: { value: '08:00' } });
    fireEvent.click(screen.getByTestId('enrol-save'));
    expect(screen.getByTestId('enrol-error')).toHaveTextContent('Sluttiden måste vara efter starttiden');
    expect(bridge.callsOf('participants.enrol')).toEqual([]);
  });

  it('the on-screen keyboard types into the field last touched', async () => {
    show({});
    fireEvent.click(await screen.findByTestId('participants-add'));
    fireEvent.click(screen.getByRole('button', { name: 'S' }));
    fireEvent.click(screen.getByRole('button', { name: 'A' }));
    expect(screen.getByTestId('enrol-name')).toHaveValue('Sa');
    fireEvent.focus(screen.getByTestId('enrol-code'));
    fireEvent.click(screen.getByRole('button', { name: 'K' }));
    fireEvent.click(screen.getByRole('button', { name: '-' }));
    fireEvent.click(screen.getByRole('button', { name: '7' }));
    expect(screen.getByTestId('enrol-code')).toHaveValue('K-7');
  });
});

describe('participant details', () => {
  it('shows cards with their status; a lost card is reissued and printed in two taps', async () => {
    const bridge = show({ 'cards.print': () => ok({ filename: 'k.pdf', pdfBase64: btoa('%PDF'), sentToPrinter: false, cards: [{ participantId: 7, cardId: 32 }] }) });
    fireEvent.click(await screen.findByTestId('participant-7'));
    const cards = await screen.findByTestId('detail-cards');
    expect(within(cards).getByTestId('card-31')).toHaveAttribute('data-status', 'active');
    expect(within(cards).getByTestId('card-31')).toHaveTextContent('Fungerar');
    expect(within(cards).getByTestId('card-12')).toHaveTextContent('Spärrat');
    expect(within(cards).getByTestId('card-12')).toHaveTextContent('Borttappat');
    expect(screen.getByTestId('detail-schedule')).toHaveTextContent('mån, ons, fre 09:00–12:00');
    expect(screen.getByTestId('participant-detail')).toHaveTextContent('Idag 09:00–12:00');

    fireEvent.click(screen.getByTestId('detail-print')); // tap 1: "Nytt kort"
    expect(await screen.findByTestId('print-replaces')).toHaveTextContent('Det nuvarande kortet slutar fungera direkt.');
    fireEvent.click(screen.getByTestId('print-reason-lost'));
    fireEvent.click(screen.getByTestId('print-go')); // tap 2
    await screen.findByTestId('print-done');
    expect(bridge.callsOf('cards.print')).toEqual([{ participantIds: [7], layout: 'single', deliver: 'download', reason: 'lost' }]);
  });

  it('in the desktop app the card goes to the print dialog and nothing is downloaded', async () => {
    const bridge = show({ 'cards.print': () => ok({ filename: 'k.pdf', pdfBase64: null, sentToPrinter: true, cards: [{ participantId: 7, cardId: 32 }] }) }, { transport: 'desktop', initial: 7 });
    fireEvent.click(await screen.findByTestId('detail-print'));
    expect(screen.getByTestId('print-go')).toHaveTextContent('Skriv ut');
    fireEvent.click(screen.getByTestId('print-go'));
    expect(await screen.findByTestId('print-done')).toHaveTextContent('Korten skickades till skrivaren.');
    expect(bridge.callsOf('cards.print')[0]).toMatchObject({ deliver: 'printer' });
    expect(clicked).toEqual([]);
  });

  it('revokes a card with a reason', async () => {
    const revoked = details(anna, { cards: [card(31, { status: 'revoked', revokedAt: Date.parse('2026-03-02T08:00:00Z'), revokeReason: 'stolen' })], hasActiveCard: false });
    const bridge = show({ 'cards.revoke': () => ok(revoked.cards[0]!) }, { initial: 7 });
    fireEvent.click(await screen.findByTestId('card-31-revoke'));
    expect(screen.getByTestId('revoke-yes')).toBeDisabled();
    fireEvent.click(screen.getByTestId('revoke-reason-stolen'));
    bridge.handlers['participants.get'] = () => ok(revoked);
    fireEvent.click(screen.getByTestId('revoke-yes'));
    await waitFor(() => expect(screen.getByTestId('card-31')).toHaveAttribute('data-status', 'revoked'));
    expect(bridge.callsOf('cards.revoke')).toEqual([{ participantId: 7, cardId: 31, reason: 'stolen' }]);
    expect(notify).toHaveBeenCalledWith('Kort 31 är spärrat och fungerar inte längre.');
    expect(screen.getByTestId('detail-print')).toHaveTextContent('Skriv ut kort');
  });

  it('deactivates after asking, and reactivates', async () => {
    const bridge = show({
      'participants.setActive': ({ active }) => ok(details({ ...anna, active }, { todaySlot: null })),
    }, { initial: 7 });
    fireEvent.click(await screen.findByTestId('detail-deactivate'));
    expect(screen.getByTestId('deactivate-confirm')).toHaveTextContent('Inaktivera Anna?');
    fireEvent.click(screen.getByTestId('deactivate-yes'));
    await screen.findByTestId('detail-reactivate');
    expect(screen.getByTestId('participant-detail')).toHaveTextContent('Inaktiv – kortet fungerar inte i kiosken.');
    expect(screen.queryByTestId('detail-print')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId('detail-reactivate'));
    await screen.findByTestId('detail-deactivate');
    expect(bridge.callsOf('participants.setActive')).toEqual([{ participantId: 7, active: false }, { participantId: 7, active: true }]);
  });

  it('changes the schedule from today and renames', async () => {
    const bridge = show({
      'schedules.set': ({ schedule }) => ok(details(anna, { schedule: { scheduleId: 4, validFrom: TODAY, validTo: null, ...schedule, days: schedule.days } as never })),
      'participants.update': ({ displayName }) => ok(details({ ...anna, displayName: displayName ?? 'Anna' })),
    }, { initial: 7 });
    fireEvent.click(await screen.findByTestId('schedule-change'));
    expect(screen.getByTestId('day-mon')).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(screen.getByTestId('day-fri'));
    fireEvent.click(screen.getByTestId('day-thu'));
    fireEvent.click(screen.getByTestId('schedule-save'));
    await waitFor(() => expect(bridge.callsOf('schedules.set')).toEqual([{ participantId: 7, schedule: { days: ['mon', 'wed', 'thu'], start: '09:00', end: '12:00', validFrom: TODAY, validTo: null } }]));
    fireEvent.click(await screen.findByTestId('detail-edit'));
    fireEvent.change(screen.getByTestId('edit-name'), { target: { value: 'Annie' } });
    fireEvent.click(screen.getByTestId('edit-save'));
    await waitFor(() => expect(screen.getByTestId('detail-name')).toHaveTextContent('Annie'));
    expect(bridge.callsOf('participants.update')).toEqual([{ participantId: 7, displayName: 'Annie' }]);
  });
});

describe('messages', () => {
  it('every participants.* string exists in Swedish and English', () => {
    const keys = Object.keys(sv).filter((k) => k.startsWith('participants.'));
    expect(keys.length).toBeGreaterThan(100);
    for (const k of keys) expect(en[k as keyof typeof en], k).toBeTruthy();
  });
});
