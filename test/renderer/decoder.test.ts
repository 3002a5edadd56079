// @vitest-environment jsdom
/**
 * The camera's decoder set-up (renderer/src/kiosk/decoder.ts, docs/camera.md):
 * which decoder is chosen, that the .wasm is only ever looked for where the
 * app ships it, that every failure falls back to html5-qrcode's zxing-js,
 * and that the shipped .wasm is the one the polyfill's JavaScript expects and
 * really reads a Kliv card.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';
import {
  nativeReadsQr, scanOptions, sendEveryFrameToDetector, setUpDecoder, shippedFileLocator,
  type DecoderEnv, type DetectorClass, type PolyfillModule,
} from '../../renderer/src/kiosk/decoder';

const WASM_URL = 'http://127.0.0.1:4000/assets/zxing_reader-abc123.wasm';

function detectorClass(formats: readonly string[], detect: () => Promise<unknown[]> = async () => []): DetectorClass {
  return class {
    static getSupportedFormats = vi.fn(async () => formats);
    detect = vi.fn(detect);
  } as unknown as DetectorClass;
}

function fakePolyfill(options: { prepare?: () => Promise<unknown>; detect?: () => Promise<unknown[]> } = {}) {
  const BarcodeDetector = detectorClass(['qr_code', 'ean_13'], options.detect);
  const prepare = options.prepare ?? (async () => ({}));
  const prepareZXingModule = vi.fn((_options: Parameters<PolyfillModule['prepareZXingModule']>[0]) => prepare());
  const module = { BarcodeDetector, prepareZXingModule } as unknown as PolyfillModule;
  return { module, BarcodeDetector, prepareZXingModule, loadPolyfill: vi.fn(async () => module) };
}

function env(global: DecoderEnv['global'], loadPolyfill: DecoderEnv['loadPolyfill'], timeoutMs = 1_000): DecoderEnv {
  return { global, loadPolyfill, wasmUrl: WASM_URL, timeoutMs, probeImage: () => ({ width: 16, height: 16 }) };
}

describe('decoder choice', () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeEach(() => { warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); });
  afterEach(() => { warn.mockRestore(); });

  it('keeps a native BarcodeDetector that reads QR codes and loads nothing', async () => {
    const Native = detectorClass(['qr_code', 'aztec']);
    const polyfill = fakePolyfill();
    const global: DecoderEnv['global'] = { BarcodeDetector: Native };
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('native');
    expect(global.BarcodeDetector).toBe(Native);
    expect(polyfill.loadPolyfill).not.toHaveBeenCalled();
  });

  it('installs the zxing-cpp polyfill when there is no native detector, pointing the loader at the shipped .wasm', async () => {
    const polyfill = fakePolyfill();
    const global: DecoderEnv['global'] = {};
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('zxing-cpp');
    expect(global.BarcodeDetector).toBe(polyfill.BarcodeDetector);
    expect(polyfill.prepareZXingModule).toHaveBeenCalledTimes(1);
    const options = polyfill.prepareZXingModule.mock.calls[0]?.[0];
    expect(options?.fireImmediately).toBe(true);
    expect(options?.overrides.locateFile('zxing_reader.wasm', 'https://fastly.jsdelivr.net/npm/zxing-wasm/dist/reader/')).toBe(WASM_URL);
  });

  it('replaces a native detector that cannot read QR codes', async () => {
    const polyfill = fakePolyfill();
    const global: DecoderEnv['global'] = { BarcodeDetector: detectorClass(['ean_13']) };
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('zxing-cpp');
    expect(global.BarcodeDetector).toBe(polyfill.BarcodeDetector);
  });

  it('falls back to zxing-js when the .wasm does not load, leaving no BarcodeDetector behind', async () => {
    const polyfill = fakePolyfill({ prepare: async () => { throw new Error('wasm streaming compile failed'); } });
    const global: DecoderEnv['global'] = {};
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('zxing-js');
    expect('BarcodeDetector' in global).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('falls back to zxing-js when the polyfill chunk itself cannot be loaded', async () => {
    const global: DecoderEnv['global'] = {};
    const load = vi.fn(async (): Promise<PolyfillModule> => { throw new TypeError('Failed to fetch dynamically imported module'); });
    await expect(setUpDecoder(env(global, load))).resolves.toBe('zxing-js');
    expect('BarcodeDetector' in global).toBe(false);
  });

  it('falls back to zxing-js when the module loads but cannot decode', async () => {
    const polyfill = fakePolyfill({ detect: async () => { throw new DOMException('Barcode detection service unavailable.', 'NotSupportedError'); } });
    const global: DecoderEnv['global'] = {};
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('zxing-js');
    expect('BarcodeDetector' in global).toBe(false);
  });

  it('gives up on a .wasm that never arrives', async () => {
    const polyfill = fakePolyfill({ prepare: () => new Promise(() => undefined) });
    const global: DecoderEnv['global'] = {};
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill, 20))).resolves.toBe('zxing-js');
    expect('BarcodeDetector' in global).toBe(false);
  });

  it('removes a native detector that cannot read QR codes when the polyfill fails too, so html5-qrcode uses zxing-js', async () => {
    const polyfill = fakePolyfill({ prepare: async () => { throw new Error('no wasm'); } });
    const global: DecoderEnv['global'] = { BarcodeDetector: detectorClass([]) };
    await expect(setUpDecoder(env(global, polyfill.loadPolyfill))).resolves.toBe('zxing-js');
    expect('BarcodeDetector' in global).toBe(false);
  });
});

describe('pure helpers', () => {
  it('locates every .wasm at the shipped URL and leaves other files alone', () => {
    const locate = shippedFileLocator('./assets/zxing_reader-1.wasm');
    expect(locate('zxing_reader.wasm', 'https://cdn.example/')).toBe('./assets/zxing_reader-1.wasm');
    expect(locate('zxing_reader.data', 'app://kliv/assets/')).toBe('app://kliv/assets/zxing_reader.data');
  });

  it('trusts a native detector only if it lists qr_code', () => {
    expect(nativeReadsQr(null)).toBe(false);
    expect(nativeReadsQr([])).toBe(false);
    expect(nativeReadsQr(['ean_13', 'code_128'])).toBe(false);
    expect(nativeReadsQr(['ean_13', 'qr_code'])).toBe(true);
  });

  it('skips the mirrored second pass only for zxing-cpp, which reads mirrored codes itself', () => {
    expect(scanOptions('zxing-cpp', 20)).toEqual({ fps: 20, disableFlip: true });
    expect(scanOptions('native', 20)).toEqual({ fps: 20, disableFlip: false });
    expect(scanOptions('zxing-js', 15)).toEqual({ fps: 15, disableFlip: false });
  });

  it('leaves anything that is not html5-qrcode 2.3.8 alone', () => {
    expect(sendEveryFrameToDetector(null)).toBe(false);
    expect(sendEveryFrameToDetector({})).toBe(false);
    expect(sendEveryFrameToDetector({ qrcode: { primaryDecoder: {} } })).toBe(false);
    const noSecondary = { qrcode: { primaryDecoder: {}, getDecoder: () => undefined } };
    expect(sendEveryFrameToDetector(noSecondary)).toBe(false);
  });
});

describe('html5-qrcode 2.3.8 internals the scanner relies on', () => {
  const win = window as unknown as { BarcodeDetector?: unknown };
  afterEach(() => {
    delete win.BarcodeDetector;
    document.body.innerHTML = '';
  });

  it('alternates BarcodeDetector and zxing-js per frame until the secondary decoder is dropped', () => {
    win.BarcodeDetector = detectorClass(['qr_code']);
    document.body.innerHTML = '<div id="cam"></div>';
    const scanner = new Html5Qrcode('cam', { verbose: false, formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE], useBarCodeDetectorIfSupported: true });
    const shim = (scanner as unknown as { qrcode: { getDecoder(): unknown; primaryDecoder: unknown } }).qrcode;
    const before = [shim.getDecoder(), shim.getDecoder(), shim.getDecoder(), shim.getDecoder()];
    expect(new Set(before).size).toBe(2);

    expect(sendEveryFrameToDetector(scanner)).toBe(true);
    const after = [shim.getDecoder(), shim.getDecoder(), shim.getDecoder()];
    expect(after.every((d) => d === shim.primaryDecoder)).toBe(true);
    expect((shim.primaryDecoder as { constructor: { name: string } }).constructor.name).toBe('BarcodeDetectorDelegate');
  });

  it('has no secondary decoder to drop without a BarcodeDetector', () => {
    document.body.innerHTML = '<div id="cam"></div>';
    const scanner = new Html5Qrcode('cam', { verbose: false, formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE], useBarCodeDetectorIfSupported: true });
    expect(sendEveryFrameToDetector(scanner)).toBe(false);
  });
});

describe('the shipped .wasm', () => {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');

  it('is the exact build the barcode-detector JavaScript was made for', async () => {
    const { ZXING_WASM_SHA256, ZXING_WASM_VERSION } = await import('barcode-detector/ponyfill');
    const sha256 = createHash('sha256').update(readFileSync(wasmPath)).digest('hex');
    expect(sha256).toBe(ZXING_WASM_SHA256);
    const shipped = JSON.parse(readFileSync(join(dirname(wasmPath), '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
    expect(shipped.name).toBe('zxing-wasm');
    expect(shipped.version).toBe(ZXING_WASM_VERSION);
  });

  it('reads a Kliv card', async () => {
    // barcode-detector bundles its own copy of this glue; the file is the same (see above).
    const { prepareZXingModule, readBarcodes } = await import('zxing-wasm/reader');
    const wasm = readFileSync(wasmPath);
    await prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true });
    const payload = 'KLIV1PBEHDH1SGKR5R15NBFW4FSNK8RZT';
    const png = await QRCode.toBuffer([{ data: payload, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M', margin: 4, width: 200 });
    const results = await readBarcodes(new Uint8Array(png), { formats: ['QRCode'] });
    expect(results.map((r) => r.text)).toEqual([payload]);

    // Mirrored, as in a selfie photo of the card: why zxing-cpp needs no flipped second pass.
    const { modules } = QRCode.create([{ data: payload, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
    const scale = 6;
    const side = (modules.size + 8) * scale;
    const data = new Uint8ClampedArray(side * side * 4).fill(255);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const mx = modules.size - 1 - (Math.floor(x / scale) - 4);
        const my = Math.floor(y / scale) - 4;
        const dark = mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx);
        if (dark) data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
      }
    }
    const mirrored = await readBarcodes({ data, width: side, height: side, colorSpace: 'srgb' } as ImageData, { formats: ['QRCode'] });
    expect(mirrored.map((r) => [r.text, r.isMirrored])).toEqual([[payload, true]]);
  });
});
