// Builds the widget into dist/:
//   dist/widget.js             the loader that host pages embed (served as /widget.js)
//   dist/frame.html            the chat app's page (served as /widget/frame?key=...)
//   dist/assets/frame-HASH.js  the chat app and its styles (served as /widget/assets/...)
//   dist/assets/frame-HASH.css
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const BUDGET = 35 * 1024; // loader + app, gzipped
const common = { bundle: true, minify: true, target: ["es2020"], legalComments: "none", write: false };

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist/assets", { recursive: true });

const loader = await esbuild.build({ ...common, entryPoints: ["src/loader.ts"], format: "iife" });
const frameJs = await esbuild.build({ ...common, entryPoints: ["src/frame.ts"], format: "iife" });
const frameCss = await esbuild.build({ ...common, entryPoints: ["src/frame.css"] });

const hashed = (name, ext, bytes) => {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10);
  const file = `${name}-${hash}.${ext}`;
  writeFileSync(`dist/assets/${file}`, bytes);
  return file;
};
const loaderBytes = loader.outputFiles[0].contents;
const jsBytes = frameJs.outputFiles[0].contents;
const cssBytes = frameCss.outputFiles[0].contents;
writeFileSync("dist/widget.js", loaderBytes);
const js = hashed("frame", "js", jsBytes);
const css = hashed("frame", "css", cssBytes);
const html = readFileSync("frame.html", "utf8")
  .replace("%FRAME_JS%", `/widget/assets/${js}`)
  .replace("%FRAME_CSS%", `/widget/assets/${css}`);
writeFileSync("dist/frame.html", html);

const gz = (b) => gzipSync(b, { level: 9 }).length;
const sizes = {
  "widget.js": gz(loaderBytes),
  [js]: gz(jsBytes),
  [css]: gz(cssBytes),
  "frame.html": gz(Buffer.from(html)),
};
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
for (const [file, size] of Object.entries(sizes)) console.log(`${file.padEnd(28)} ${size} B gzip`);
console.log(`${"total".padEnd(28)} ${total} B gzip (budget ${BUDGET} B)`);
if (total > BUDGET) {
  console.error("widget: over the size budget");
  process.exit(1);
}
