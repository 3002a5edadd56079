import { useEffect, useId, useRef, useState } from 'react';
import { Html5Qrcode, Html5QrcodeSupportedFormats } from 'html5-qrcode';
import { useI18n } from '../i18n';
import { prepareDecoder, scanOptions, sendEveryFrameToDetector, type DecoderKind } from './decoder';

type CameraState = 'starting' | 'running' | 'unavailable';

/**
 * Live preview and QR decoding with html5-qrcode. The camera keeps running
 * while result screens show, so the next person never waits for it to start;
 * the parent decides what to do with repeated decodes.
 *
 * Before html5-qrcode is created the decoder is set up (./decoder.ts): a
 * native BarcodeDetector if the platform has one, else the zxing-cpp
 * WebAssembly polyfill shipped with the app, else html5-qrcode's own
 * zxing-js. html5-qrcode picks its decoder in its constructor.
 *
 * `fps` is html5-qrcode's setting: it waits 1000/fps ms after each decode
 * before the next, so the real rate is a little lower (20 gives 15–17 frames
 * a second with zxing-cpp; see docs/camera.md).
 */
export function CameraScanner({ onScan, fps = 20 }: { onScan: (text: string) => void; fps?: number }) {
  const { t } = useI18n();
  const handler = useRef(onScan);
  handler.current = onScan;
  const [state, setState] = useState<CameraState>('starting');
  const [decoder, setDecoder] = useState<DecoderKind | null>(null);
  // html5-qrcode finds its element by id, also from a scanner that is still
  // stopping; an id per mount keeps an old scanner off a new one's element.
  const elementId = `kliv-camera-${useId().replace(/[^\w-]/g, '')}`;

  useEffect(() => {
    let cancelled = false;
    let scanner: Html5Qrcode | null = null;
    if (!navigator.mediaDevices?.getUserMedia) {
      setState('unavailable');
      return undefined;
    }
    void prepareDecoder().then((kind) => {
      if (cancelled) return;
      setDecoder(kind);
      try {
        scanner = new Html5Qrcode(elementId, {
          verbose: false,
          formatsToSupport: [Html5QrcodeSupportedFormats.QR_CODE],
          useBarCodeDetectorIfSupported: true,
        });
      } catch {
        setState('unavailable');
        return;
      }
      if (kind !== 'zxing-js') sendEveryFrameToDetector(scanner);
      const active = scanner;
      active.start({ facingMode: 'user' }, scanOptions(kind, fps), (text) => handler.current(text), () => undefined)
        .then(() => {
          if (cancelled) void active.stop().catch(() => undefined);
          else setState('running');
        })
        .catch(() => {
          if (!cancelled) setState('unavailable');
        });
    });
    return () => {
      cancelled = true;
      if (scanner?.isScanning) void scanner.stop().catch(() => undefined);
    };
  }, [fps, elementId]);

  return (
    <div className={`camera camera--${state}`} data-camera-state={state} data-decoder={decoder ?? undefined}>
      <div id={elementId} className="camera__video" aria-hidden="true" />
      {state !== 'running' && (
        <p className="camera__notice" role="status">{state === 'starting' ? t('attract.cameraStarting') : t('attract.cameraOff')}</p>
      )}
    </div>
  );
}
