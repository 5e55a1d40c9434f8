// Browser end-to-end checks of the web UI of `leakdex serve`, driven by
// playwright-core (pinned in package.json / package-lock.json) with Debian's
// chromium at /usr/bin/chromium. No browser is downloaded: playwright-core
// only drives the executable it is given.
//
// Environment (all required; exit 2 if one is missing):
//   LEAKDEX_BASE             server root, e.g. http://127.0.0.1:8080
//   LEAKDEX_KEY              an API key (signs in to /dashboard)
//   LEAKDEX_EMAIL            an address planted in breach LEAKDEX_BREACH
//   LEAKDEX_BREACH           that breach's Name
//   LEAKDEX_DOMAIN           a registrable domain with addresses in the breach, not
//                            yet verified by the key; LEAKDEX_EMAIL must be at it
//                            (the dashboard's address table is checked for it)
//   LEAKDEX_DOMAIN_ACCOUNTS  unique accounts of LEAKDEX_DOMAIN in the breach
//   LEAKDEX_MISSING          an address in no breach
//   WELLKNOWN_PORT           this script serves GET /.well-known/leakdex-verification.txt
//                            on 127.0.0.1:PORT (404 until the dashboard shows a token);
//                            the server must be started with
//                            --verify-http-scheme http --verify-http-port PORT
//                            --verify-http-connect 127.0.0.1
//   ARTIFACTS                directory for the full-page screenshots (NN-step.png)
//
// Prints one "ok"/"FAIL" line per check and a closing
// "web-e2e: N passed, M failed"; exits 1 if anything failed.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const CSV_HEADER = 'email,breach,occurrences,data_classes,document_types';
const SESSION_COOKIE = 'leakdex_session';
const STEP_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 5 * 60_000;

function env(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`web-e2e: environment variable ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const BASE = env('LEAKDEX_BASE').replace(/\/+$/, '');
const KEY = env('LEAKDEX_KEY');
const EMAIL = env('LEAKDEX_EMAIL');
const BREACH = env('LEAKDEX_BREACH');
const DOMAIN = env('LEAKDEX_DOMAIN');
const DOMAIN_ACCOUNTS = Number(env('LEAKDEX_DOMAIN_ACCOUNTS'));
const MISSING = env('LEAKDEX_MISSING');
const WELLKNOWN_PORT = Number(env('WELLKNOWN_PORT'));
const ARTIFACTS = env('ARTIFACTS');
if (!Number.isInteger(DOMAIN_ACCOUNTS) || DOMAIN_ACCOUNTS < 0) {
  console.error('web-e2e: LEAKDEX_DOMAIN_ACCOUNTS must be a non-negative integer');
  process.exit(2);
}
if (!Number.isInteger(WELLKNOWN_PORT) || WELLKNOWN_PORT <= 0 || WELLKNOWN_PORT > 65535) {
  console.error('web-e2e: WELLKNOWN_PORT must be a TCP port');
  process.exit(2);
}
let ORIGIN;
try {
  ORIGIN = new URL(BASE).origin;
} catch {
  console.error(`web-e2e: LEAKDEX_BASE ${BASE} is not a URL`);
  process.exit(2);
}
mkdirSync(ARTIFACTS, { recursive: true });

// ---------------------------------------------------------------- reporting

class Mismatch extends Error {}

function assert(cond, msg) {
  if (!cond) throw new Mismatch(msg);
}

function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function describeError(err) {
  const first = String(err?.message ?? err).split('\n')[0];
  return `${err?.name ?? 'Error'}: ${first}`;
}

let passed = 0;
let failed = 0;
let page = null; // the page under test, for screenshots of failures
let shotNo = 0;

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

/** Saves a full-page PNG of the current page as ARTIFACTS/NN-step.png. */
async function snap(step) {
  shotNo += 1;
  const file = join(ARTIFACTS, `${String(shotNo).padStart(2, '0')}-${slug(step)}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true });
  } catch (err) {
    failed += 1;
    console.log(`FAIL screenshot ${file} — ${describeError(err)}`);
  }
}

