/// <reference types="vite/client" />
/**
 * Chooses the QR decoder html5-qrcode uses and gets it ready (docs/camera.md).
 *
 * html5-qrcode decodes with a `BarcodeDetector` whenever one exists on the
 * global object and otherwise with its bundled zxing-js port. Chromium on
 * Linux and Windows has no native BarcodeDetector, and zxing-js misses cards
 * a venue camera sees blurred, tilted or far away, so there we install the
 * `barcode-detector` polyfill: zxing-cpp compiled to WebAssembly.
 *
 * The polyfill's own loader fetches the .wasm from a CDN, which the offline
 * kiosk and the CSP (connect-src 'self') forbid. The .wasm is therefore a
 * build asset of the renderer (Vite `?url` import: copied into
 * dist/renderer/assets and addressed relative to this module, so the same
 * build works under app://kliv/ and http://127.0.0.1:PORT/), and
 * `locateFile` points the Emscripten loader at it.
 *
 * If the .wasm cannot be loaded, nothing is installed and html5-qrcode keeps
 * its built-in zxing-js decoder: the camera keeps working, only less well.
 */
import shippedWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

/** What actually decodes the frames. */
export type DecoderKind = 'native' | 'zxing-cpp' | 'zxing-js';

/** The part of a BarcodeDetector class this module relies on. */
export interface DetectorClass {
  new (options?: { formats?: string[] }): { detect(source: never): Promise<unknown[]> };
  getSupportedFormats(): Promise<readonly string[]>;
}

/** The part of `barcode-detector/ponyfill` this module relies on. */
export interface PolyfillModule {
  BarcodeDetector: DetectorClass;
  prepareZXingModule(options: {
    overrides: { locateFile(path: string, prefix: string): string };
    fireImmediately: true;
  }): Promise<unknown>;
}

export interface DecoderEnv {
  /** Where html5-qrcode looks for `BarcodeDetector` (the window). */
  global: { BarcodeDetector?: unknown };
  loadPolyfill(): Promise<PolyfillModule>;
  /** URL of the shipped zxing_reader.wasm. */
  wasmUrl: string;
  /** Give up on the polyfill if it is not ready in this time. */
  timeoutMs: number;
  /** A small blank image run once through the polyfill to prove it works. */
  probeImage(): unknown;
}

/** How long the local .wasm may take to load and compile before zxing-js is used instead. */
export const DECODER_TIMEOUT_MS = 10_000;

/**
 * The Emscripten `locateFile` hook: every .wasm the module asks for is the
 * one shipped with the app; anything else keeps the loader's own prefix.
 */
export function shippedFileLocator(wasmUrl: string): (path: string, prefix: string) => string {
  return (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path);
}

/** A native detector is only worth keeping if it reads QR codes. */
export function nativeReadsQr(formats: readonly string[] | null): boolean {
  return formats !== null && formats.includes('qr_code');
}

/**
 * html5-qrcode options for the decoder in use. html5-qrcode decodes a failed
 * frame a second time mirrored (a selfie photo of a card on a phone is
 * mirrored). zxing-cpp reads mirrored codes by itself, so there the second
 * pass would only halve the frame rate; native detectors and zxing-js keep it.
 */
export function scanOptions(kind: DecoderKind, fps: number): { fps: number; disableFlip: boolean } {
  return { fps, disableFlip: kind === 'zxing-cpp' };
}

/**
 * With a BarcodeDetector present, html5-qrcode 2.3.8 still creates its
 * zxing-js decoder and hands it every other frame (Html5QrcodeShim
 * alternates `primaryDecoder` and `secondaryDecoder`), so the better decoder
 * would see only half the frames and each zxing-js pass costs 3–4 times a
 * zxing-cpp one. Dropping the secondary makes every frame go to the
 * BarcodeDetector. This reaches into a private field of the exactly pinned
 * version; if the shape is not as expected nothing is changed and scanning
 * simply keeps alternating. Returns whether the secondary was dropped.
 */
export function sendEveryFrameToDetector(scanner: unknown): boolean {
  const shim = (scanner as { qrcode?: unknown } | null)?.qrcode as
    | { primaryDecoder?: unknown; secondaryDecoder?: unknown; getDecoder?: unknown }
    | undefined;
  if (!shim || typeof shim !== 'object' || typeof shim.getDecoder !== 'function') return false;
  if (!shim.primaryDecoder || !shim.secondaryDecoder) return false;
  shim.secondaryDecoder = undefined;
  return true;
}

function isDetectorClass(value: unknown): value is DetectorClass {
  return typeof value === 'function' && typeof (value as { getSupportedFormats?: unknown }).getSupportedFormats === 'function';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(String(error))); },
    );
  });
}

async function nativeFormats(global: DecoderEnv['global']): Promise<readonly string[] | null> {
  const candidate = global.BarcodeDetector;
  if (!isDetectorClass(candidate)) return null;
  try {
    return await candidate.getSupportedFormats();
  } catch {
    return null;
  }
}

/**
 * Keeps a native BarcodeDetector that reads QR codes; otherwise loads the
 * zxing-cpp polyfill from the shipped .wasm, proves it decodes, and installs
 * it as the global BarcodeDetector. Resolves to the decoder html5-qrcode will
 * use; never rejects.
 */
export async function setUpDecoder(env: DecoderEnv): Promise<DecoderKind> {
  if (nativeReadsQr(await nativeFormats(env.global))) return 'native';
  try {
    const ready = (async () => {
      const polyfill = await env.loadPolyfill();
      await polyfill.prepareZXingModule({ overrides: { locateFile: shippedFileLocator(env.wasmUrl) }, fireImmediately: true });
      const probe = new polyfill.BarcodeDetector({ formats: ['qr_code'] });
      await probe.detect(env.probeImage() as never);
      return polyfill.BarcodeDetector;
    })();
    env.global.BarcodeDetector = await withTimeout(ready, env.timeoutMs, 'zxing-cpp decoder');
    return 'zxing-cpp';
  } catch (error) {
    console.warn('Kliv: the zxing-cpp QR decoder could not be loaded; using html5-qrcode\'s built-in decoder.', error);
    // A native detector that cannot read QR codes would be picked up by
    // html5-qrcode and find nothing; hide it so zxing-js is used.
    if (env.global.BarcodeDetector !== undefined) {
      try {
        delete env.global.BarcodeDetector;
      } catch {
        // not configurable: leave it
      }
    }
    return 'zxing-js';
  }
}

let prepared: Promise<DecoderKind> | null = null;

/** The browser's decoder, set up once per page however often the camera restarts. */
export function prepareDecoder(): Promise<DecoderKind> {
  prepared ??= setUpDecoder({
    global: window as DecoderEnv['global'],
    loadPolyfill: () => import('barcode-detector/ponyfill') as Promise<PolyfillModule>,
    wasmUrl: shippedWasmUrl,
    timeoutMs: DECODER_TIMEOUT_MS,
    probeImage: () => new ImageData(16, 16),
  });
  return prepared;
}
