import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CARD_HEIGHT_MM, CARD_WIDTH_MM, cardPdf, cardQrMatrix, QR_BOX_MM, QR_ERROR_CORRECTION, QR_QUIET_ZONE_MODULES, type CardToPrint,
} from '../../../electron/services/cards-pdf';
import { generateCardPayload } from '../../../shared/card';
import { KlivError } from '../../../shared/errors';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kliv-cards-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['Anna', 'Maria-Fernanda', 'Åsa', 'Mohammed', 'Kim', 'Jean-Baptiste Olofsson', 'Zlatan', 'Li', 'Eva-Lotta', 'Per', 'Sara'];
const cardsFor = (names: string[]): CardToPrint[] => names.map((displayName, i) => ({ displayName, payload: generateCardPayload('participant'), hint: `Kort ${i + 1}` }));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
}

function save(pdf: Buffer, name = 'cards.pdf'): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return file;
}

/** Every page rendered at `dpi`, decoded by zbarimg (an independent decoder), in page order. */
function decodeAll(pdf: Buffer, dpi = 300): string[][] {
  const file = save(pdf);
  run('pdftoppm', ['-r', String(dpi), '-png', file, join(dir, 'page')]);
  return readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort().map((png) => {
    const r = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', join(dir, png)], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean).sort();
  });
}

function pdfInfo(pdf: Buffer): { pages: number; width: number; height: number } {
  const out = run('pdfinfo', [save(pdf, 'info.pdf')]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out);
  return { pages: Number(/Pages:\s+(\d+)/.exec(out)?.[1]), width: Number(size?.[1]), height: Number(size?.[2]) };
}

/** A greyscale render (PGM) of page 1. */
function renderGray(pdf: Buffer, dpi: number): { width: number; height: number; at(x: number, y: number): number } {
  const file = save(pdf, 'gray.pdf');
  run('pdftoppm', ['-r', String(dpi), '-gray', '-f', '1', '-l', '1', file, join(dir, 'gray')]);
  const pgm = readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('gray') && f.endsWith('.pgm')) as string));
  // P5 header: magic, width, height, maxval, each separated by whitespace.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 50).toString('latin1'));
  if (!header) throw new Error('not a PGM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const offset = header[0].length;
  return { width, height, at: (x, y) => pgm[offset + y * width + x] as number };
}

