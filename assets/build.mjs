// Builds the front-end files JoinedUp serves from src/joinedup/web/static (run: npm run build).
//
// - joinedup.css: GOV.UK Frontend's Sass compiled with Arial (no GDS Transport, no font files).
// - govuk-frontend.min.js: GOV.UK Frontend's ES module, unchanged apart from its source-map line.
// - govuk/assets: JoinedUp's own icons and web manifest. GOV.UK Frontend's images are the crown
//   and the GOV.UK icon, which JoinedUp may not use, so none of them is copied.
// - swagger/: Swagger UI's stylesheet and bundle for /api/docs, served locally (no CDN).
//
// The output is deterministic, so rebuilding without changes leaves the committed files alone.

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const staticDir = join(here, "..", "src", "joinedup", "web", "static");
const govukDist = join(modules, "govuk-frontend", "dist", "govuk");
const swaggerDist = join(modules, "swagger-ui-dist");

const BRAND = [0x1d, 0x70, 0xb8]; // GOV.UK Frontend's brand blue, as a plain colour.

function readPackage(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
}

function stripSourceMap(text) {
  return text.replace(/\n?\/[/*]# sourceMappingURL=\S+?(\s*\*\/)?\s*$/, "\n");
}

function buildCss() {
  const result = sass.compile(join(here, "joinedup.scss"), {
    loadPaths: [modules],
    style: "compressed",
    quietDeps: true,
  });
  if (result.css.includes("GDS Transport") || result.css.includes("@font-face")) {
    throw new Error("joinedup.css must not use the GDS Transport font");
  }
  writeFileSync(join(staticDir, "joinedup.css"), result.css + "\n");
}

function copyScripts() {
  const js = readFileSync(join(govukDist, "govuk-frontend.min.js"), "utf8");
  writeFileSync(join(staticDir, "govuk-frontend.min.js"), stripSourceMap(js));
  const swaggerDir = join(staticDir, "swagger");
  rmSync(swaggerDir, { recursive: true, force: true });
  mkdirSync(swaggerDir, { recursive: true });
  for (const name of ["swagger-ui.css", "swagger-ui-bundle.js"]) {
    const text = readFileSync(join(swaggerDist, name), "utf8");
    writeFileSync(join(swaggerDir, name), stripSourceMap(text));
  }
  for (const name of ["LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"]) {
    copyFileSync(join(swaggerDist, name), join(swaggerDir, name));
  }
}

function writeNotices() {
  const lines = ["Third-party files in this directory, built by assets/build.mjs:", ""];
  for (const name of ["govuk-frontend", "swagger-ui-dist", "sass"]) {
    const pkg = readPackage(name);
    lines.push(`${name} ${pkg.version} (${pkg.license})`);
  }
  lines.push(
    "",
    "govuk-frontend: Copyright (c) Crown Copyright (Government Digital Service), MIT License.",
    "joinedup.css is compiled from it; govuk-frontend.min.js is copied from it.",
    "swagger-ui-dist: see swagger/LICENSE, swagger/NOTICE and swagger/*.LICENSE.txt.",
  );
  writeFileSync(join(staticDir, "THIRD-PARTY-NOTICES.txt"), lines.join("\n") + "\n");
}

// --- JoinedUp's icon: two linked rings, white on blue, drawn without any font. ---------------

const RINGS = [
  { cx: 12 / 32, cy: 0.5 },
  { cx: 20 / 32, cy: 0.5 },
];
const RADIUS = 6.4 / 32;
const HALF_STROKE = 1.2 / 32;

const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  `<path fill="#${BRAND.map((c) => c.toString(16).padStart(2, "0")).join("")}" d="M0 0h32v32H0z"/>` +
  '<g fill="none" stroke="#fff" stroke-width="2.4">' +
  '<circle cx="12" cy="16" r="6.4"/><circle cx="20" cy="16" r="6.4"/></g></svg>\n';

function coverage(x, y) {
  return RINGS.some(({ cx, cy }) => {
    const d = Math.hypot(x - cx, y - cy);
    return Math.abs(d - RADIUS) <= HALF_STROKE;
  });
}

function iconPixels(size) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (coverage(x, y)) hits++;
        }
      }
      const a = hits / (samples * samples);
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(BRAND[c] * (1 - a) + 255 * a);
      pixels[i + 3] = 255;
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const pixels = iconPixels(size);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function ico(size) {
  const image = png(size);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, image]);
}

const MANIFEST = {
  name: "JoinedUp",
  short_name: "JoinedUp",
  icons: [
    { src: "images/favicon.ico", type: "image/x-icon", sizes: "48x48" },
    { src: "images/favicon.svg", type: "image/svg+xml", sizes: "any", purpose: "any" },
    { src: "images/icon-180.png", type: "image/png", sizes: "180x180", purpose: "maskable" },
    { src: "images/icon-192.png", type: "image/png", sizes: "192x192", purpose: "maskable" },
    { src: "images/icon-512.png", type: "image/png", sizes: "512x512", purpose: "maskable" },
  ],
};

function buildIcons() {
  const assetsDir = join(staticDir, "govuk", "assets");
  const imagesDir = join(assetsDir, "images");
  rmSync(assetsDir, { recursive: true, force: true });
  mkdirSync(imagesDir, { recursive: true });
  writeFileSync(join(imagesDir, "favicon.svg"), FAVICON_SVG);
  writeFileSync(join(imagesDir, "favicon.ico"), ico(48));
  for (const size of [180, 192, 512]) {
    writeFileSync(join(imagesDir, `icon-${size}.png`), png(size));
  }
  writeFileSync(join(assetsDir, "manifest.json"), JSON.stringify(MANIFEST, null, 2) + "\n");
}

function main() {
  const govukVersion = readPackage("govuk-frontend").version;
  if (govukVersion !== "6.3.0") {
    throw new Error(`govuk-frontend ${govukVersion}: govuk-frontend-jinja 4.1.0 needs 6.3.0`);
  }
  mkdirSync(staticDir, { recursive: true });
  buildCss();
  copyScripts();
  writeNotices();
  buildIcons();
  console.log(`built ${staticDir} (govuk-frontend ${govukVersion})`);
}

main();