/**
 * Runs one check. `needs` names earlier results (set with `done`) that must hold;
 * a check whose needs failed is reported as FAIL without running.
 */
const done = new Set();
async function check(name, fn, { needs = [], id } = {}) {
  const missingNeeds = needs.filter((n) => !done.has(n));
  if (missingNeeds.length > 0) {
    failed += 1;
    console.log(`FAIL ${name} — not run: needs ${missingNeeds.join(', ')}`);
    return;
  }
  try {
    const detail = await fn();
    passed += 1;
    if (id) done.add(id);
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name} — ${err instanceof Mismatch ? err.message : `unexpected ${describeError(err)}`}`);
    if (page && !page.isClosed()) await snap(`FAIL-${name}`);
  }
}

// ---------------------------------------------------------------- helpers

/** A CSS attribute-selector value, quoted. */
function q(v) {
  return `"${String(v).replace(/["\\]/g, '\\$&')}"`;
}

function sha1Upper(s) {
  return createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();
}

function digits(text) {
  const d = String(text ?? '').replace(/\D/g, '');
  assert(d.length > 0, `no digits in ${show(text)}`);
  return Number(d);
}

function pathOf(url) {
  const u = new URL(url);
  return decodeURIComponent(u.pathname);
}

async function goto(path) {
  const resp = await page.goto(`${BASE}${path}`, { waitUntil: 'load' });
  assert(resp, `no response for ${path}`);
  assert(resp.status() === 200, `GET ${path} answered ${resp.status()}`);
  return resp;
}

/** Clicks and waits for the page's next load event (a form post or a link). */
async function clickAndLoad(locator) {
  const loaded = page.waitForEvent('load');
  await locator.click();
  await loaded;
}

/** The submit control of a form: a submit button or input, or a button without type. */
function submitOf(formSel) {
  return page
    .locator(`${formSel} button[type=submit], ${formSel} input[type=submit], ${formSel} button:not([type])`)
    .first();
}

/** Every request the browser makes (URL, method, body), in order. */
const requests = [];
const pageErrors = [];

/** Whether `text` contains any of `needles`, case-insensitively, raw or URL-decoded. */
function leaks(text, needles) {
  if (!text) return null;
  const variants = [text.toLowerCase()];
  try {
    variants.push(decodeURIComponent(text.replace(/\+/g, ' ')).toLowerCase());
  } catch {
    /* not decodable: the raw form is checked */
  }
  for (const n of needles) {
    const forms = [n.toLowerCase(), encodeURIComponent(n).toLowerCase()];
    if (variants.some((v) => forms.some((f) => v.includes(f)))) return n;
  }
  return null;
}

/**
 * Accessibility smoke of the current page: exactly one h1, html[lang], and every
 * form control (input other than hidden/submit/button/reset/image, select, textarea)
 * labelled by label[for=id], an enclosing label, aria-label or aria-labelledby.
 */
