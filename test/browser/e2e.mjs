// Drives headless Chromium against a running portal server; started by
// browser_test.go, which serves the portal and the "online service" the
// portal links to, and asserts on the JSON this script prints.
//
// Environment:
//   PORTAL_URL     base URL of the portal, e.g. http://127.0.0.1:41234
//   SERVICE_URL    the URL the Wohngeld service links to
//   CHROMIUM       the Chromium executable, e.g. /usr/bin/chromium
//   ARTIFACTS_DIR  optional: where to write screenshots
//
// Flow steps throw on failure (exit code 1, message on stderr); axe
// results, dialogs and console errors are reported for the Go test to judge.

import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

const portalURL = mustEnv('PORTAL_URL');
const serviceURL = mustEnv('SERVICE_URL');
const executablePath = mustEnv('CHROMIUM');
const artifactsDir = process.env.ARTIFACTS_DIR || '';

function mustEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

const report = { steps: [], axe: [], dialogs: [], consoleErrors: [], failedRequests: [] };

// Playwright gives every launch a fresh temporary profile (its own
// --user-data-dir) and already disables background networking, component
// updates, sync and the first-run UI; the rest suits a container.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  chromiumSandbox: false,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

function watch(page, label) {
  page.on('dialog', async (d) => {
    report.dialogs.push({ page: label, type: d.type(), message: d.message() });
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') report.consoleErrors.push({ page: label, text: m.text() });
  });
  page.on('requestfailed', (r) => {
    report.failedRequests.push({ page: label, url: r.url(), error: r.failure()?.errorText });
  });
  page.setDefaultTimeout(15000);
}