describe('card PDF', () => {
  it('a single card is an ID-1 page (85.6 × 54 mm), one page per card, and scans to its exact payload', () => {
    const cards = cardsFor(['Anna', 'Bo']);
    const pdf = cardPdf({ venueName: 'Testgården', cards, layout: 'single' });
    const info = pdfInfo(pdf);
    expect(info.pages).toBe(2);
    expect(info.width).toBeCloseTo((CARD_WIDTH_MM / 25.4) * 72, 1);
    expect(info.height).toBeCloseTo((CARD_HEIGHT_MM / 25.4) * 72, 1);
    expect(decodeAll(pdf)).toEqual([[cards[0]!.payload], [cards[1]!.payload]]);
  });

  it('a sheet is A4 with ten cards per page; eleven cards make two pages; every card scans', () => {
    const cards = cardsFor(NAMES);
    const pdf = cardPdf({ venueName: 'Stadsmissionen Skärholmen', cards, layout: 'sheet' });
    const info = pdfInfo(pdf);
    expect(info).toMatchObject({ pages: 2 });
    expect(info.width).toBeCloseTo(595.28, 1);
    expect(info.height).toBeCloseTo(841.89, 1);
    const pages = decodeAll(pdf, 200);
    expect(pages[0]).toEqual(cards.slice(0, 10).map((c) => c.payload).sort());
    expect(pages[1]).toEqual([cards[10]!.payload]);
  });

  it('the QR is one alphanumeric segment at error correction M, with a four-module quiet zone and at least 30 mm wide', () => {
    const payload = generateCardPayload('participant');
    const m = cardQrMatrix(payload);
    const reference = QRCode.create([{ data: payload, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
    expect(reference.segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
    expect(QR_ERROR_CORRECTION).toBe('M');
    expect(m.size).toBe(reference.modules.size);
    expect(m.size).toBe(25); // version 2
    const moduleMm = QR_BOX_MM / (m.size + 2 * QR_QUIET_ZONE_MODULES);
    expect(moduleMm * m.size).toBeGreaterThanOrEqual(30);

    // Measured on the rendered card: the code's width and the white quiet zone around it.
    const dpi = 300;
    const img = renderGray(cardPdf({ venueName: 'Testgården', cards: [{ displayName: 'Anna', payload }], layout: 'single' }), dpi);
    const pxPerMm = dpi / 25.4;
    const leftPart = Math.round((2.5 + QR_BOX_MM) * pxPerMm);
    let minX = Infinity; let minY = Infinity; let maxX = -1; let maxY = -1;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < leftPart; x++) {
        if (img.at(x, y) < 128) {
          minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        }
      }
    }
    const widthMm = (maxX - minX + 1) / pxPerMm;
    const heightMm = (maxY - minY + 1) / pxPerMm;
    expect(widthMm).toBeGreaterThanOrEqual(30);
    expect(widthMm).toBeCloseTo(moduleMm * m.size, 0);
    expect(heightMm).toBeCloseTo(widthMm, 0);
    const modulePx = (maxX - minX + 1) / m.size;
    const quiet = Math.floor(QR_QUIET_ZONE_MODULES * modulePx) - 1;
    // the quiet zone lies on the card and is white
    expect(minX - quiet).toBeGreaterThanOrEqual(0);
    expect(minY - quiet).toBeGreaterThanOrEqual(0);
    expect(maxY + quiet).toBeLessThan(img.height);
    let darkInQuietZone = 0;
    for (let y = minY - quiet; y <= maxY + quiet; y++) {
      for (let x = minX - quiet; x <= maxX + quiet; x++) {
        const inside = x >= minX && x <= maxX && y >= minY && y <= maxY;
        if (!inside && img.at(x, y) < 200) darkInQuietZone++;
      }
    }
    expect(darkInQuietZone).toBe(0);
  });

  it('prints the name, the venue and how to use the card, but never the payload or anything but a card number', () => {
    const cards = cardsFor(['Anna']);
    const pdf = cardPdf({ venueName: 'Testgården', cards, layout: 'single' });
    const text = run('pdftotext', ['-layout', save(pdf, 'text.pdf'), '-']);
    expect(text).toContain('Anna');
    expect(text).toContain('Testgården');
    expect(text).toContain('Visa kortet för kameran');
    expect(text).toContain('Kort 1');
    expect(text).not.toContain(cards[0]!.payload);
    expect(text).not.toMatch(/KLIV1/);
    expect(pdf.toString('latin1')).not.toContain(cards[0]!.payload);
  });

  it('a staff badge says so on the card', () => {
    const pdf = cardPdf({ venueName: 'Testgården', cards: [{ displayName: 'Kim', payload: generateCardPayload('staff') }], layout: 'single' });
    const text = run('pdftotext', [save(pdf, 'badge.pdf'), '-']);
    expect(text).toContain('PERSONAL');
    expect(text).toContain('Kim');
  });

  it('long names and venue names stay on their card (no overflow page)', () => {
    const cards = cardsFor(['Maximiliana Josefina Bergström-Öhrn', 'W'.repeat(40)]);
    const pdf = cardPdf({ venueName: 'Stiftelsen Stadsmissionens dagverksamhet Skärholmen centrum', cards, layout: 'single' });
    expect(pdfInfo(pdf).pages).toBe(2);
    expect(decodeAll(pdf)).toEqual([[cards[0]!.payload], [cards[1]!.payload]]);
  });

  it('refuses an empty list or a payload that is not a card', () => {
    expect(() => cardPdf({ venueName: 'X', cards: [], layout: 'single' })).toThrow(KlivError);
    expect(() => cardPdf({ venueName: 'X', cards: [{ displayName: 'A', payload: 'HELLO' }], layout: 'single' })).toThrow(KlivError);
  });
});