async function a11y(what, needs = []) {
  await check(`a11y ${what}: one h1, html[lang], every input labelled`, async () => {
    const r = await page.evaluate(() => {
      const h1 = document.querySelectorAll('h1').length;
      const lang = document.documentElement.getAttribute('lang') || '';
      const unlabelled = [];
      const controls = document.querySelectorAll(
        'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea',
      );
      for (const el of controls) {
        const byFor =
          el.id && [...document.querySelectorAll('label')].some((l) => l.htmlFor === el.id && l.textContent.trim());
        const enclosing = el.closest('label')?.textContent.trim();
        const aria = (el.getAttribute('aria-label') || '').trim();
        const labelledBy = (el.getAttribute('aria-labelledby') || '')
          .split(/\s+/)
          .filter(Boolean)
          .some((id) => document.getElementById(id)?.textContent.trim());
        if (!(byFor || enclosing || aria || labelledBy)) {
          unlabelled.push(el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}[name=${el.name}]`);
        }
      }
      return { h1, lang, unlabelled, controls: controls.length };
    });
    const problems = [];
    if (r.h1 !== 1) problems.push(`${r.h1} h1 elements (want exactly 1)`);
    if (!r.lang.trim()) problems.push('html has no lang attribute');
    if (r.unlabelled.length > 0) problems.push(`unlabelled controls: ${r.unlabelled.join(', ')}`);
    assert(problems.length === 0, problems.join('; '));
    return `lang=${r.lang}, ${r.controls} control(s)`;
  }, { needs });
}

// ---------------------------------------------------------------- /.well-known server

let wellknownToken = null;
const wellknownHits = [];
const wellknown = createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (req.method === 'GET' && path === '/.well-known/leakdex-verification.txt') {
    wellknownHits.push({ host: req.headers.host, served: wellknownToken !== null });
    if (wellknownToken !== null) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(wellknownToken);
      return;
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});
try {
  await new Promise((resolve, reject) => {
    wellknown.once('error', reject);
    wellknown.listen(WELLKNOWN_PORT, '127.0.0.1', resolve);
  });
} catch (err) {
  console.log(`FAIL /.well-known server on 127.0.0.1:${WELLKNOWN_PORT} — ${describeError(err)}`);
  console.log('web-e2e: 0 passed, 1 failed');
  process.exit(1);
}

// ---------------------------------------------------------------- the run

const killer = setTimeout(() => {
  console.log(`FAIL run — did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
  console.log(`web-e2e: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, RUN_TIMEOUT_MS);
killer.unref();

const userDataDir = mkdtempSync(join(tmpdir(), 'leakdex-web-e2e-'));
let context = null;

console.log(`web-e2e: playwright-core against ${BASE}, chromium ${CHROMIUM}, screenshots in ${ARTIFACTS}`);

try {
  await check('chromium launches', async () => {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(2 * STEP_TIMEOUT_MS);
    context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
    context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    return `Chromium ${context.browser()?.version() ?? '(version unknown)'}`;
  }, { id: 'browser' });

  if (!done.has('browser')) throw new Mismatch('no browser');

  // ---------------------------------------------------------- 1. home
  const emailHash = sha1Upper(EMAIL.toLowerCase());
  const missingHash = sha1Upper(MISSING.toLowerCase());

  await check('home: GET / with form#check-form, input#email, button#check-button, #check-result[aria-live]', async () => {
    await goto('/');
    await snap('home');
    for (const sel of ['form#check-form', 'form#check-form input#email', 'form#check-form button#check-button', '#check-result']) {
      assert((await page.locator(sel).count()) === 1, `no ${sel}`);
    }
    const live = await page.locator('#check-result').getAttribute('aria-live');
    assert(live === 'polite' || live === 'assertive', `#check-result aria-live=${show(live)}`);
    return `aria-live=${live}`;
  }, { id: 'home' });
  await a11y('home', ['home']);

  let firstRequest = requests.length;
  await check(`home: checking ${EMAIL} lists li[data-breach=${BREACH}]`, async () => {
    firstRequest = requests.length;
    await page.locator('input#email').fill(EMAIL);
    await page.locator('button#check-button').click();
    await page.locator(`#check-result ul#check-breaches li[data-breach=${q(BREACH)}]`).waitFor({ state: 'visible' });
    await snap('home-found');
    const names = await page.locator('#check-result ul#check-breaches li[data-breach]').evaluateAll((els) =>
      els.map((e) => e.dataset.breach),
    );
    assert(pathOf(page.url()) === '/', `the page navigated to ${page.url()}`);
    return `breaches: ${names.join(', ')}`;
  }, { needs: ['home'], id: 'found' });

  await check('home: no request carries the address or its full hash', async () => {
    const mine = requests.slice(firstRequest);
    assert(mine.length > 0, 'no request recorded after submitting');
    for (const r of mine) {
      const hit = leaks(r.url, [EMAIL, emailHash, emailHash.slice(6)]) || leaks(r.body, [EMAIL, emailHash, emailHash.slice(6)]);
      assert(!hit, `${r.method} ${r.url}${r.body ? ` (body ${show(r.body)})` : ''} carries ${hit === EMAIL ? 'the address' : 'the hash'}`);
    }
    return `${mine.length} request(s): ${mine.map((r) => `${r.method} ${new URL(r.url).pathname}`).join(', ')}`;
  }, { needs: ['found'] });

  await check(`home: fetched /api/v1/range/${emailHash.slice(0, 6)}`, async () => {
    const want = `/api/v1/range/${emailHash.slice(0, 6)}`;
    const ranges = requests.slice(firstRequest).filter((r) => new URL(r.url).pathname.startsWith('/api/v1/range/'));
    assert(ranges.some((r) => new URL(r.url).pathname === want && new URL(r.url).origin === ORIGIN),
      `range requests were ${show(ranges.map((r) => r.url))}, want ${ORIGIN}${want}`);
    return `${ranges.length} range request(s)`;
  }, { needs: ['found'] });

  await check(`home: li[data-breach=${BREACH}] lists the breach's data classes`, async () => {
    const resp = await fetch(`${BASE}/api/v3/breach/${encodeURIComponent(BREACH)}`, {
      headers: { 'user-agent': 'leakdex-web-e2e' },
    });
    assert(resp.ok, `GET /api/v3/breach/${BREACH} answered ${resp.status}`);
    const classes = (await resp.json()).DataClasses;
    assert(Array.isArray(classes) && classes.length > 0, `breach has DataClasses ${show(classes)}`);
    const text = (await page.locator(`ul#check-breaches li[data-breach=${q(BREACH)}]`).innerText()).toLowerCase();
    const absent = classes.filter((c) => !text.includes(c.toLowerCase()));
    assert(absent.length === 0, `li text ${show(text)} lacks ${show(absent)}`);
    return classes.join(', ');
  }, { needs: ['found'] });

  await check(`home: checking ${MISSING} shows #check-none and no breaches`, async () => {
    firstRequest = requests.length;
    await page.locator('input#email').fill(MISSING);
    await page.locator('button#check-button').click();
    await page.locator('#check-result #check-none').waitFor({ state: 'visible' });
    await snap('home-none');
    const lis = await page.locator('#check-result li[data-breach]').count();
    assert(lis === 0, `${lis} li[data-breach] still shown with #check-none`);
    const want = `/api/v1/range/${missingHash.slice(0, 6)}`;
    const mine = requests.slice(firstRequest);
    assert(mine.some((r) => new URL(r.url).pathname === want), `no request to ${want}: ${show(mine.map((r) => r.url))}`);
    for (const r of mine) {
      const hit = leaks(r.url, [MISSING, missingHash]) || leaks(r.body, [MISSING, missingHash]);
      assert(!hit, `${r.method} ${r.url} carries ${hit === MISSING ? 'the address' : 'the hash'}`);
    }
  }, { needs: ['home'] });

  await check(`home: form#domain-form with ${DOMAIN} goes to /domains/${DOMAIN}`, async () => {
    await goto('/');
    assert((await page.locator('form#domain-form input#domain').count()) === 1, 'no form#domain-form input#domain');
    await page.locator('form#domain-form input#domain').fill(DOMAIN);
    await clickAndLoad(submitOf('form#domain-form'));
    await snap('domain-via-form');
    assert(pathOf(page.url()) === `/domains/${DOMAIN}`, `landed on ${page.url()}`);
  }, { needs: ['home'] });

  // ---------------------------------------------------------- 2. /domains/{domain}
  await check(`domain page: /domains/${DOMAIN} has h1 with the domain and table#domain-breaches`, async () => {
    if (pathOf(page.url()) !== `/domains/${DOMAIN}`) await goto(`/domains/${DOMAIN}`);
    await snap('domain');
    const h1 = await page.locator('h1').first().innerText();
    assert(h1.toLowerCase().includes(DOMAIN.toLowerCase()), `h1 is ${show(h1)}`);
    assert((await page.locator('table#domain-breaches').count()) === 1, 'no table#domain-breaches');
  }, { id: 'domain' });
  await a11y('domain page', ['domain']);

  await check(`domain page: row ${BREACH} has accounts=${DOMAIN_ACCOUNTS}, occurrences >= accounts, documents`, async () => {
    const row = page.locator(`table#domain-breaches tr[data-breach=${q(BREACH)}]`);
    assert((await row.count()) === 1, `${await row.count()} rows tr[data-breach=${BREACH}]`);
    const cell = async (c) => {
      assert((await row.locator(`td.${c}`).count()) === 1, `no td.${c}`);
      return digits(await row.locator(`td.${c}`).innerText());
    };
    const accounts = await cell('accounts');
    const occurrences = await cell('occurrences');
    const documents = await cell('documents');
    assert(accounts === DOMAIN_ACCOUNTS, `accounts ${accounts}, want ${DOMAIN_ACCOUNTS}`);
    assert(occurrences >= accounts, `occurrences ${occurrences} < accounts ${accounts}`);
    return `accounts ${accounts}, occurrences ${occurrences}, documents ${documents}`;
  }, { needs: ['domain'] });

  await check('domain page: the HTML does not contain the address', async () => {
    const html = await page.content();
    assert(!html.toLowerCase().includes(EMAIL.toLowerCase()), `${EMAIL} appears in the public domain page`);
    assert(!html.toLowerCase().includes(encodeURIComponent(EMAIL).toLowerCase()), 'the URL-encoded address appears');
  }, { needs: ['domain'] });

  // ---------------------------------------------------------- 3. /search
  const label = DOMAIN.split('.')[0];
  await check(`search: /search?q=${label} lists an organisation linking /domains/${DOMAIN}`, async () => {
    await goto(`/search?q=${encodeURIComponent(label)}`);
    await snap('search');
    assert((await page.locator('ul#org-results').count()) === 1, 'no ul#org-results');
    const orgs = await page.locator('ul#org-results li[data-org]').evaluateAll((els) => els.map((e) => e.dataset.org));
    const link = page.locator(`ul#org-results li[data-org] a[href=${q(`/domains/${DOMAIN}`)}]`);
    assert((await link.count()) > 0, `no li[data-org] with a[href="/domains/${DOMAIN}"] among ${show(orgs)}`);
    return `${orgs.length} organisation(s)`;
  }, { id: 'search' });
  await a11y('search', ['search']);

  await check(`search: the link lands on /domains/${DOMAIN}`, async () => {
    await clickAndLoad(page.locator(`ul#org-results li[data-org] a[href=${q(`/domains/${DOMAIN}`)}]`).first());
    await snap('search-domain');
    assert(pathOf(page.url()) === `/domains/${DOMAIN}`, `landed on ${page.url()}`);
    const h1 = await page.locator('h1').first().innerText();
    assert(h1.toLowerCase().includes(DOMAIN.toLowerCase()), `h1 is ${show(h1)}`);
  }, { needs: ['search'] });

  // ---------------------------------------------------------- 4. /breaches
  await check(`breaches: table#breaches has tr[data-breach=${BREACH}] linking /breaches/${BREACH}`, async () => {
    await goto('/breaches');
    await snap('breaches');
    const hrefs = await page
      .locator(`table#breaches tr[data-breach=${q(BREACH)}] a[href]`)
      .evaluateAll((els) => els.map((a) => a.href));
    const target = hrefs.find((h) => pathOf(h) === `/breaches/${BREACH}`);
    assert(target, `row links are ${show(hrefs)}`);
  }, { id: 'breaches' });
  await a11y('breaches', ['breaches']);

  await check(`breach page: /breaches/${BREACH} has section#counts`, async () => {
    const a = page.locator(`table#breaches tr[data-breach=${q(BREACH)}] a[href]`);
    const hrefs = await a.evaluateAll((els) => els.map((x) => x.href));
    const i = hrefs.findIndex((h) => pathOf(h) === `/breaches/${BREACH}`);
    await clickAndLoad(a.nth(i));
    await snap('breach');
    assert(pathOf(page.url()) === `/breaches/${BREACH}`, `landed on ${page.url()}`);
    assert((await page.locator('section#counts').count()) === 1, 'no section#counts');
  }, { needs: ['breaches'], id: 'breach' });
  await a11y('breach page', ['breach']);

  for (const chart of ['chart-data-classes', 'chart-document-types', 'chart-countries', 'chart-messages']) {
    await check(`breach page: svg#${chart} with role=img, aria-label and a rect`, async () => {
      const svg = page.locator(`svg#${chart}`);
      assert((await svg.count()) === 1, `${await svg.count()} svg#${chart}`);
      const role = await svg.getAttribute('role');
      const label = (await svg.getAttribute('aria-label')) ?? '';
      const rects = await svg.locator('rect').count();
      assert(role === 'img', `role=${show(role)}`);
      assert(label.trim(), 'no aria-label');
      assert(rects > 0, 'no rect');
      return `${rects} rect(s), aria-label ${show(label)}`;
    }, { needs: ['breach'] });
  }

  // ---------------------------------------------------------- 5. /dashboard
  await check('dashboard: signed out it shows form#signin with input#api-key and a submit button', async () => {
    const before = (await context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE);
    assert(!before, `a ${SESSION_COOKIE} cookie exists before signing in`);
    await goto('/dashboard');
    await snap('dashboard-signed-out');
    assert((await page.locator('form#signin input#api-key').count()) === 1, 'no form#signin input#api-key');
    assert((await submitOf('form#signin').count()) === 1, 'no submit button in form#signin');
  }, { id: 'signin-form' });
  await a11y('dashboard signed out', ['signin-form']);

  let signinRequest = requests.length;
  await check('dashboard: signing in with the key shows h1 "Dashboard"', async () => {
    signinRequest = requests.length;
    await page.locator('form#signin input#api-key').fill(KEY);
    await clickAndLoad(submitOf('form#signin'));
    await snap('dashboard');
    const h1 = await page.locator('h1').first().innerText();
    assert(h1.includes('Dashboard'), `h1 is ${show(h1)} at ${page.url()}`);
    assert((await page.locator('form#signin').count()) === 0, 'form#signin is still shown');
  }, { needs: ['signin-form'], id: 'signed-in' });
  await a11y('dashboard', ['signed-in']);

  await check(`dashboard: cookie ${SESSION_COOKIE} is HttpOnly, SameSite=Strict, not the key`, async () => {
    const c = (await context.cookies(BASE)).find((x) => x.name === SESSION_COOKIE);
    assert(c, `no ${SESSION_COOKIE} cookie; cookies: ${show((await context.cookies(BASE)).map((x) => x.name))}`);
    const problems = [];
    if (c.httpOnly !== true) problems.push('not HttpOnly');
    if (c.sameSite !== 'Strict') problems.push(`SameSite=${c.sameSite}`);
    if (c.value.includes(KEY)) problems.push('the cookie value contains the API key');
    assert(problems.length === 0, problems.join('; '));
    const inUrl = requests.slice(signinRequest).find((r) => r.url.includes(KEY) || r.url.includes(encodeURIComponent(KEY)));
    assert(!inUrl, `the key is in a URL: ${inUrl?.method} ${inUrl?.url.replace(KEY, '<key>')}`);
    return `path=${c.path}, secure=${c.secure}, expires=${c.expires}`;
  }, { needs: ['signed-in'] });

  await check(`dashboard: form#verify-start (http) for ${DOMAIN} shows #verify-token and form#verify-check`, async () => {
    for (const sel of ['form#verify-start input#verify-domain', 'form#verify-start select#verify-method']) {
      assert((await page.locator(sel).count()) === 1, `no ${sel}`);
    }
    const methods = await page.locator('select#verify-method option').evaluateAll((os) => os.map((o) => o.value));
    for (const m of ['dns', 'email', 'http']) assert(methods.includes(m), `select#verify-method options ${show(methods)} lack ${m}`);
    assert(
      (await page.locator('form#verify-start input[type=hidden][name=csrf]').count()) === 1,
      'form#verify-start has no hidden input name=csrf',
    );
    await page.locator('input#verify-domain').fill(DOMAIN);
    await page.locator('select#verify-method').selectOption('http');
    await clickAndLoad(submitOf('form#verify-start'));
    await snap('verify-started');
    await page.locator('#verify-token').waitFor({ state: 'visible' });
    assert((await page.locator('form#verify-check').count()) === 1, 'no form#verify-check');
    const token = (await page.locator('#verify-token').innerText()).trim();
    assert(/^\S{16,}$/.test(token), `#verify-token text ${show(token)} does not look like a token`);
    wellknownToken = token;
    return `token of ${token.length} characters`;
  }, { needs: ['signed-in'], id: 'verify-start' });
  await a11y('verification challenge', ['verify-start']);

  await check(`dashboard: form#verify-check fetches the token and lists li[data-domain=${DOMAIN}]`, async () => {
    const hitsBefore = wellknownHits.length;
    await clickAndLoad(submitOf('form#verify-check'));
    await snap('verify-checked');
    await page.locator(`ul#domains li[data-domain=${q(DOMAIN)}]`).waitFor({ state: 'visible' });
    const hits = wellknownHits.slice(hitsBefore);
    assert(hits.some((h) => h.served), `the server never fetched the token from 127.0.0.1:${WELLKNOWN_PORT}`);
    return `/.well-known fetched ${hits.length}x (Host ${show(hits.map((h) => h.host))})`;
  }, { needs: ['verify-start'], id: 'verified' });
  await a11y('dashboard with a verified domain', ['verified']);

  await check(`dashboard: form#subscribe turns on alerts for ${DOMAIN}, shows #webhook-secret once, and Remove turns them off`, async () => {
    assert((await page.locator('p#subscriptions-none').count()) === 1, 'no p#subscriptions-none before subscribing');
    const domains = await page.locator('select#subscribe-domain option').evaluateAll((os) => os.map((o) => o.value));
    assert(domains.includes(DOMAIN), `select#subscribe-domain options ${show(domains)} lack ${DOMAIN}`);
    await page.locator('select#subscribe-domain').selectOption(DOMAIN);
    await page.locator('input#subscribe-webhook').fill('https://hooks.example.org/leakdex');
    await page.locator('input#subscribe-emails').fill(`security@${DOMAIN}`);
    await clickAndLoad(submitOf('form#subscribe'));
    await snap('subscribed');
    const secret = (await page.locator('#webhook-secret').innerText()).trim();
    assert(/^whsec_[A-Za-z0-9+/=]{40,}$/.test(secret), `#webhook-secret ${show(secret)} is not a whsec_ secret`);
    const row = page.locator('table#subscriptions tbody tr').filter({ hasText: 'hooks.example.org' });
    assert((await row.count()) === 1, 'no row of table#subscriptions shows the webhook');
    await goto('/dashboard');
    assert((await page.locator('#webhook-secret').count()) === 0, 'the secret is shown again on reload');
    await clickAndLoad(page.locator('table#subscriptions tbody tr button[type=submit]').first());
    await snap('unsubscribed');
    assert((await page.locator('p#subscriptions-none').count()) === 1, 'the subscription is still listed after Remove');
    return `secret ${secret.slice(0, 10)}…`;
  }, { needs: ['verified'], id: 'subscribed' });
  await a11y('dashboard alerts', ['subscribed']);

  let csvHref = null;
  await check(`dashboard: /dashboard/domains/${DOMAIN} lists ${EMAIL} in table#addresses`, async () => {
    const a = page.locator(`ul#domains li[data-domain=${q(DOMAIN)}] a[href=${q(`/dashboard/domains/${DOMAIN}`)}]`);
    assert((await a.count()) > 0, `no a[href="/dashboard/domains/${DOMAIN}"] in the li`);
    await clickAndLoad(a.first());
    await snap('dashboard-domain');
    assert(pathOf(page.url()) === `/dashboard/domains/${DOMAIN}`, `landed on ${page.url()}`);
    const rows = page.locator('table#addresses tr').filter({ hasText: new RegExp(EMAIL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') });
    assert((await rows.count()) > 0, `no row of table#addresses contains ${EMAIL}`);
    return `${await page.locator('table#addresses tbody tr').count()} row(s)`;
  }, { needs: ['verified'], id: 'addresses' });
  await a11y('dashboard domain', ['addresses']);

  await check('dashboard: a#csv-download downloads the addresses as CSV', async () => {
    const a = page.locator('a#csv-download');
    assert((await a.count()) === 1, 'no a#csv-download');
    csvHref = await a.evaluate((x) => x.href);
    const [download] = await Promise.all([page.waitForEvent('download'), a.click()]);
    const failure = await download.failure();
    assert(!failure, `download failed: ${failure}`);
    const text = readFileSync(await download.path(), 'utf8');
    const first = text.split('\n')[0].replace(/\r$/, '');
    assert(first === CSV_HEADER, `first line ${show(first)}, want ${show(CSV_HEADER)}`);
    assert(text.toLowerCase().includes(EMAIL.toLowerCase()), `the CSV lacks ${EMAIL}`);
    return `${download.suggestedFilename()}, ${text.trim().split('\n').length - 1} row(s)`;
  }, { needs: ['addresses'] });

  await check('dashboard: without the session cookie the domain page and CSV do not show the address', async () => {
    const urls = [`${BASE}/dashboard/domains/${DOMAIN}`];
    if (csvHref) urls.push(csvHref);
    const seen = [];
    for (const u of urls) {
      const resp = await fetch(u, { redirect: 'manual' });
      const body = await resp.text();
      assert(!body.toLowerCase().includes(EMAIL.toLowerCase()), `GET ${u} without a session (${resp.status}) shows ${EMAIL}`);
      seen.push(`${new URL(u).pathname} ${resp.status}`);
    }
    return seen.join(', ');
  }, { needs: ['addresses'] });

  await check('dashboard: POST /dashboard/verify/start without the csrf field is refused (403)', async () => {
    await goto('/dashboard');
    await snap('dashboard-csrf');
    const r = await page.evaluate(async (domain) => {
      const form = document.querySelector('form#verify-start');
      const data = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      data.delete('csrf');
      data.set('domain', domain);
      if (form?.querySelector('input#verify-domain')?.name) data.set(form.querySelector('input#verify-domain').name, domain);
      if (form?.querySelector('select#verify-method')?.name) data.set(form.querySelector('select#verify-method').name, 'http');
      const resp = await fetch('/dashboard/verify/start', {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        redirect: 'manual',
      });
      return { status: resp.status, fields: [...data.keys()], hadForm: !!form };
    }, DOMAIN);
    assert(r.status === 403, `answered ${r.status} (fields sent: ${r.fields.join(', ')}; form on page: ${r.hadForm})`);
    return `fields sent: ${r.fields.join(', ')}`;
  }, { needs: ['signed-in'] });

  // ---------------------------------------------------------- whole run
  await check('run: no request carried LEAKDEX_EMAIL, LEAKDEX_MISSING or the key in its URL', async () => {
    for (const r of requests) {
      const hit = leaks(r.url, [EMAIL, MISSING]);
      assert(!hit, `${r.method} ${r.url} carries ${hit}`);
      assert(!r.url.includes(KEY), `${r.method} ${r.url.replace(KEY, '<key>')} carries the key`);
    }
    return `${requests.length} request(s)`;
  });

  await check(`run: every request went to ${ORIGIN}`, async () => {
    const other = requests.filter((r) => !r.url.startsWith(`${ORIGIN}/`) && !r.url.startsWith('data:') && !r.url.startsWith('blob:'));
    assert(other.length === 0, `third-party requests: ${show([...new Set(other.map((r) => r.url))])}`);
  });

  await check('run: no uncaught JavaScript error on any page', async () => {
    assert(pageErrors.length === 0, pageErrors.join(' | '));
  });
} catch (err) {
  if (!(err instanceof Mismatch)) {
    failed += 1;
    console.log(`FAIL run — unexpected ${describeError(err)}`);
  }
} finally {
  await context?.close().catch(() => {});
  await new Promise((resolve) => wellknown.close(resolve));
  rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`web-e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