try {
  // 1. The citizen's flow, with JavaScript off: the form must work as plain
  //    HTML, and the page's CSP is enforced.
  {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
    const page = await context.newPage();
    watch(page, 'no-js');

    const resp = await page.goto(portalURL + '/');
    check(resp.status() === 200, `GET / returned ${resp.status()}`);
    const title = await page.title();
    check(title.includes('Stadt Musterstadt'), `title ${JSON.stringify(title)} lacks the municipality`);
    const total = await page.locator('article.service').count();
    check(total >= 8, `expected the whole catalogue, got ${total} services`);

    // The stylesheet loaded under style-src 'self'.
    const headerBg = await page.locator('header.site-header').evaluate((el) => getComputedStyle(el).backgroundColor);
    check(headerBg === 'rgb(11, 58, 110)', `stylesheet not applied: header background ${headerBg}`);
    report.steps.push({ step: 'load', title, services: total });

    // The first Tab reaches the skip link, which becomes visible with a
    // focus outline, and it moves to the main content.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return { text: el.textContent.trim(), top: r.top, visible: r.width > 1 && r.height > 1 && r.bottom > 0, outline: cs.outlineStyle, outlineWidth: cs.outlineWidth };
    });
    check(skip.text === 'Zum Inhalt springen', `first Tab focused ${JSON.stringify(skip.text)}`);
    check(skip.visible, `skip link is not visible when focused: ${JSON.stringify(skip)}`);
    check(skip.outline !== 'none' && skip.outlineWidth !== '0px', `no focus outline on the skip link: ${JSON.stringify(skip)}`);
    // The fragment navigation lands after the key press returns: wait for
    // it (a timeout leaves the check below to say where the link went).
    await Promise.all([page.waitForURL(/#inhalt$/, { timeout: 5000 }).catch(() => {}), page.keyboard.press('Enter')]);
    check(page.url().endsWith('#inhalt'), `skip link went to ${page.url()}`);
    report.steps.push({ step: 'skip-link', ...skip });

    // Search by name.
    await page.getByLabel('Suchbegriff').fill('wohngeld');
    await Promise.all([page.waitForURL(/[?&]q=wohngeld/), page.getByRole('button', { name: 'Suchen' }).click()]);
    let names = await page.locator('article.service h4').allTextContents();
    // Ranked by relevance: Wohngeld first, then what shares a part of it
    // (Elterngeld), never catalogue order.
    check(names.length >= 1 && names[0] === 'Wohngeld', `search "wohngeld" found ${JSON.stringify(names)}`);
    check(await page.getByLabel('Suchbegriff').inputValue() === 'wohngeld', 'search field lost its value');
    report.steps.push({ step: 'search', url: page.url(), found: names });

    // A search that finds nothing suggests the portal's nearest words,
    // each a link to its search.
    await page.goto(portalURL + '/?q=Kiga');
    const suggestion = page.locator('p.suggestions a').first();
    check(await suggestion.count() === 1, 'no suggestion for "Kiga"');
    const word = await suggestion.textContent();
    await Promise.all([page.waitForURL(/[?&]q=/), suggestion.click()]);
    names = await page.locator('article.service h4').allTextContents();
    check(names.length >= 1, `suggestion ${JSON.stringify(word)} found nothing`);
    report.steps.push({ step: 'suggestion', word, found: names });

    // Filter by Themenfeld and state with the selects.
    await page.getByLabel('Suchbegriff').fill('');
    await page.getByLabel('Themenfeld').selectOption('Ein- und Auswanderung');
    await page.getByLabel('Stand der Umsetzung').selectOption({ label: 'Online' });
    await Promise.all([page.waitForURL(/state=Live/), page.getByRole('button', { name: 'Suchen' }).click()]);
    names = await page.locator('article.service h4').allTextContents();
    check(JSON.stringify(names) === JSON.stringify(['Änderung der Meldeadresse']),
      `Themenfeld + state filter found ${JSON.stringify(names)}`);
    const states = await page.locator('article.service .state').allTextContents();
    check(states.every((s) => s === 'Online'), `filtered states ${JSON.stringify(states)}`);
    report.steps.push({ step: 'filter', url: page.url(), found: names });

    // Follow a service's link to its online service.
    await page.goto(portalURL + '/?q=wohngeld');
    const link = page.getByRole('link', { name: /^Online-Dienst starten\s+für Wohngeld$/ });
    check(await link.getAttribute('href') === serviceURL, `service link href ${await link.getAttribute('href')}`);
    await Promise.all([page.waitForURL(serviceURL), link.click()]);
    const h1 = await page.locator('h1').textContent();
    check(h1 === 'Wohngeld beantragen', `online service page shows ${JSON.stringify(h1)}`);
    report.steps.push({ step: 'follow-link', url: page.url(), heading: h1 });

    // A service's name leads to its own page, which search results and
    // the Portalverbund link to.
    await page.goto(portalURL + '/?q=wohngeld');
    await Promise.all([page.waitForURL(portalURL + '/leistungen/10110'), page.getByRole('link', { name: 'Wohngeld', exact: true }).click()]);
    const serviceHeading = await page.locator('h1').textContent();
    check(serviceHeading === 'Wohngeld', `service page shows ${JSON.stringify(serviceHeading)}`);
    const pageLink = page.getByRole('link', { name: /^Online-Dienst starten\s+für Wohngeld$/ });
    check(await pageLink.getAttribute('href') === serviceURL, `service page links ${await pageLink.getAttribute('href')}`);
    const canonical = await page.locator('link[rel=canonical]').getAttribute('href');
    check(canonical === portalURL + '/leistungen/10110', `service page canonical ${canonical}`);
    report.steps.push({ step: 'service-page', url: page.url(), heading: serviceHeading, canonical });

    // A service of the Kreis says who is responsible and links the
    // Kreis's online service; one without says whom to contact.
    await page.goto(portalURL + '/?q=kfz');
    let entry = page.locator('article.service', { hasText: 'Kfz-Zulassung' });
    const responsible = await entry.locator('dl.facts > div', { has: page.locator('dt', { hasText: 'Zuständig' }) }).locator('dd').textContent();
    check(responsible === 'Kreis Musterkreis', `Kfz-Zulassung names ${JSON.stringify(responsible)} as responsible`);
    const kfzLink = entry.getByRole('link', { name: /^Online-Dienst starten\s+für Kfz-Zulassung$/ });
    check(await kfzLink.getAttribute('href') === 'https://kfz.kreis.example.invalid/', `Kfz-Zulassung links ${await kfzLink.getAttribute('href')}`);
    await page.goto(portalURL + '/?q=f%C3%BChrerschein');
    entry = page.locator('article.service', { hasText: 'Führerschein' });
    const contact = entry.getByRole('link', { name: 'Kreis Musterkreis' });
    check(await contact.getAttribute('href') === 'https://kreis.example.invalid/', `Führerschein's contact links ${await contact.getAttribute('href')}`);
    report.steps.push({ step: 'kreis-service', responsible });

    if (artifactsDir) {
      await page.goto(portalURL + '/?q=wohngeld');
      await page.screenshot({ path: path.join(artifactsDir, 'search.png'), fullPage: true });
    }
    await context.close();
  }

  // 2. With JavaScript on and the CSP enforced, the page raises no CSP
  //    violation and no injected markup runs.
  {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    watch(page, 'csp');
    await page.goto(portalURL + '/');
    await page.goto(portalURL + '/?q=alert');
    const hostile = await page.locator('article.service h4').allTextContents();
    check(hostile.includes('<script>alert(1)</script>'), `hostile name not shown as text: ${JSON.stringify(hostile)}`);
    report.steps.push({ step: 'csp', hostileNamesShownAsText: hostile });
    await context.close();
  }

  // 3. axe-core on every kind of page. bypassCSP lets axe's script in; the
  //    portal's own CSP allows no script.
  {
    const context = await browser.newContext({ bypassCSP: true, locale: 'de-DE' });
    const page = await context.newPage();
    watch(page, 'axe');
    const pages = ['/', '/?q=wohngeld&state=Live', '/?q=kfz', '/?q=gibt-es-nicht', '/?q=Kiga', '/?state=Unbekannt', '/gibt-es-nicht',
      '/leistungen/10110', '/leistungen/10439', '/leistungen/99999'];
    for (const p of pages) {
      await page.goto(portalURL + p);
      // Check the LeiKa lists too, which are collapsed by default.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations', 'incomplete'],
      }));
      report.axe.push({
        path: p,
        axeVersion: result.testEngine.version,
        passes: result.passes.length,
        incomplete: result.incomplete.map((r) => ({ id: r.id, impact: r.impact, nodes: r.nodes.length })),
        violations: result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        })),
      });
      if (artifactsDir && p === '/') {
        await page.screenshot({ path: path.join(artifactsDir, 'start.png'), fullPage: true });
      }
    }
    await context.close();
  }
} finally {
  await browser.close();
}

process.stdout.write(JSON.stringify(report, null, 2) + '\n');
