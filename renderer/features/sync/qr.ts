// The invite's QR code as an image address: qrcode draws an SVG string, which an <img> shows
// without putting markup into the page.
import { toString as qrToString } from "qrcode";

export async function qrImageSrc(text: string): Promise<string> {
  const svg = await qrToString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
