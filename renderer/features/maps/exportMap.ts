// The map as a file: SVG (the string from shared/export/mapSvg.ts) or PNG (that SVG drawn on a
// canvas at twice its size). Both are downloaded by the browser, named after the map.
import { mapToSvg } from "../../../shared/export/mapSvg.ts";
import type { InquiryMap } from "../../../shared/schema/map.ts";
import { t } from "../../i18n/index.ts";
import { allLabels } from "./labels.ts";

const PNG_SCALE = 2;
/** Browsers refuse canvases much larger than this; a huge map is drawn smaller instead. */
const MAX_CANVAS_SIDE = 16_000;

export function svgOf(map: InquiryMap): string {
  return mapToSvg(map, {
    title: map.title,
    labels: { ...allLabels(), empty: t("maps.export.empty") },
  });
}

/** A file name from the title: letters and digits kept (any script), the rest one dash. */
export function fileName(title: string, extension: "svg" | "png"): string {
  const base = title
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .toLocaleLowerCase();
  return `${base || "map"}.${extension}`;
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL; give the browser a moment before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const sizeOf = (svg: string, img: HTMLImageElement) => {
  const box = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(svg);
  const width = img.naturalWidth || Number(box?.[1]) || 800;
  const height = img.naturalHeight || Number(box?.[2]) || 600;
  return { width, height };
};

export async function pngOf(svg: string): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const { width, height } = sizeOf(svg, img);
    const scale = Math.min(PNG_SCALE, MAX_CANVAS_SIDE / width, MAX_CANVAS_SIDE / height);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const g = canvas.getContext("2d");
    if (!g) throw new Error("no 2D canvas in this browser");
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error("the image could not be encoded"))),
        "image/png",
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
