// QR images for receipts and printed invoices: PNG and SVG renderings of the base64 QR text.
// The text is encoded as-is (byte mode), the way ZATCA's and merchants' readers expect it.
import QRCode from 'qrcode';

export async function qrPng(base64Qr: string, options: { width?: number } = {}): Promise<Buffer> {
  return QRCode.toBuffer(base64Qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: options.width ?? 300 });
}

export async function qrSvg(base64Qr: string): Promise<string> {
  return QRCode.toString(base64Qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The dark modules of the QR for `base64Qr`, for printouts that draw it as vectors. Byte mode and a
 * fixed mask: choosing the segmentation and scoring all eight masks costs several times the rest of
 * a receipt, and on ZATCA's high-entropy base64 payloads mask 2 scores within a few per cent of the
 * best (docs/render.md). Any reader decodes any mask; level M as for the images.
 */
export function qrModules(base64Qr: string): { size: number; data: Uint8Array } {
  const qr = QRCode.create([{ data: Buffer.from(base64Qr, 'latin1'), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: 2 });
  return { size: qr.modules.size, data: Uint8Array.from(qr.modules.data) };
}
