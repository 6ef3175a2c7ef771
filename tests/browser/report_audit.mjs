// report.html as people use it, in Debian's Chromium driven by playwright-core (issue 13):
//  1. Accessibility: axe-core audits the page (WCAG 2.0 and 2.1, levels A and AA) at desktop
//     width, with every parish profile opened, and fails on any violation.
//  2. Phones: at 390 CSS pixels wide (an iPhone 12-15) the page does not scroll sideways: the
//     document is no wider than the viewport (wide tables scroll inside their own box).
//
// Usage: node report_audit.mjs REPORT_HTML ARTIFACT_DIR
// Exit codes: 0 pass, 1 fail, 77 skipped (no chromium).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const [report, artifacts] = process.argv.slice(2);
if (!report || !artifacts) {
  console.error('usage: node report_audit.mjs REPORT_HTML ARTIFACT_DIR');
  process.exit(2);
}
const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!browserPath) {
  console.log('SKIPPED: chromium is not installed (Debian: apt-get install chromium)');
  process.exit(77);
}
let chromium, axePath;
try {
  ({ chromium } = require('playwright-core'));
  axePath = require.resolve('axe-core/axe.min.js');
} catch (e) {
  console.error(`FAIL: ${e.message}\n(tests/browser's npm packages are missing: ` +
                'run scripts/install_dependencies.sh, which runs npm ci there)');
  process.exit(1);
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PHONE = { width: 390, height: 844 };
mkdirSync(artifacts, { recursive: true });
const failures = [];
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const url = pathToFileURL(path.resolve(report)).href;

  // The report's own Content-Security-Policy forbids any script but its own: bypassed only to
  // inject axe-core.
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await desktop.goto(url, { waitUntil: 'load' });
  // Profiles are <details>: open them so that their contents are audited too.
  await desktop.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  await desktop.addScriptTag({ path: axePath });
  const audit = await desktop.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_TAGS);
  writeFileSync(path.join(artifacts, 'axe.json'), JSON.stringify(audit.violations, null, 2));
  for (const v of audit.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
    failures.push(`axe ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), e.g. ${where}`);
  }
  console.log(`axe-core ${audit.testEngine.version}: ${audit.passes.length} rules passed, ` +
              `${audit.violations.length} violated, ${audit.incomplete.length} need review`);

  const phone = await browser.newPage({ viewport: PHONE, deviceScaleFactor: 1, isMobile: true });
  await phone.goto(url, { waitUntil: 'load' });
  const widths = await phone.evaluate(() => {
    const doc = document.documentElement;
    // The elements that stick out of the viewport, widest first (what to fix).
    const wide = [...document.body.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
        .filter((e) => !e.parentElement.closest('[data-scrolls]'))
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}` +
                    `${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}` +
                    ` (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
    return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5) };
  });
  await phone.screenshot({ path: path.join(artifacts, 'phone.png'), fullPage: false });
  console.log(`at ${PHONE.width} px: the page is ${widths.scroll} px wide`);
  if (widths.scroll > widths.client) {
    failures.push(`at ${PHONE.width} px the page scrolls sideways: it is ${widths.scroll} px wide ` +
                  `(viewport ${widths.client} px); sticking out: ${widths.wide.join(', ')}`);
  }
} finally {
  await browser.close();
}
for (const f of failures) console.error(`FAIL: ${f}`);
process.exit(failures.length ? 1 : 0);
