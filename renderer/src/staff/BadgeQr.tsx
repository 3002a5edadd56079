import { useMemo } from 'react';
import QRCode from 'qrcode';

/**
 * The new badge's QR drawn as inline SVG (no data: URL, no canvas), so it
 * works under the kiosk's CSP. Alphanumeric mode matches what a scanner on a
 * Swedish keyboard layout reads back.
 */
export function BadgeQr({ payload, label }: { payload: string; label: string }) {
  const { size, path } = useMemo(() => {
    const qr = QRCode.create([{ data: payload.toUpperCase(), mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
    const n = qr.modules.size;
    let d = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }
    return { size: n + 8, path: d };
  }, [payload]);
  return (
    <svg className="badge-qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} shapeRendering="crispEdges" data-testid="badge-qr">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
