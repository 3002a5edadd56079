/**
 * Printable QR cards as a PDF: ISO/IEC 7810 ID-1 (85.6 × 54 mm), one card
 * per page for a card printer, or an A4 sheet of ten with cut marks.
 *
 * The QR holds the card payload as one alphanumeric segment (the payload is
 * A–Z and 0–9 by design, so it fits version 2), error correction M and the
 * full four-module quiet zone drawn on the card itself: a card held in
 * fingers or lying on a dark desk still has its white margin. The code is
 * about 35 mm wide, large enough for a webcam at arm's length. The payload
 * is never printed as text, and neither is the participant code: the card
 * shows the person's chosen name, the venue and how to use it.
 *
 * Generation is synchronous (pdfkit writes into its stream buffer), so the
 * clear payloads live only for the duration of this call and in the buffer
 * handed to the printer or the download.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { parseCardPayload } from '../../shared/card';
import { KlivError } from '../../shared/errors';
import { fontPath } from './fonts';

export type CardLayout = 'single' | 'sheet';

export interface CardToPrint {
  displayName: string;
  payload: string;
  /** A short, non-identifying hint such as "Kort 12" (a card number). Never the code or the token. */
  hint?: string;
}

export interface CardPdfInput {
  venueName: string;
  cards: CardToPrint[];
  layout: CardLayout;
  /** Fixed document dates (tests); defaults to now. */
  createdAt?: Date;
}

export const MM = 72 / 25.4;
export const CARD_WIDTH_MM = 85.6;
export const CARD_HEIGHT_MM = 54;
export const SHEET_COLUMNS = 2;
export const SHEET_ROWS = 5;
export const CARDS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS;
const A4_MM = { width: 210, height: 297 };

/** The QR including its quiet zone, on the card's left. */
export const QR_BOX_MM = 46;
export const QR_QUIET_ZONE_MODULES = 4;
export const QR_ERROR_CORRECTION = 'M' as const;

const TEXT = {
  line: 'Visa kortet för kameran',
  staffLabel: 'PERSONAL',
  sheetPrintHint: 'Skriv ut i verklig storlek (100 %).',
  sheetCutHint: 'Klipp längs strecken i kanten.',
};

const INK = '#111111';
const MUTED = '#5b6470';
const ACCENT_PARTICIPANT = '#0f766e';
const ACCENT_STAFF = '#b45309';
const GUIDE = '#c9ced4';

const REGULAR = 'DejaVuSans.ttf';
const BOLD = 'DejaVuSans-Bold.ttf';

/** The QR matrix for a payload, exactly as printed. */
export function cardQrMatrix(payload: string): { size: number; dark(row: number, col: number): boolean } {
  const qr = QRCode.create([{ data: payload.toUpperCase(), mode: 'alphanumeric' }], { errorCorrectionLevel: QR_ERROR_CORRECTION });
  return { size: qr.modules.size, dark: (r, c) => Boolean(qr.modules.get(r, c)) };
}

function checkCards(cards: CardToPrint[]): void {
  if (cards.length === 0) throw new KlivError('BAD_INPUT', 'There are no cards to print.');
  for (const card of cards) {
    const parsed = parseCardPayload(card.payload);
    if (!parsed.ok) throw new KlivError('BAD_INPUT', 'A card payload is not valid.');
  }
}

