// Copy the browser builds of the front-end packages into static/vendor/ (git-ignored),
// so the portal serves everything itself: no CDN. Run by `npm ci` (postinstall).
// Only these files: the devDependencies (axe-core, for tests/browser/test_axe.py) stay in node_modules.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "static", "vendor");
const files = {
  "markdown-it.min.js": "node_modules/markdown-it/dist/markdown-it.min.js",
  "markdown-it.LICENSE": "node_modules/markdown-it/LICENSE",
  "purify.min.js": "node_modules/dompurify/dist/purify.min.js",
  "purify.LICENSE": "node_modules/dompurify/LICENSE",
};
mkdirSync(target, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  copyFileSync(join(here, source), join(target, name));
}
console.log(`portal: ${Object.keys(files).length} fichiers copiés dans static/vendor/`);
