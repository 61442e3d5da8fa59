import QRCode from 'qrcode';

/** The dark modules of `text`'s QR code (error correction M) and its side, without the quiet zone. */
export function qrModules(text: string): { size: number; isDark: (x: number, y: number) => boolean } {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  return { size, isDark: (x, y) => Boolean(data[y * size + x]) };
}

/** The quiet zone around a QR code, in modules: what scanners need to find it. */
export const QR_QUIET_MODULES = 4;

/** A QR code drawn as one SVG path (no image URL, so the page's CSP stays strict). */
export function QrCode({ text, alt, className = 'qr' }: { text: string; alt: string; className?: string }) {
  const { size, isDark } = qrModules(text);
  const quiet = QR_QUIET_MODULES;
  let path = '';
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (isDark(x, y)) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const side = size + quiet * 2;
  return (
    <svg className={className} role="img" aria-label={alt} viewBox={`0 0 ${side} ${side}`} shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
