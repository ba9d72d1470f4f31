// The red counter mirrored in the tab: the page title and a badge drawn onto
// the favicon (a canvas, so no image files).

/** The text drawn on the favicon badge: nothing for zero, "99+" past 99. */
export function badgeText(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return "";
  return count > 99 ? "99+" : String(Math.floor(count));
}

export function pageTitle(count: number, base = "livedesk"): string {
  const text = badgeText(count);
  return text ? `(${text}) ${base}` : base;
}

const SIZE = 32;

/** Draw the favicon (a blue speech bubble, a red badge when count > 0) as a data URL. */
export function drawFavicon(count: number): string | null {
  if (typeof document === "undefined") return null;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext("2d");
  if (!ctx) return null;
  ctx.fillStyle = "#2f6fed";
  ctx.beginPath();
  ctx.arc(14, 14, 12, 0, Math.PI * 2);
  ctx.fill();
  ctx.beginPath();
  ctx.moveTo(6, 22);
  ctx.lineTo(4, 30);
  ctx.lineTo(14, 24);
  ctx.fill();
  const text = badgeText(count);
  if (text) {
    ctx.fillStyle = "#e03a3a";
    ctx.beginPath();
    ctx.arc(SIZE - 10, 10, 10, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = "#fff";
    ctx.font = `bold ${text.length > 2 ? 9 : text.length > 1 ? 12 : 14}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, SIZE - 10, 11);
  }
  return canvas.toDataURL("image/png");
}

export function setFavicon(count: number): void {
  const url = drawFavicon(count);
  if (!url) return;
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.appendChild(link);
  }
  link.type = "image/png";
  link.href = url;
  link.dataset.count = badgeText(count);
}
