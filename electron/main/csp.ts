/**
 * The Content-Security-Policy every page of Kliv is served with, by the
 * desktop app's app:// protocol and by browser mode's HTTP server alike, so
 * the renderer is held to the same rules in both.
 *
 * 'wasm-unsafe-eval' is the one relaxation: the QR decoder is zxing-cpp
 * compiled to WebAssembly and cannot be instantiated without it. It does not
 * allow eval() of JavaScript. Camera frames arrive as mediastream: and blob:
 * URLs. Nothing may be loaded from or sent to another origin: the kiosk is
 * offline by design and personal data must not leak through a stray request.
 */
export { CONTENT_SECURITY_POLICY } from '../../shared/csp';
