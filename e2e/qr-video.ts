import fs from 'node:fs';
import QRCode from 'qrcode';

const WIDTH = 640;
const HEIGHT = 480;
/** Frames in the file: Chromium's fake camera plays them in a loop. */
const FRAMES = 4;

/**
 * A Y4M video (YUV4MPEG2, 4:2:0) of `text` as a QR code, black on white in the middle of a 640×480
 * frame: what Chromium's fake camera shows with `--use-file-for-fake-video-capture=<file>`.
 * Grayscale, so the luma plane is the picture and both chroma planes are neutral (128).
 */
export function writeQrVideo(file: string, text: string): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size;
  // A quiet zone of four modules on each side, within the middle two thirds of the frame's height:
  // the square qr-scanner looks in by default.
  const scale = Math.floor((HEIGHT * 2) / 3 / (modules + 8));
  const side = modules * scale;
  const left = Math.floor((WIDTH - side) / 2);
  const top = Math.floor((HEIGHT - side) / 2);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 255);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) if (qr.modules.get(Math.floor(y / scale), Math.floor(x / scale))) luma[(top + y) * WIDTH + left + x] = 0;
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  fs.writeFileSync(file, Buffer.concat([header, ...Array<Buffer>(FRAMES).fill(frame)]));
}

/** `text` as a QR code in a PNG, as a steward's photo of a ticket. */
export const qrPhoto = (text: string) => QRCode.toBuffer(text, { type: 'png', width: 480, margin: 4 });
