// Builds src/bawaba/static/bawaba/icons.svg: one <symbol> per icon, taken from
// @phosphor-icons/core's "regular" weight. Templates use it as
//   <svg aria-hidden="true" class="size-6"><use href="{% static 'bawaba/icons.svg' %}#car"></use></svg>
// The output depends only on the installed package, so it is byte-identical from run to run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(here, "..", "..", "src", "bawaba", "static", "bawaba", "icons.svg");
const phosphorDir = join(here, "..", "node_modules", "@phosphor-icons", "core", "assets", "regular");
if (!existsSync(phosphorDir)) {
  throw new Error(`${phosphorDir} not found: run "npm ci" in frontend/ first`);
}

// Symbol id used by the templates -> Phosphor icon name (regular weight).
// Keep this list in sync with the {% icon %} names the templates and catalogue data use.
const ICONS = {
  airplane: "airplane",
  armchair: "armchair",
  "arrow-left": "arrow-left",
  "arrow-right": "arrow-right",
  baby: "baby",
  backpack: "backpack",
  basket: "basket",
  briefcase: "briefcase",
  buildings: "buildings",
  car: "car",
  "caret-left": "caret-left",
  "caret-right": "caret-right",
  "check-circle": "check-circle",
  clock: "clock",
  "device-mobile": "device-mobile",
  envelope: "envelope",
  "file-text": "file-text",
  flower: "flower",
  globe: "globe",
  "graduation-cap": "graduation-cap",
  "hand-heart": "hand-heart",
  heart: "heart",
  heartbeat: "heartbeat",
  house: "house",
  "identification-card": "identification-card",
  info: "info",
  list: "list",
  "magnifying-glass": "magnifying-glass",
  "map-pin": "map-pin",
  money: "money",
  monitor: "monitor",
  phone: "phone",
  question: "question",
  // Phosphor has no rings icon; marriage uses the handshake (a contract between two people).
  rings: "handshake",
  scales: "scales",
  "sign-in": "sign-in",
  storefront: "storefront",
  toolbox: "toolbox",
  translate: "translate",
  truck: "truck",
  users: "users",
  warning: "warning",
  x: "x",
};

const VIEWBOX = "0 0 256 256";

function symbolFor(id, name) {
  let svg = readFileSync(join(phosphorDir, `${name}.svg`), "utf8");
  svg = svg
    .replace(/<\?xml[\s\S]*?\?>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(title|desc|metadata)\b[\s\S]*?<\/\1>/g, "");
  const open = svg.match(/<svg\b([^>]*)>/);
  const close = svg.lastIndexOf("</svg>");
  if (!open || close < 0) throw new Error(`${name}.svg: no <svg> element`);
  const viewBox = open[1].match(/viewBox="([^"]*)"/);
  if (!viewBox || viewBox[1] !== VIEWBOX) {
    throw new Error(`${name}.svg: expected viewBox="${VIEWBOX}", found ${viewBox ? viewBox[1] : "none"}`);
  }
  const body = svg
    .slice(open.index + open[0].length, close)
    .replace(/\s+/g, " ")
    .replace(/>\s+</g, "><")
    .trim();
  if (!body) throw new Error(`${name}.svg: empty`);
  // fill="currentColor" on the symbol: the icon takes the text colour of the <svg> that uses it.
  return `<symbol id="${id}" viewBox="${VIEWBOX}" fill="currentColor">${body}</symbol>`;
}

const ids = Object.keys(ICONS).sort();
const sprite =
  `<svg xmlns="http://www.w3.org/2000/svg">` +
  ids.map((id) => symbolFor(id, ICONS[id])).join("") +
  `</svg>\n`;

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, sprite);
console.log(`icons.svg: ${ids.length} symbols, ${Buffer.byteLength(sprite)} bytes`);
