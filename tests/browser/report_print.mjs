// report.html printed, as a councillor's "Print" or "Save as PDF" does it, in Debian's Chromium
// driven by playwright-core (issue 13). The PDF is read back with poppler's pdfinfo and
// pdftotext, page by page, and checked:
//  1. every page is A4 (portrait, or landscape for the wide table of all parishes);
//  2. every page's footer holds the study name and "Page i of N";
//  3. every page of the table of all parishes starts with the table's header row;
//  4. the parish profiles print expanded, one to a page: one page per parish of
//     parish_stats.csv, each with that parish's heading and its last measure, none empty.
//
// Usage: node report_print.mjs OUTPUT_DIR ARTIFACT_DIR
//   OUTPUT_DIR holds report.html and parish_stats.csv; ARTIFACT_DIR receives report.pdf and
//   report.txt (pdftotext -layout).
// Exit codes: 0 pass, 1 fail, 77 skipped (no chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const [outDir, artifacts] = process.argv.slice(2);
if (!outDir || !artifacts) {
  console.error('usage: node report_print.mjs OUTPUT_DIR ARTIFACT_DIR');
  process.exit(2);
}
const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (!browserPath) {
  console.log('SKIPPED: chromium is not installed (Debian: apt-get install chromium)');
  process.exit(77);
}
const { chromium } = require('playwright-core');

// RFC 4180 fields of a CSV text, as rows of strings.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function tool(name, args) {
  try {
    return execFileSync(name, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e) {
    console.error(`FAIL: ${name} ${args.join(' ')}: ${e.message}\n(poppler-utils is missing? ` +
                  'scripts/install_dependencies.sh installs it)');
    process.exit(1);
  }
}

const squash = (s) => s.replace(/\s+/g, ' ').trim();
mkdirSync(artifacts, { recursive: true });
const pdf = path.join(artifacts, 'report.pdf');
const failures = [];

const [header, ...records] = parseCsv(readFileSync(path.join(outDir, 'parish_stats.csv'), 'utf8'));
const col = (name) => header.indexOf(name);
const areas = records.filter((r) => r[col('level')] === 'area')
                     .map((r) => ({ id: r[col('area_id')], name: r[col('area_name')] }));

const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
let study;
let lastMeasure;
try {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(path.resolve(outDir, 'report.html')).href, { waitUntil: 'load' });
  study = squash(await page.locator('h1').first().innerText());
  lastMeasure = squash(await page.locator('details.profile tbody tr:last-child th').first()
                                  .innerText());
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
} finally {
  await browser.close();
}

// 1. Page sizes: "Page    7 size: 841.92 x 594.96 pts (A4)".
const info = tool('pdfinfo', ['-f', '1', '-l', '100000', pdf]);
const sizes = [...info.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)];
const text = tool('pdftotext', ['-layout', pdf, '-']);
writeFileSync(path.join(artifacts, 'report.txt'), text);
const pages = text.split('\f');
if (pages.length && squash(pages[pages.length - 1]) === '') pages.pop();
console.log(`report.pdf: ${pages.length} pages, ${areas.length} parishes`);
if (sizes.length !== pages.length) {
  failures.push(`pdfinfo lists ${sizes.length} page sizes for ${pages.length} pages`);
}
for (const [, n, w, h] of sizes) {
  const [short, long] = [Math.min(+w, +h), Math.max(+w, +h)];
  if (Math.abs(short - 595.28) > 2 || Math.abs(long - 841.89) > 2) {
    failures.push(`page ${n} is ${w} x ${h} pt, not A4 (595 x 842 pt)`);
  }
}

// 2. Footers.
pages.forEach((p, i) => {
  const flat = squash(p);
  if (!flat.includes(`Page ${i + 1} of ${pages.length}`)) {
    failures.push(`page ${i + 1} has no "Page ${i + 1} of ${pages.length}" footer`);
  }
  if (!flat.includes(study.slice(0, 40))) {
    failures.push(`page ${i + 1}'s footer does not name the study ("${study.slice(0, 40)}...")`);
  }
});

// The pages of a section: from the page with its heading (a line of its own) to the page
// before the next section's heading.
const headingPage = (title) => pages.findIndex((p) => p.split('\n').some((l) => l.trim() === title));
const tableFirst = headingPage('All parishes');
const profilesFirst = headingPage('Parish profiles');
const glossaryFirst = headingPage('Glossary');
if (tableFirst < 0 || profilesFirst < 0 || glossaryFirst < 0) {
  failures.push(`section headings not found: All parishes on page ${tableFirst + 1}, Parish ` +
                `profiles on page ${profilesFirst + 1}, Glossary on page ${glossaryFirst + 1}`);
} else {
  // 3. The table's header on each of its pages: before the page's first parish row.
  for (let i = tableFirst; i < profilesFirst; i++) {
    const flat = squash(pages[i]);
    const firstRow = Math.min(...areas.map((a) => flat.indexOf(a.id)).filter((k) => k >= 0));
    if (!Number.isFinite(firstRow)) continue;  // e.g. the section's last page
    const head = flat.slice(0, firstRow);
    if (!/Parish ID Premises/.test(head)) {
      failures.push(`page ${i + 1} of the table of all parishes does not start with its ` +
                    `header row (Parish, ID, Premises...): "${head.slice(0, 80)}"`);
    }
  }
  // 4. Profiles: one page each, in the table's order, each holding its parish's whole table.
  const profilePages = pages.slice(profilesFirst + 1, glossaryFirst);
  if (profilePages.length !== areas.length) {
    failures.push(`the profiles print on ${profilePages.length} pages for ${areas.length} ` +
                  'parishes (expected one page each: a profile split over pages, an empty ' +
                  'page, or a profile missing)');
  }
  profilePages.forEach((p, k) => {
    const a = areas[k];
    const flat = squash(p);
    if (!a) return;
    if (!flat.includes(`(${a.id})`) || !flat.includes(lastMeasure)) {
      failures.push(`page ${profilesFirst + 2 + k} should hold the whole profile of ${a.name} ` +
                    `(${a.id}), down to "${lastMeasure}": "${flat.slice(0, 100)}"`);
    }
  });
}

if (failures.length) {
  for (const f of failures.slice(0, 20)) console.error(`FAIL: ${f}`);
  if (failures.length > 20) console.error(`... and ${failures.length - 20} more`);
  process.exit(1);
}
console.log('report prints: A4, footers on every page, table headers repeated, profiles expanded');
