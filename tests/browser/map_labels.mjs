// report.html's maps as Chromium draws them (issue 13, "Maps people can read"): the place
// labels that notspot placed by estimating text widths, measured here with the browser's own
// text layout (getBBox):
//  - no two labels of a map overlap, and no label covers another place's dot;
//  - every label lies inside its map's drawing;
//  - each map (with its legend) is saved as a PNG (ARTIFACT_DIR/mapN.png) for people to look at.
//
// Usage: node map_labels.mjs REPORT_HTML ARTIFACT_DIR
// Exit codes: 0 pass, 1 fail, 77 skipped (no chromium).
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const [report, artifacts] = process.argv.slice(2);
if (!report || !artifacts) {
  console.error('usage: node map_labels.mjs REPORT_HTML ARTIFACT_DIR');
  process.exit(2);
}
const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!browserPath) {
  console.log('SKIPPED: chromium is not installed (Debian: apt-get install chromium)');
  process.exit(77);
}
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error(`FAIL: ${e.message}\n(tests/browser's npm packages are missing: ` +
                'run scripts/install_dependencies.sh, which runs npm ci there)');
  process.exit(1);
}
mkdirSync(artifacts, { recursive: true });
const failures = [];
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: 'load' });
  const maps = await page.evaluate(() => Array.from(document.querySelectorAll('figure.map'), (fig) => {
    const svg = fig.querySelector('svg');
    const view = svg.viewBox.baseVal;
    const box = (e) => { const b = e.getBBox(); return { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height }; };
    return {
      id: fig.id,
      view: { width: view.width, height: view.height },
      texts: Array.from(svg.querySelectorAll('g.places text'), (t) => ({ name: t.textContent, ...box(t) })),
      dots: Array.from(svg.querySelectorAll('g.places circle'), box),
    };
  }));
  const overlap = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  for (const m of maps) {
    if (m.texts.length === 0) failures.push(`${m.id}: no place labels`);
    m.texts.forEach((t, i) => {
      if (t.x0 < 0 || t.y0 < 0 || t.x1 > m.view.width || t.y1 > m.view.height) {
        failures.push(`${m.id}: label '${t.name}' leaves the drawing`);
      }
      m.texts.slice(i + 1).forEach((u) => {
        if (overlap(t, u)) failures.push(`${m.id}: labels '${t.name}' and '${u.name}' overlap`);
      });
      m.dots.forEach((d, j) => {
        if (j !== i && overlap(t, d)) failures.push(`${m.id}: label '${t.name}' covers the dot of '${m.texts[j].name}'`);
      });
    });
    await page.locator(`#${m.id}`).screenshot({ path: path.join(artifacts, `${m.id}.png`) });
  }
  console.log(`${maps.length} maps, ${maps.reduce((n, m) => n + m.texts.length, 0)} labels measured`);
} finally {
  await browser.close();
}
for (const f of failures) console.log(`FAIL: ${f}`);
process.exit(failures.length ? 1 : 0);
