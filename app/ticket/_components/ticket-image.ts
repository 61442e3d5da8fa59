import { QR_QUIET_MODULES, qrModules } from '@/app/_components/qr-code';

/** What the saved image says, already in the fan's language. */
export interface TicketImageText {
  concert: string;
  when: string;
  venue: string;
  seatLabel: string;
  seat: string;
  holderLabel: string;
  holder: string;
  referenceLabel: string;
  reference: string;
}

const WIDTH = 720;
const MARGIN = 48;
const QR_SIDE = 520;
const FONT = "'Noto Sans KR', 'Noto Sans CJK KR', 'Pretendard', system-ui, sans-serif";
const MONO = "ui-monospace, 'SFMono-Regular', Menlo, monospace";

/** `text` broken into lines no wider than `width` (at spaces; a word longer than a line is cut). */
function wrap(context: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const tried = line ? `${line} ${word}` : word;
    if (context.measureText(tried).width <= width || !line) line = tried;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.slice(0, 3);
}

/**
 * The ticket as one image for a phone's photos: the QR code large (a scanner reads it from the
 * image as from the page), the seat, the show, the holder and the reference.
 */
export function drawTicketImage(qr: string, text: TicketImageText): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const measure = canvas.getContext('2d')!;
  measure.font = `700 40px ${FONT}`;
  const titleLines = wrap(measure, text.concert, WIDTH - 2 * MARGIN);
  const height = 200 + titleLines.length * 50 + QR_SIDE + 300;
  canvas.width = WIDTH;
  canvas.height = height;
  const c = canvas.getContext('2d')!;
  c.fillStyle = '#ffffff';
  c.fillRect(0, 0, WIDTH, height);
  c.fillStyle = '#5b3cc4';
  c.fillRect(0, 0, WIDTH, 16);

  let y = 80;
  c.fillStyle = '#1b1d29';
  c.textBaseline = 'alphabetic';
  c.font = `700 40px ${FONT}`;
  for (const line of titleLines) {
    c.fillText(line, MARGIN, y);
    y += 50;
  }
  c.font = `400 26px ${FONT}`;
  c.fillStyle = '#404454';
  c.fillText(text.when, MARGIN, y);
  c.fillText(text.venue, MARGIN, y + 38);
  y += 70;

  const { size, isDark } = qrModules(qr);
  const side = size + QR_QUIET_MODULES * 2;
  const module = Math.floor(QR_SIDE / side);
  const left = Math.round((WIDTH - module * side) / 2);
  c.fillStyle = '#000000';
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++)
      if (isDark(col, row)) c.fillRect(left + (col + QR_QUIET_MODULES) * module, y + (row + QR_QUIET_MODULES) * module, module, module);
  y += module * side + 40;

  const fact = (label: string, value: string, font: string) => {
    c.fillStyle = '#626779';
    c.font = `400 22px ${FONT}`;
    c.fillText(label, MARGIN, y);
    c.fillStyle = '#1b1d29';
    c.font = font;
    c.fillText(value, MARGIN, y + 44);
    y += 84;
  };
  fact(text.seatLabel, text.seat, `700 40px ${FONT}`);
  fact(text.holderLabel, text.holder, `700 32px ${FONT}`);
  fact(text.referenceLabel, text.reference, `700 32px ${MONO}`);
  return canvas;
}

/** The image as PNG. */
export function ticketImagePng(qr: string, text: TicketImageText): Promise<Blob> {
  return new Promise((resolve, reject) =>
    drawTicketImage(qr, text).toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no PNG from the canvas'))), 'image/png'),
  );
}
