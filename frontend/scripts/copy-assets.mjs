// Copies the self-hosted assets the site serves from node_modules into
// src/bawaba/static/bawaba/: the woff2 font files that src/app.css declares
// (@font-face, url("fonts/...")), htmx.min.js, and in vendor/ the browser libraries of the
// pages that need them (passkeys: @simplewebauthn/browser; certificate files: node-forge). Files are copied byte for byte,
// and stale files in fonts/ are removed, so the output only depends on package-lock.json.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const frontend = join(here, "..");
const nodeModules = join(frontend, "node_modules");
const staticDir = join(frontend, "..", "src", "bawaba", "static", "bawaba");
const fontsDir = join(staticDir, "fonts");

function packageFile(pkg, ...parts) {
  const file = join(nodeModules, ...pkg.split("/"), ...parts);
  if (!existsSync(file)) throw new Error(`${file} not found: run "npm ci" in frontend/ first`);
  return file;
}

// Fonts: the woff2 files named in src/app.css, nothing else (weights 400 and 700,
// subsets arabic and latin). Reading the names from app.css keeps the two in step.
const FONT_PACKAGE = "@fontsource/readex-pro";
const appCss = readFileSync(join(frontend, "src", "app.css"), "utf8");
const fonts = [...new Set([...appCss.matchAll(/url\(["']?fonts\/([^"')]+\.woff2)["']?\)/g)].map((m) => m[1]))].sort();
if (fonts.length === 0) throw new Error("src/app.css declares no url(\"fonts/*.woff2\")");

mkdirSync(fontsDir, { recursive: true });
for (const name of readdirSync(fontsDir)) {
  if (!fonts.includes(name)) rmSync(join(fontsDir, name), { recursive: true });
}
for (const name of fonts) {
  copyFileSync(packageFile(FONT_PACKAGE, "files", name), join(fontsDir, name));
}

// htmx (2.0.x line, pinned in package.json).
const htmxVersion = JSON.parse(readFileSync(packageFile("htmx.org", "package.json"), "utf8")).version;
if (!htmxVersion.startsWith("2.")) throw new Error(`htmx.org ${htmxVersion}: the templates expect htmx 2.x`);
copyFileSync(packageFile("htmx.org", "dist", "htmx.min.js"), join(staticDir, "htmx.min.js"));

// Libraries loaded by single pages only, never by the base layout.
const vendorDir = join(staticDir, "vendor");
const vendor = {
  "simplewebauthn-browser.umd.min.js": packageFile("@simplewebauthn/browser", "dist", "bundle", "index.umd.min.js"),
  "forge.min.js": packageFile("node-forge", "dist", "forge.min.js"),
};
mkdirSync(vendorDir, { recursive: true });
for (const name of readdirSync(vendorDir)) {
  if (!(name in vendor)) rmSync(join(vendorDir, name), { recursive: true });
}
// The packages' source maps are not shipped: their references would point at missing files, which the
// production static storage refuses (collectstatic fails on them).
for (const [name, source] of Object.entries(vendor)) {
  const text = readFileSync(source, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  writeFileSync(join(vendorDir, name), text);
}

console.log(`static/bawaba: ${fonts.length} fonts in fonts/, htmx ${htmxVersion} as htmx.min.js, vendor/: ${Object.keys(vendor).join(", ")}`);
