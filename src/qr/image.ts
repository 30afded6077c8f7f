// QR images for receipts and printed invoices: PNG and SVG renderings of the base64 QR text.
// The text is encoded as-is (byte mode), the way ZATCA's and merchants' readers expect it.
import QRCode from 'qrcode';

export async function qrPng(base64Qr: string, options: { width?: number } = {}): Promise<Buffer> {
  return QRCode.toBuffer(base64Qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: options.width ?? 300 });
}

export async function qrSvg(base64Qr: string): Promise<string> {
  return QRCode.toString(base64Qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The dark modules of the QR for `base64Qr` (same encoding as the images), for drawing it as vectors. */
export function qrModules(base64Qr: string): { size: number; data: Uint8Array } {
  const qr = QRCode.create(base64Qr, { errorCorrectionLevel: 'M' });
  return { size: qr.modules.size, data: Uint8Array.from(qr.modules.data) };
}
