// What `qrcode` is in a page: its "browser" entry (lib/browser.js), whose toString draws SVG only.
// renderer/tsconfig.json maps the module here because @types/qrcode loads all of Node's types
// (process, Buffer, node:fs) into the renderer's type check. Only what the renderer uses is typed;
// the option names and meanings are those of @types/qrcode.
export type QRCodeErrorCorrectionLevel =
  "low" | "medium" | "quartile" | "high" | "L" | "M" | "Q" | "H";

export interface QRCodeToSvgOptions {
  type?: "svg";
  errorCorrectionLevel?: QRCodeErrorCorrectionLevel;
  /** Quiet zone around the code, in modules. */
  margin?: number;
  /** Scale factor: pixels per module. */
  scale?: number;
  /** Width of the image in pixels; wins over scale. */
  width?: number;
  color?: { dark?: string; light?: string };
}

/** The QR code of `text` as an SVG document. */
export function toString(text: string, options?: QRCodeToSvgOptions): Promise<string>;
