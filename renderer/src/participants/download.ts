/**
 * Browser mode: hands a PDF to the browser's download, then drops every copy
 * this page holds (the PDF contains working card tokens).
 */
export function downloadPdf(base64: string, filename: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  bytes.fill(0);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Long enough for the browser to start the download; then the blob is gone.
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