export function cardPdf(input: CardPdfInput): Buffer {
  checkCards(input.cards);
  const created = input.createdAt ?? new Date();
  const sheet = input.layout === 'sheet';
  const pageSize: [number, number] = sheet ? [A4_MM.width * MM, A4_MM.height * MM] : [CARD_WIDTH_MM * MM, CARD_HEIGHT_MM * MM];
  const doc = new PDFDocument({
    size: pageSize,
    margin: 0,
    autoFirstPage: false,
    font: fontPath(REGULAR),
    info: { Title: 'Kliv – kort', Author: 'Kliv', Creator: 'Kliv', Producer: 'Kliv', CreationDate: created, ModDate: created },
    pdfVersion: '1.4',
  });
  doc.registerFont('regular', fontPath(REGULAR));
  doc.registerFont('bold', fontPath(BOLD));

  if (sheet) {
    for (let i = 0; i < input.cards.length; i += CARDS_PER_SHEET) {
      doc.addPage({ size: pageSize, margin: 0 });
      drawSheet(doc, input.venueName, input.cards.slice(i, i + CARDS_PER_SHEET));
    }
  } else {
    for (const card of input.cards) {
      doc.addPage({ size: pageSize, margin: 0 });
      drawCard(doc, 0, 0, input.venueName, card);
    }
  }
  doc.end();
  const chunks: Buffer[] = [];
  for (let chunk = doc.read() as Buffer | null; chunk !== null; chunk = doc.read() as Buffer | null) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sheetOrigin(): { x: number; y: number } {
  return {
    x: ((A4_MM.width - SHEET_COLUMNS * CARD_WIDTH_MM) / 2) * MM,
    y: ((A4_MM.height - SHEET_ROWS * CARD_HEIGHT_MM) / 2) * MM,
  };
}

/** Where card `index` (0–9) of a sheet sits, in points from the page's top-left. */
export function sheetSlot(index: number): { x: number; y: number } {
  const o = sheetOrigin();
  return { x: o.x + (index % SHEET_COLUMNS) * CARD_WIDTH_MM * MM, y: o.y + Math.floor(index / SHEET_COLUMNS) * CARD_HEIGHT_MM * MM };
}

function drawSheet(doc: PDFKit.PDFDocument, venueName: string, cards: CardToPrint[]): void {
  const o = sheetOrigin();
  const w = CARD_WIDTH_MM * MM;
  const h = CARD_HEIGHT_MM * MM;
  const right = o.x + SHEET_COLUMNS * w;
  const bottom = o.y + SHEET_ROWS * h;

  // Faint guides along the cut lines, for scissors.
  doc.save().lineWidth(0.3).strokeColor(GUIDE);
  for (let c = 0; c <= SHEET_COLUMNS; c++) doc.moveTo(o.x + c * w, o.y).lineTo(o.x + c * w, bottom);
  for (let r = 0; r <= SHEET_ROWS; r++) doc.moveTo(o.x, o.y + r * h).lineTo(right, o.y + r * h);
  doc.stroke().restore();

  // Cut marks in the margins, in line with every cut.
  const gap = 2 * MM;
  const len = 5 * MM;
  doc.save().lineWidth(0.5).strokeColor('#000000');
  for (let c = 0; c <= SHEET_COLUMNS; c++) {
    const x = o.x + c * w;
    doc.moveTo(x, o.y - gap).lineTo(x, o.y - gap - len);
    doc.moveTo(x, bottom + gap).lineTo(x, bottom + gap + len);
  }
  for (let r = 0; r <= SHEET_ROWS; r++) {
    const y = o.y + r * h;
    doc.moveTo(o.x - gap, y).lineTo(o.x - gap - len, y);
    doc.moveTo(right + gap, y).lineTo(right + gap + len, y);
  }
  doc.stroke().restore();

  doc.font('regular').fontSize(6.5).fillColor(MUTED);
  const hintY = o.y - gap - len + 0.5 * MM;
  doc.text(TEXT.sheetPrintHint, o.x + 3 * MM, hintY, { width: w - 6 * MM, lineBreak: false });
  doc.text(TEXT.sheetCutHint, o.x + w + 3 * MM, hintY, { width: w - 6 * MM, lineBreak: false });

  cards.forEach((card, i) => {
    const slot = sheetSlot(i);
    drawCard(doc, slot.x, slot.y, venueName, card);
  });
}

function drawCard(doc: PDFKit.PDFDocument, x0: number, y0: number, venueName: string, card: CardToPrint): void {
  const parsed = parseCardPayload(card.payload);
  const staff = parsed.ok && parsed.kind === 'staff';
  const accent = staff ? ACCENT_STAFF : ACCENT_PARTICIPANT;
  const W = CARD_WIDTH_MM * MM;
  const H = CARD_HEIGHT_MM * MM;

  // The QR with its quiet zone, vertically centred at the left.
  const box = QR_BOX_MM * MM;
  const qrX = x0 + 2.5 * MM;
  const qrY = y0 + (H - box) / 2;
  drawQr(doc, card.payload, qrX, qrY, box);

  // The text column starts where the quiet zone on the QR's right ends.
  const tx = qrX + box + 0.5 * MM;
  const tw = x0 + W - 4 * MM - tx;
  const top = y0 + 6 * MM;

  doc.font('bold').fillColor(MUTED);
  doc.text(fitOneLine(doc, venueName, tw, 6.5, 5), tx, top, { width: tw, lineBreak: false });
  const barY = top + 9.5;
  if (staff) {
    // Staff badges carry a label so nobody hands one to a participant by mistake.
    doc.font('bold').fontSize(6);
    const labelW = doc.widthOfString(TEXT.staffLabel) + 3 * MM;
    doc.save().roundedRect(tx, barY - 0.6 * MM, labelW, 3.4 * MM, 1.7 * MM).fill(accent).restore();
    doc.fillColor('#ffffff').text(TEXT.staffLabel, tx + 1.5 * MM, barY + 0.15 * MM, { lineBreak: false });
  } else {
    doc.save().roundedRect(tx, barY, 9 * MM, 0.9 * MM, 0.45 * MM).fill(accent).restore();
  }

  // The name, as large as fits: one line if possible, else up to three.
  const nameTop = barY + (staff ? 5 : 4) * MM;
  const footerTop = y0 + H - 11.5 * MM;
  const nameArea = footerTop - nameTop - 1.5 * MM;
  const fitted = fitName(doc, card.displayName, tw, nameArea);
  doc.font('bold').fontSize(fitted.size).fillColor(INK);
  const nameY = nameTop + Math.max(0, (nameArea - fitted.height) / 2);
  doc.text(card.displayName, tx, nameY, { width: tw, height: nameArea + 2, lineGap: 0, ellipsis: true });

  // How to use it, with a small camera glyph.
  const iconW = 3.6 * MM;
  drawCameraIcon(doc, tx, footerTop + 0.2 * MM, iconW, accent);
  doc.font('regular').fontSize(6.3).fillColor(INK);
  doc.text(TEXT.line, tx + iconW + 1.4 * MM, footerTop, { width: tw - iconW - 1.4 * MM, lineGap: 0 });

  if (card.hint) {
    doc.font('regular').fontSize(5).fillColor(MUTED);
    const hint = card.hint.slice(0, 24);
    doc.text(hint, x0 + W - 4 * MM - doc.widthOfString(hint), y0 + H - 4.5 * MM, { lineBreak: false });
  }
  doc.fillColor(INK);
}

function drawQr(doc: PDFKit.PDFDocument, payload: string, x: number, y: number, box: number): void {
  const m = cardQrMatrix(payload);
  const total = m.size + 2 * QR_QUIET_ZONE_MODULES;
  const unit = box / total;
  const ox = x + QR_QUIET_ZONE_MODULES * unit;
  const oy = y + QR_QUIET_ZONE_MODULES * unit;
  doc.save();
  doc.rect(x, y, box, box).fill('#ffffff');
  // One path of horizontal runs: no hairline seams between modules when
  // a viewer or printer anti-aliases.
  for (let r = 0; r < m.size; r++) {
    let c = 0;
    while (c < m.size) {
      if (!m.dark(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < m.size && m.dark(r, c)) c++;
      doc.rect(ox + start * unit, oy + r * unit, (c - start) * unit, unit);
    }
  }
  doc.fill('#000000');
  doc.restore();
}

function drawCameraIcon(doc: PDFKit.PDFDocument, x: number, y: number, w: number, color: string): void {
  const h = w * 0.72;
  doc.save();
  doc.roundedRect(x, y + h * 0.18, w, h * 0.82, w * 0.12).fill(color);
  doc.rect(x + w * 0.3, y, w * 0.4, h * 0.3).fill(color);
  doc.circle(x + w / 2, y + h * 0.58, h * 0.26).fill('#ffffff');
  doc.circle(x + w / 2, y + h * 0.58, h * 0.14).fill(color);
  doc.restore();
}

/** Shrinks from `size` to `minSize` to fit one line, then ellipsises. */
function fitOneLine(doc: PDFKit.PDFDocument, text: string, width: number, size: number, minSize: number): string {
  for (let s = size; s >= minSize; s -= 0.25) {
    doc.fontSize(s);
    if (doc.widthOfString(text) <= width) return text;
  }
  let cut = text;
  while (cut.length > 1 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

function fitName(doc: PDFKit.PDFDocument, name: string, width: number, height: number): { size: number; height: number } {
  doc.font('bold');
  for (let size = 20; size >= 11; size -= 0.5) {
    doc.fontSize(size);
    if (doc.widthOfString(name) <= width) return { size, height: doc.currentLineHeight(true) };
  }
  // Wrapped: never split inside a word (a hyphen is a fine place to break).
  const words = name.split(/\s+/).flatMap((w) => w.split(/(?<=-)/)).filter(Boolean);
  for (let size = 14; size >= 7; size -= 0.5) {
    doc.fontSize(size);
    // (with a trailing space: pdfkit would otherwise start the next line with it)
    if (words.some((w) => doc.widthOfString(`${w} `) > width)) continue;
    const h = doc.heightOfString(name, { width, lineGap: 0 });
    if (h <= height) return { size, height: h };
  }
  doc.fontSize(7);
  return { size: 7, height };
}
