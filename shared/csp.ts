/**
 * The Content Security Policy for the renderer, the same in the desktop app
 * (custom protocol) and browser mode (HTTP header). No inline script or
 * style, no eval (WebAssembly compilation only, for the QR decoder), no
 * connections anywhere but the app itself.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
