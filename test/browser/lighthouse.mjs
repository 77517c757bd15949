// Runs Lighthouse's SEO, accessibility and best-practices audits on pages
// of a running portal server in Debian's Chromium; started by
// browser_test.go, which asserts on the JSON this script prints.
//
// Environment:
//   PORTAL_URL  base URL of the portal, e.g. http://127.0.0.1:41234
//   PAGES       the paths to audit, separated by spaces, e.g. "/ /leistungen/10110"
//   CHROMIUM    the Chromium executable, e.g. /usr/bin/chromium
//
// For each page it prints the category scores and every audit that counts
// towards a score and does not pass.

import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const portalURL = mustEnv('PORTAL_URL');
const pages = mustEnv('PAGES').split(' ').filter(Boolean);
const chromePath = mustEnv('CHROMIUM');

function mustEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const categories = ['seo', 'accessibility', 'best-practices'];

// One browser for all pages; Lighthouse opens a fresh tab for each run.
const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});

const report = { runs: [] };
try {
  for (const path of pages) {
    const result = await lighthouse(portalURL + path, {
      port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: categories,
    });
    const lhr = result.lhr;
    const run = { path, lighthouseVersion: lhr.lighthouseVersion, runtimeError: lhr.runtimeError?.message ?? '', scores: {}, failing: [] };
    for (const id of categories) {
      const cat = lhr.categories[id];
      run.scores[id] = cat.score;
      for (const ref of cat.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const items = (audit.details?.items ?? []).slice(0, 5).map((i) => JSON.stringify(i).slice(0, 300));
          run.failing.push({ category: id, id: ref.id, title: audit.title, score: audit.score, explanation: audit.explanation ?? '', items });
        }
      }
    }
    report.runs.push(run);
  }
} finally {
  await chrome.kill();
}

process.stdout.write(JSON.stringify(report, null, 2) + '\n');
