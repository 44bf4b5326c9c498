#!/usr/bin/env node
// Browser test of `profview serve`'s web UI (web/app.{html,css,js} over the API
// of docs/serve-api.md): imports fixtures into a temporary store, starts the
// server on a free port, and drives Debian's chromium with playwright-core
// through every view: the list and its search, the function table (sort, regex
// filter, invalid regex, limit), the icicle (zoom, depth-limited subtrees and
// their breadcrumb), the sandwich (callers/callees against their endpoints),
// the call graph (node click, pan/zoom, bad regex, 413), the diff (table and
// differential icicle), back/forward, deep links in a fresh page, hostile
// names, the dark theme, and pages of other sites (an <img>, a <script>, a
// fetch aimed at the server are refused; a link followed from there is
// served). Values are checked against the API's own JSON.
// Throughout: no console errors but the expected 4xx, no page errors, no failed
// requests, no request to another origin, no dialog. Screenshots of every view,
// light and dark, go to ARTEFACT_DIR. Prints "N passed, N failed"; exits 1 on
// any failure. The server is stopped with SIGINT and must exit 0.
//
// usage: node test_serve.mjs PROFVIEW TESTS_DIR ARTEFACT_DIR
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { CHROMIUM, loadChromium, testArgs } from './browser_common.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [profview, testsDir, artefactDir] = testArgs('test_serve.mjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const T0 = Date.now();

const chromium = await loadChromium(here);

fs.mkdirSync(artefactDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-serve-'));
const db = path.join(tmp, 'store.db');
let passed = 0, failed = 0;
let where = 'setup';

function check(name, ok, detail) {
  if (ok) { passed++; return true; }
  failed++;
  console.log(`FAIL ${where}: ${name}${detail === undefined ? '' : ' -- ' + (typeof detail === 'string' ? detail : JSON.stringify(detail))}`);
  return false;
}
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const norm = (s) => String(s).replace(/\s+/g, ' ').trim();

// ---- the store ----

const F = (...p) => path.join(testsDir, ...p);
const HOSTILE_NAME = '<img src=x onerror=alert("name")>"\'&';
function hostileFolded() {
  const f = path.join(tmp, 'hostile.folded');
  fs.writeFileSync(f, [
    'main (app.py:1);</script><script>alert(1)</script> (evil.py:2) 5',
    'main (app.py:1);<img src=x onerror=alert(1)> (<b>x</b>.py:3);"\'& (q.py:4) 3',
    'main (app.py:1);<svg onload=alert(2)> (evil.py:5) 2', ''].join('\n'));
  return f;
}
// A profile with more functions than the call graph lays out (2,000): 413 at node_thres=0.
function bigFolded() {
  const f = path.join(tmp, 'big.folded'), lines = [];
  for (let i = 0; i < 2100; i++) lines.push(`main (big.py:1);f${i} (big.py:${i + 10}) ${1 + (i % 7)}`);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}
function importOne(file, name) {
  const args = ['import', '--db', db, file];
  if (name) args.push('--name', name);
  const r = spawnSync(profview, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`profview import ${file}: ${r.stderr}`);
  return parseInt(r.stdout.trim().split('\n').pop(), 10);
}
const ids = {};
const imports = [
  ['example', path.resolve(testsDir, '..', 'examples', 'example.prof')],
  ['golden', F('golden', 'fixtures', 'py311-cprofile.prof')],
  ['sampled', F('sampled', 'fixtures', 'py_sampled.folded')],
  ['before', F('diff', 'fixtures', 'before.prof')],
  ['after', F('diff', 'fixtures', 'after.prof')],
  ['hostnames', F('callgraph', 'fixtures', 'hostile_names.prof')],
  [HOSTILE_NAME, hostileFolded()],
  ['big', bigFolded()],
  ['latin1', F('serve', 'fixtures', 'py27-latin1.prof')],
];
for (const [name, file] of imports) {
  if (!fs.existsSync(file)) { check(`fixture ${file} exists`, false); continue; }
  ids[name] = importOne(file, name);
}
const main = ids.example !== undefined ? 'example' : 'golden';
const ID = ids[main];

// ---- the server ----

const server = spawn(profview, ['serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverOut = '', serverErr = '';
server.stderr.on('data', (d) => { serverErr += d; });
const serverExit = new Promise((res) => server.on('exit', (code, sig) => res({ code, sig })));
const BASE = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('no URL on stdout in 10 s: ' + serverOut + serverErr)), 10000);
  server.stdout.on('data', (d) => {
    serverOut += d;
    const m = serverOut.match(/http:\/\/[0-9.]+:\d+/);
    if (m) { clearTimeout(t); resolve(m[0]); }
  });
  server.on('exit', () => { clearTimeout(t); reject(new Error('server exited: ' + serverErr)); });
}).catch((e) => { console.error(String(e)); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); });

async function apiJson(p) {
  const r = await fetch(BASE + p);
  const j = await r.json();
  return { status: r.status, json: j };
}
async function apiGet(p) {
  const r = await apiJson(p);
  if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// ---- the browser ----

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});

// 4xx answers the test provokes on purpose: [status, URL substring].
let expectedBad = [];
async function openPage(url, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport || { width: 1280, height: 800 },
    colorScheme: opts.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  const log = { console: [], errors: [], failedReq: [], foreign: [], dialogs: [], bad: [] };
  page.on('console', (msg) => { if (msg.type() === 'error') log.console.push(msg.text()); });
  page.on('pageerror', (err) => log.errors.push(String(err && err.message || err)));
  page.on('requestfailed', (req) => log.failedReq.push(req.url() + ' ' + (req.failure() && req.failure().errorText)));
  page.on('request', (req) => { const u = req.url(); if (!u.startsWith(BASE + '/') && !u.startsWith('data:')) log.foreign.push(u); });
  page.on('response', (res) => { if (res.status() >= 400) log.bad.push([res.status(), res.url()]); });
  page.on('dialog', (d) => { log.dialogs.push(d.type() + ': ' + d.message()); d.dismiss().catch(() => {}); });
  const o = { context, page, log };
  if (url) await go(o, url);
  return o;
}
async function go(o, url) {
  await o.page.goto(BASE + url, { waitUntil: 'load' });
}
// Waits until the view `view` has settled in one of `states` and nothing is in flight.
async function settled(page, view, states = ['ready']) {
  await page.waitForFunction(([v, st]) => {
    const e = document.querySelector(`[data-view="${v}"]`);
    return e && st.includes(e.getAttribute('data-state')) && window.__pvApp && window.__pvApp.busy === 0;
  }, [view, states], { timeout: 15000 });
}
async function chartSettled(page, fn) {
  await page.waitForFunction((f) => {
    const d = window.__pvApp.debug();
    const c = f ? d && d[f] : d;
    return c && !c.state().animating;
  }, fn || null, { timeout: 10000 });
}
const pathOf = (page) => new URL(page.url()).pathname;
const searchOf = (page) => new URL(page.url()).searchParams;
const shot = (page, name) => page.screenshot({ path: path.join(artefactDir, name + '.png') });

// The function table as shown: [{index, cells}].
const tableRows = (page, sel = '.functable tbody tr[data-index]') => page.$$eval(sel, (trs) => trs.map((tr) => ({
  index: +tr.getAttribute('data-index'),
  cells: Array.from(tr.cells).map((td) => td.textContent),
  raw: Array.from(tr.cells).map((td) => td.getAttribute('title')),
})));
const headIndex = (page, label) => page.$$eval('.functable thead th', (ths, l) =>
  ths.findIndex((th) => th.textContent.replace(/[\u25B2\u25BC]/g, '').trim() === l), label);

async function finish(o) {
  const l = o.log;
  // Chromium logs each 4xx fetch answer as a console error: accept those the test asked for.
  const unexpectedBad = l.bad.filter(([s, u]) => !expectedBad.some(([es, eu]) => es === s && u.includes(eu)));
  check('no unexpected 4xx/5xx answers', unexpectedBad.length === 0, unexpectedBad);
  const resourceErrors = l.console.filter((t) => /Failed to load resource: the server responded with a status of 4\d\d/.test(t));
  const otherConsole = l.console.filter((t) => !resourceErrors.includes(t));
  check('no console errors', otherConsole.length === 0 && resourceErrors.length <= l.bad.length - unexpectedBad.length, l.console);
  check('no page errors', l.errors.length === 0, l.errors);
  check('no failed requests', l.failedReq.length === 0, l.failedReq);
  check('no requests to other origins', l.foreign.length === 0, l.foreign);
  check('no dialog', l.dialogs.length === 0, l.dialogs);
  await o.context.close();
}

// ---------------------------------------------------------------- the list

async function testList() {
  where = 'list';
  const o = await openPage('/');
  const { page } = o;
  await settled(page, 'list');
  const api = await apiGet('/api/profiles');
  const rows = await page.$$eval('.listgrid tbody tr[data-id]', (trs) => trs.map((tr) => +tr.getAttribute('data-id')));
  check('lists every profile, newest first (as the API)', eq(rows, api.profiles.map((p) => p.id)), { rows, api: api.profiles.map((p) => p.id) });
  const first = await page.$eval('.listgrid tbody tr', (tr) => Array.from(tr.cells).map((td) => td.textContent));
  const p0 = api.profiles[0];
  check('row shows name, format, total with unit, functions', first[2].includes(p0.name) && first[3] === p0.format &&
    /\d/.test(first[6]) && first[7] === p0.function_count.toLocaleString('en-US'), first);
  const golden = await page.$eval(`tr[data-id="${ids.golden}"]`, (tr) => tr.cells[6].textContent);
  check('cProfile total in ms', /^\d+(\.\d+)? ms$/.test(golden), golden);
  const sampled = await page.$eval(`tr[data-id="${ids.sampled}"]`, (tr) => tr.cells[6].textContent);
  check('sampled total in samples with separators', /^[\d,]+ samples$/.test(sampled) && sampled.includes(','), sampled);
  await shot(page, 'list');

  // search (server-side q), reflected in the URL
  await page.fill('.listpage input[type=search]', 'fore');
  await page.press('.listpage input[type=search]', 'Enter');
  await settled(page, 'list');
  const q = await apiGet('/api/profiles?q=fore');
  const got = await page.$$eval('.listgrid tbody tr[data-id]', (trs) => trs.map((tr) => +tr.getAttribute('data-id')));
  check('search shows what the API matches', q.total >= 1 && eq(got, q.profiles.map((p) => p.id)), { got, want: q.profiles.map((p) => p.id) });
  check('search is in the URL', searchOf(page).get('q') === 'fore', page.url());
  await page.fill('.listpage input[type=search]', 'no such profile at all');
  await page.press('.listpage input[type=search]', 'Enter');
  await settled(page, 'list');
  check('no match: said so', (await page.textContent('.listbody')).includes('No profile matches'));

  // deep link with q
  await go(o, '/?q=' + encodeURIComponent('sampled'));
  await settled(page, 'list');
  const dl = await page.$$eval('.listgrid tbody tr[data-id]', (trs) => trs.map((tr) => +tr.getAttribute('data-id')));
  check('deep link /?q= filters', dl.includes(ids.sampled) && !dl.includes(ids.golden), dl);
  check('deep link fills the search box', (await page.inputValue('.listpage input[type=search]')) === 'sampled');

  // open a profile by clicking its row
  await go(o, '/');
  await settled(page, 'list');
  await page.click(`tr[data-id="${ID}"] td:nth-child(4)`);
  await settled(page, 'table');
  check('row click opens the profile', pathOf(page) === `/p/${ID}`, page.url());
  check('page title names the profile', (await page.title()).startsWith(main), await page.title());

  // select two and compare
  await page.goBack();
  await settled(page, 'list');
  check('back to the list', pathOf(page) === '/');
  check('compare disabled with none selected', await page.isDisabled('.listpage .btn.primary'));
  await page.check(`tr[data-id="${ids.after}"] input[type=checkbox]`);
  await page.check(`tr[data-id="${ids.before}"] input[type=checkbox]`);
  await page.click('.listpage .btn.primary');
  await settled(page, 'diff');
  check('Compare opens /compare/{older}/{newer}', pathOf(page) === `/compare/${ids.before}/${ids.after}`, page.url());
  await finish(o);
}

// ---------------------------------------------------------------- the table

async function testTable() {
  where = 'table';
  const o = await openPage(`/p/${ID}`);
  const { page } = o;
  await settled(page, 'table');
  let api = await apiGet(`/api/profiles/${ID}/table?by=cumulative&limit=200`);
  let rows = await tableRows(page);
  check('default: by cumulative, first 200, as the API', eq(rows.map((r) => r.index), api.functions.map((f) => f.index)),
    { got: rows.slice(0, 5).map((r) => r.index), want: api.functions.slice(0, 5).map((f) => f.index) });
  const heads = await page.$$eval('.functable thead th', (ths) => ths.map((th) => th.textContent.replace(/[\u25B2\u25BC]/g, '').trim()));
  check('pstats columns', eq(heads, ['ncalls', 'tottime', 'percall', 'cumtime', 'percall', 'filename:lineno(function)']), heads);
  check('cumtime header marked as the sort', (await page.getAttribute('.functable thead th:nth-child(4)', 'aria-sort')) === 'descending');
  const rec = api.functions.find((f) => f.calls !== f.primitive_calls);
  if (rec) {
    const r = rows.find((x) => x.index === rec.index);
    check('recursive ncalls shown as calls/primitive', r && r.cells[0] === `${rec.calls.toLocaleString('en-US')}/${rec.primitive_calls.toLocaleString('en-US')}`, r && r.cells[0]);
  }
  check('times with units', rows.slice(0, 5).every((r) => /^[\d.,]+ (s|ms|\u00b5s|ns)$|^0$/.test(r.cells[3])), rows.slice(0, 5).map((r) => r.cells[3]));
  const big = rows.find((r) => /,/.test(r.cells[0]));
  check('counts with thousands separators', !!big, rows.slice(0, 10).map((r) => r.cells[0]));
  const align = await page.$eval('.functable tbody td.num', (td) => [getComputedStyle(td).textAlign, getComputedStyle(td).fontVariantNumeric]);
  check('numbers right-aligned, tabular', align[0] === 'right' && align[1].includes('tabular-nums'), align);
  await shot(page, 'table');

  // sort by tottime (server by=), then reversed
  await page.click('.functable thead th:nth-child(2) button');
  await settled(page, 'table');
  check('sort is in the URL', searchOf(page).get('by') === 'tottime', page.url());
  api = await apiGet(`/api/profiles/${ID}/table?by=tottime&limit=200`);
  rows = await tableRows(page);
  check('by tottime: the API order', eq(rows.map((r) => r.index), api.functions.map((f) => f.index)));
  const tot = rows.map((r) => parseFloat(r.raw[1]));
  check('by tottime: numbers descending', tot.length > 10 && tot.every((v, k) => k === 0 || v <= tot[k - 1]), tot.slice(0, 10));
  check('by tottime: raw values are the API\'s', eq(tot, api.functions.map((f) => f.tottime)));
  await page.click('.functable thead th:nth-child(2) button');
  await settled(page, 'table');
  check('second click reverses', searchOf(page).get('reverse') === '1', page.url());
  rows = await tableRows(page);
  const rev = rows.map((r) => parseFloat(r.raw[1]));
  check('reversed: ascending', rev.every((v, k) => k === 0 || v >= rev[k - 1]), rev.slice(0, 10));
  await page.click('.functable thead th:nth-child(1) button');
  await settled(page, 'table');
  rows = await tableRows(page);
  api = await apiGet(`/api/profiles/${ID}/table?by=calls&limit=200`);
  check('by ncalls: the API order', searchOf(page).get('by') === 'calls' && eq(rows.map((r) => r.index), api.functions.map((f) => f.index)));

  // filter (server match=)
  const re = 'json|decoder';
  await page.fill('.tableview input[type=search]', re);
  await page.press('.tableview input[type=search]', 'Enter');
  await settled(page, 'table');
  check('filter is in the URL', searchOf(page).get('match') === re, page.url());
  api = await apiGet(`/api/profiles/${ID}/table?by=calls&match=${encodeURIComponent(re)}&limit=200`);
  rows = await tableRows(page);
  check('filtered rows: the API\'s', api.functions.length > 0 && eq(rows.map((r) => r.index), api.functions.map((f) => f.index)),
    { got: rows.length, want: api.functions.length });
  check('filtered rows match the regex', rows.every((r) => /json|decoder/.test(r.cells[5])), rows.map((r) => r.cells[5]).slice(0, 5));
  check('count line says how many', (await page.textContent('.tableview .count')).startsWith(`${api.functions_listed} of ${api.functions_total} functions`),
    await page.textContent('.tableview .count'));
  await shot(page, 'table-filtered');

  // an invalid regex: the 400's message, shown by the box; the table stays
  expectedBad.push([400, '/table?']);
  const bad = await apiJson(`/api/profiles/${ID}/table?match=${encodeURIComponent('([')}`);
  check('API: invalid regex is a 400', bad.status === 400 && bad.json.error && bad.json.error.message, bad);
  await page.fill('.tableview input[type=search]', '([');
  await page.press('.tableview input[type=search]', 'Enter');
  await settled(page, 'table', ['invalid']);
  const err = await page.textContent('.tableview .fielderr');
  check('invalid regex: the server\'s message under the box', err === bad.json.error.message, err);
  check('invalid regex: the box is marked invalid', (await page.getAttribute('.tableview input[type=search]', 'aria-invalid')) === 'true');
  check('invalid regex: the last table stays', (await tableRows(page)).length === rows.length);
  await shot(page, 'table-bad-regex');
  await page.fill('.tableview input[type=search]', '');
  await page.press('.tableview input[type=search]', 'Enter');
  await settled(page, 'table');
  check('cleared filter: error gone', !(await page.isVisible('.tableview .fielderr')));

  // limit selector and strip dirs
  await page.selectOption('.tableview select', '50');
  await settled(page, 'table');
  rows = await tableRows(page);
  api = await apiGet(`/api/profiles/${ID}/table?by=calls&limit=50`);
  check('limit 50: the API\'s 50', rows.length === 50 && eq(rows.map((r) => r.index), api.functions.map((f) => f.index)) && searchOf(page).get('limit') === '50');
  await page.check('.tableview .check input');
  await settled(page, 'table');
  rows = await tableRows(page);
  check('strip dirs: no directories', searchOf(page).get('strip_dirs') === '1' && rows.every((r) => !r.cells[5].includes('/')), rows.map((r) => r.cells[5]).filter((c) => c.includes('/')));

  // a stripped row opens the heaviest unstripped function it stands for
  const stexts = await page.$$eval('.functable tbody tr', (trs) => trs.map((tr) => tr.cells[5].textContent));
  const sk = Math.max(0, stexts.findIndex((t) => /^[\w.]+\.py:\d+\(/.test(t)));
  const srow = stexts[sk];
  const all = await apiGet(`/api/profiles/${ID}/table`);
  const m = /^(.*):(\d+)\((.*)\)$/.exec(srow);
  const cands = m ? all.functions.filter((f) => f.file.split('/').pop() === m[1] && String(f.line) === m[2] && f.name === m[3]) : [];
  const best = cands.sort((a, b) => b.cumtime - a.cumtime)[0];
  if (check('stripped row maps to a function', !!best, srow)) {
    await page.click(`.functable tbody tr:nth-child(${sk + 1}) td:nth-child(2)`);
    await settled(page, 'sandwich');
    check('stripped row click: the sandwich of the unstripped function', searchOf(page).get('func') === String(best.index), [page.url(), best.index]);
    await page.goBack();
    await settled(page, 'table');
  }

  // keyboard: / focuses the filter, 2 goes to the icicle tab
  await page.locator('.functable').click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('/');
  check('/ focuses the filter', await page.evaluate(() => document.activeElement.matches('.tableview input[type=search]')));
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('2');
  await settled(page, 'icicle');
  check('key 2 opens the icicle tab', pathOf(page) === `/p/${ID}/icicle`, page.url());
  await page.goBack();
  await settled(page, 'table');
  check('back: the table with its sort, limit and strip restored', searchOf(page).get('by') === 'calls' &&
    searchOf(page).get('limit') === '50' && (await page.isChecked('.tableview .check input')) && (await tableRows(page)).length <= 50);

  // row click: the sandwich of that function
  await page.uncheck('.tableview .check input');
  await settled(page, 'table');
  rows = await tableRows(page);
  await page.click('.functable tbody tr:nth-child(3) td:nth-child(2)');
  await settled(page, 'sandwich');
  check('row click opens its sandwich', pathOf(page) === `/p/${ID}/sandwich` && searchOf(page).get('func') === String(rows[2].index), page.url());

  // a sampled profile: self/total/samples columns, sorted by total
  await go(o, `/p/${ids.sampled}/table?by=total`);
  await settled(page, 'table');
  const sh = await page.$$eval('.functable thead th', (ths) => ths.map((th) => th.textContent.replace(/[\u25B2\u25BC]/g, '').trim()));
  check('sampled columns', eq(sh, ['self', 'self%', 'total', 'total%', 'function']), sh);
  api = await apiGet(`/api/profiles/${ids.sampled}/table?by=total&limit=200`);
  rows = await tableRows(page);
  check('sampled by total: the API order', eq(rows.map((r) => r.index), api.functions.map((f) => f.index)));
  const totals = rows.map((r) => parseFloat(r.raw[2]));
  check('sampled by total: descending', totals.every((v, k) => k === 0 || v <= totals[k - 1]));
  check('sampled: function shown as name (file:line)', rows[0].cells[4] === api.functions[0].display, [rows[0].cells[4], api.functions[0].display]);
  await shot(page, 'table-sampled');
  await finish(o);
}

// ---------------------------------------------------------------- the icicle

async function testIcicle() {
  where = 'icicle';
  const o = await openPage(`/p/${ID}/icicle`);
  const { page } = o;
  await settled(page, 'icicle');
  await chartSettled(page);
  let s = await page.evaluate(() => window.__pvApp.debug().state());
  const api = await apiGet(`/api/profiles/${ID}/icicle?depth=24`);
  check('the whole tree, fetched with depth 24', s.zoom === 'all' && s.nodes === api.meta.nodes && s.visibleBoxes > 5, { s, nodes: api.meta.nodes });
  await shot(page, 'icicle');
  // click a box two levels down: zoom, breadcrumb, URL path
  const cand = await page.evaluate(() => {
    const d = window.__pvApp.debug(), cw = d.state().canvasWidth;
    const b = d.boxes().filter((x) => x.depth >= 2 && x.w > 40 && x.w < cw * 0.9).sort((x, y) => y.w - x.w)[0];
    return b && Object.assign(b, { info: d.nodeInfo(b.node) });
  });
  if (check('a box to zoom into', !!cand)) {
    await page.mouse.click(cand.x + Math.min(cand.w / 2, 30), cand.y + cand.h / 2);
    await chartSettled(page);
    s = await page.evaluate(() => window.__pvApp.debug().state());
    check('click zooms', s.zoom === cand.name, { want: cand.name, got: s.zoom });
    check('breadcrumb: root to the box', s.breadcrumb.length === cand.depth + 1 && s.breadcrumb[s.breadcrumb.length - 1] === cand.name, s.breadcrumb);
    check('URL path: the stack of function indexes', searchOf(page).get('path') === cand.info.pathIndexes.join(','), [page.url(), cand.info.pathIndexes]);
    const selText = norm(await page.textContent('.icicleview .selinfo'));
    check('selection names the function and offers its sandwich', selText.includes(cand.name) && selText.includes('Callers & callees'), selText);
    await shot(page, 'icicle-zoomed');
    // a deep link to that zoom, in a fresh page
    const deep = await openPage(pathOf(page) + '?' + searchOf(page).toString());
    await settled(deep.page, 'icicle');
    await chartSettled(deep.page);
    const ds = await deep.page.evaluate(() => window.__pvApp.debug().state());
    check('deep link to a zoomed stack reproduces it', ds.zoom === cand.name, ds);
    await finish(deep);
    // s: the sandwich of the selection
    await page.keyboard.press('s');
    await settled(page, 'sandwich');
    check('s opens the sandwich of the selection', searchOf(page).get('func') === String(cand.info.index), page.url());
    await page.goBack();
    await settled(page, 'icicle');
    await chartSettled(page);
    s = await page.evaluate(() => window.__pvApp.debug().state());
    check('back: the zoom restored', s.zoom === cand.name, s);
  }

  // depth-limited: a CUT box loads its subtree; the stack breadcrumb goes back up
  await go(o, `/p/${ID}/icicle?depth=3`);
  await settled(page, 'icicle');
  await chartSettled(page);
  const meta3 = await page.evaluate(() => window.__pvApp.debug().meta);
  check('depth 3: the server folded deeper nodes', meta3.depth === 3 && meta3.depth_cut > 0, { depth: meta3.depth, cut: meta3.depth_cut });
  check('depth note shown', /deeper boxes/.test(await page.textContent('.icicleview .depthnote')));
  const cut = await page.evaluate(() => {
    const d = window.__pvApp.debug();
    const b = d.boxes().map((x) => Object.assign(x, { info: d.nodeInfo(x.node) }))
      .filter((x) => x.info.cut && x.info.leaf && x.info.depth === 3 && x.w > 20).sort((x, y) => y.w - x.w)[0];
    return b || null;
  });
  if (check('a CUT box at the depth limit', !!cut)) {
    await page.mouse.click(cut.x + Math.min(cut.w / 2, 20), cut.y + cut.h / 2);
    await settled(page, 'icicle');
    await chartSettled(page);
    const want = cut.info.pathIndexes;
    check('URL: the subtree\'s path', searchOf(page).get('path') === want.join(',') && searchOf(page).get('depth') === '3', page.url());
    const m = await page.evaluate(() => window.__pvApp.debug().meta);
    check('fetched the subtree: root_path is the stack', m.root_path.length === want.length, m.root_path);
    const crumbs = await page.$$eval('.icicleview .stackpath .crumb', (cs) => cs.map((c) => c.textContent));
    const names = await Promise.all(want.map(async (i) => (await apiGet(`/api/profiles/${ID}/sandwich?func=${i}`)).function.name));
    check('stack breadcrumb: all, then each frame', eq(crumbs, ['all', ...names]), { crumbs, names });
    const ss = await page.evaluate(() => window.__pvApp.debug().state());
    check('the subtree is drawn below its frame', ss.nodes > 1 && ss.visibleBoxes >= 2, ss);
    await shot(page, 'icicle-subtree');
    await page.click('.icicleview .stackpath a.crumb >> nth=0');
    await settled(page, 'icicle');
    await chartSettled(page);
    check('breadcrumb "all" goes back to the whole tree', !searchOf(page).get('path') &&
      (await page.evaluate(() => window.__pvApp.debug().meta.root_path.length)) === 0, page.url());
    await page.goBack();
    await settled(page, 'icicle');
    await chartSettled(page);
    check('back: the subtree again', searchOf(page).get('path') === want.join(',') &&
      (await page.evaluate(() => window.__pvApp.debug().meta.root_path.length)) === want.length);
  }
  // a stack that does not exist: a readable 404
  expectedBad.push([404, '/icicle?path=']);
  await go(o, `/p/${ID}/icicle?path=999999`);
  await settled(page, 'icicle', ['error']);
  check('unknown stack: error box with the server\'s message', (await page.textContent('.icicleview .errbox')).includes('not in this profile'));
  await finish(o);
}

// ---------------------------------------------------------------- the sandwich

async function testSandwich() {
  where = 'sandwich';
  const o = await openPage(`/p/${ID}/sandwich`);
  const { page } = o;
  await settled(page, 'sandwich', ['picker']);
  await page.waitForSelector('.picker[data-state=ready]');
  // the picker: search, then pick
  const top = await apiGet(`/api/profiles/${ID}/table?by=cumulative&limit=40`);
  const target = top.functions.find((f) => f.file !== '~' && f.name !== '<module>' && /^[a-z_]+$/.test(f.name)) || top.functions[3];
  await page.fill('.picker input[type=search]', target.name);
  const items = await page.$$eval('.picklist a', (as) => as.map((a) => a.textContent));
  check('picker filters by name', items.length > 0 && items.every((t) => t.toLowerCase().includes(target.name.toLowerCase())), items.slice(0, 5));
  await shot(page, 'sandwich-picker');
  await page.click(`.picklist a[href$="func=${target.index}"]`);
  await settled(page, 'sandwich');
  check('picking opens ?func=', searchOf(page).get('func') === String(target.index), page.url());
  await checkSandwich(page, ID, target.index, 'sandwich');
  // a caller row opens the caller's sandwich
  const callerIdx = await page.$eval('.edgegrid[data-dir=callers] tbody tr[data-index]', (tr) => tr.getAttribute('data-index')).catch(() => null);
  if (check('the function has a caller', callerIdx !== null)) {
    await page.click('.edgegrid[data-dir=callers] tbody tr[data-index] a');
    await settled(page, 'sandwich');
    check('caller row opens its sandwich', searchOf(page).get('func') === callerIdx, page.url());
    await page.goBack();
    await settled(page, 'sandwich');
    check('back: the first sandwich again', searchOf(page).get('func') === String(target.index));
  }
  // click into a chart: selecting a box offers its sandwich
  await chartSettled(page, 'callees');
  const box = await page.evaluate(() => {
    const d = window.__pvApp.debug().callees;
    return d.boxes().filter((b) => b.depth === 2).sort((a, b) => b.w - a.w)[0] || null;
  });
  if (box) {
    await page.mouse.click(box.x + Math.min(box.w / 2, 20), box.y + box.h / 2);
    await chartSettled(page, 'callees');
    check('clicking a callee box zooms the callees chart', (await page.evaluate(() => window.__pvApp.debug().callees.state().zoom)) === box.name);
    check('...and offers its sandwich', norm(await page.textContent('.swhead .selinfo')).includes(box.name));
    await shot(page, 'sandwich-selected');
  }
  // the sampled profile's sandwich, and a bad function index
  const sf = (await apiGet(`/api/profiles/${ids.sampled}/table?by=total&limit=5`)).functions[2];
  await go(o, `/p/${ids.sampled}/sandwich?func=${sf.index}`);
  await settled(page, 'sandwich');
  await checkSandwich(page, ids.sampled, sf.index, 'sandwich-sampled');
  expectedBad.push([404, '/sandwich?func=999999'], [404, '/callers?func=999999'], [404, '/callees?func=999999']);
  await go(o, `/p/${ID}/sandwich?func=999999`);
  await settled(page, 'sandwich', ['error']);
  check('unknown function: error box', (await page.textContent('.sandwichview .errbox')).includes('No function 999999'));
  await finish(o);
}

async function checkSandwich(page, id, func, tag) {
  const sw = await apiGet(`/api/profiles/${id}/sandwich?func=${func}`);
  const callers = await apiGet(`/api/profiles/${id}/callers?func=${func}`);
  const callees = await apiGet(`/api/profiles/${id}/callees?func=${func}`);
  check('header names the function', (await page.textContent('.swname')) === sw.function.name);
  const shown = async (dir) => (await page.$$eval(`.edgegrid[data-dir=${dir}] tbody tr[data-index]`, (trs) => trs.map((tr) => +tr.getAttribute('data-index')))).sort((a, b) => a - b);
  const want = (doc, dir) => (doc.functions[0] ? doc.functions[0][dir] : []).map((e) => e.index).sort((a, b) => a - b);
  check('callers table: the callers endpoint\'s', eq(await shown('callers'), want(callers, 'callers')), { got: await shown('callers'), want: want(callers, 'callers') });
  check('callees table: the callees endpoint\'s', eq(await shown('callees'), want(callees, 'callees')), { got: await shown('callees'), want: want(callees, 'callees') });
  await chartSettled(page, 'callers');
  await chartSettled(page, 'callees');
  const st = await page.evaluate(() => { const d = window.__pvApp.debug(); return { a: d.callers.state(), b: d.callees.state() }; });
  check('callers chart: the sandwich\'s callers tree, as a flame graph', st.a.nodes === sw.callers.meta.nodes && st.a.orientation === 'flame', st.a);
  check('callees chart: the callees tree, as an icicle', st.b.nodes === sw.callees.meta.nodes && st.b.orientation === 'icicle', st.b);
  const geo = await page.evaluate(() => {
    const d = window.__pvApp.debug(), a = d.callers, b = d.callees;
    const fa = a.boxes().find((x) => x.depth === 1), fb = b.boxes().find((x) => x.depth === 1);
    return { fa, fb, ca: a.canvasRect(), cb: b.canvasRect() };
  });
  check('the function sits at the bottom of the top half and the top of the bottom half',
    geo.fa && geo.fb && geo.fa.name === sw.function.name && geo.fb.name === sw.function.name &&
    geo.fa.y > geo.ca.y + geo.ca.h / 2 && geo.fb.y < geo.cb.y + geo.cb.h / 2, geo);
  await shot(page, tag);
}

// ---------------------------------------------------------------- the call graph

async function testCallgraph() {
  where = 'callgraph';
  const o = await openPage(`/p/${ID}/callgraph`);
  const { page } = o;
  await settled(page, 'callgraph');
  const svgText = await (await fetch(`${BASE}/api/profiles/${ID}/callgraph.svg`)).text();
  const want = (svgText.match(/<g id="pvf\d+" class="node"/g) || []).length;
  const got = await page.$$eval('.cgsvg g.node', (gs) => gs.length);
  check('every node of the API\'s SVG is shown', want > 3 && got === want, { got, want });
  check('nothing active in the inserted SVG', await page.evaluate(() => {
    const s = document.querySelector('.cgsvg');
    if (s.querySelector('script, foreignObject')) return false;
    for (const e of s.querySelectorAll('*')) for (const a of e.attributes) if (/^on/i.test(a.name) || /javascript:/i.test(a.value)) return false;
    return true;
  }));
  await shot(page, 'callgraph');
  // pan and zoom
  const d0 = await page.evaluate(() => window.__pvApp.debug());
  const st = await page.$eval('.cgstage', (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(st.x + st.w / 2, st.y + st.h / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(100);
  const d1 = await page.evaluate(() => window.__pvApp.debug());
  check('wheel zooms in', d1.scale > d0.scale * 1.3, [d0, d1]);
  await page.mouse.move(st.x + 40, st.y + st.h - 40);
  await page.mouse.down();
  await page.mouse.move(st.x + 140, st.y + st.h - 90, { steps: 5 });
  await page.mouse.up();
  const d2 = await page.evaluate(() => window.__pvApp.debug());
  check('drag pans', Math.abs(d2.x - d1.x - 100) < 2 && Math.abs(d2.y - d1.y + 50) < 2, [d1, d2]);
  check('dragging did not navigate', pathOf(page) === `/p/${ID}/callgraph`);
  await page.click('.cgtools button:has-text("Fit")');
  const d3 = await page.evaluate(() => window.__pvApp.debug());
  check('Fit resets the zoom', Math.abs(d3.scale - d0.scale) < 1e-6, [d0, d3]);
  // click a node: its sandwich
  const node = await page.$eval('.cgsvg g.node:nth-of-type(3)', (g) => g.id).catch(() => null)
    || await page.$$eval('.cgsvg g.node', (gs) => gs[Math.min(2, gs.length - 1)].id);
  await page.click(`.cgsvg #${node} polygon, .cgsvg #${node} ellipse`, { force: true });
  await settled(page, 'sandwich');
  check('clicking a node opens its sandwich', searchOf(page).get('func') === node.replace('pvf', ''), [node, page.url()]);
  await page.goBack();
  await settled(page, 'callgraph');
  // controls: threshold and theme in the URL, the picture refetched
  await page.fill('.cgcontrols input[name=node_thres]', '5');
  await page.press('.cgcontrols input[name=node_thres]', 'Enter');
  await settled(page, 'callgraph');
  const fewer = await page.$$eval('.cgsvg g.node', (gs) => gs.length);
  const want5 = ((await (await fetch(`${BASE}/api/profiles/${ID}/callgraph.svg?node_thres=5`)).text()).match(/class="node"/g) || []).length;
  check('node threshold 5%: the API\'s nodes, in the URL', fewer === want5 && fewer < got && searchOf(page).get('node_thres') === '5', { fewer, want5 });
  await page.selectOption('.cgcontrols select >> nth=0', 'gray');
  await settled(page, 'callgraph');
  check('theme in the URL', searchOf(page).get('theme') === 'gray');
  // a bad root regex: the message at the box
  expectedBad.push([400, '/callgraph.svg?']);
  const bad = await apiJson(`/api/profiles/${ID}/callgraph.svg?root=${encodeURIComponent('(')}`);
  await page.fill('.cgcontrols input[name=root]', '(');
  await page.press('.cgcontrols input[name=root]', 'Enter');
  await settled(page, 'callgraph', ['invalid']);
  check('bad root regex: the server\'s message', (await page.textContent('.cgview .fielderr')) === bad.json.error.message, await page.textContent('.cgview .fielderr'));
  await shot(page, 'callgraph-bad-regex');
  // a deep link with options reproduces them
  const deep = await openPage(`/p/${ID}/callgraph?node_thres=5&theme=gray`);
  await settled(deep.page, 'callgraph');
  check('deep link: controls and picture', (await deep.page.inputValue('.cgcontrols input[name=node_thres]')) === '5' &&
    (await deep.page.$$eval('.cgsvg g.node', (gs) => gs.length)) === want5);
  await finish(deep);
  // too large to lay out: 413, readable, with a way out
  expectedBad.push([413, '/callgraph.svg?']);
  await go(o, `/p/${ids.big}/callgraph?node_thres=0`);
  await settled(page, 'callgraph', ['error']);
  const box = await page.textContent('.cgview .errbox');
  check('413: said readably, with a higher threshold to try', box.includes('too large') && (await page.isVisible('.cgview .errbox a.btn')), box);
  await shot(page, 'callgraph-413');
  await page.click('.cgview .errbox a.btn');
  await settled(page, 'callgraph');
  check('the suggested threshold draws', (await page.$$eval('.cgsvg g.node', (gs) => gs.length)) > 0 && searchOf(page).get('node_thres') === '1');
  await finish(o);
}

// ---------------------------------------------------------------- the diff

async function testDiff() {
  where = 'diff';
  const B = ids.before, A = ids.after;
  const o = await openPage(`/p/${A}/diff`);
  const { page } = o;
  await settled(page, 'diff', ['picker']);
  check('without a base: a chooser', (await page.$$eval('.diffview .picklist a', (as) => as.length)) >= 2);
  await page.click(`.diffview .picklist a[href="/compare/${B}/${A}"]`);
  await settled(page, 'diff');
  check('choosing the base opens /compare/{base}/{new}', pathOf(page) === `/compare/${B}/${A}`, page.url());
  let api = await apiGet(`/api/diff?base=${B}&new=${A}&limit=200`);
  const rows = async () => page.$$eval('.diffgrid tbody tr', (trs) => trs.filter((tr) => tr.cells.length > 2).map((tr) => ({
    cls: tr.className, cells: Array.from(tr.cells).map((td) => td.textContent), up: Array.from(tr.cells).map((td) => td.classList.contains('up')),
    down: Array.from(tr.cells).map((td) => td.classList.contains('down')), raw: Array.from(tr.cells).map((td) => td.getAttribute('title')) })));
  let r = await rows();
  check('rows: the API\'s', r.length === api.functions.length, { got: r.length, want: api.functions.length });
  check('first row: the API\'s first, with before/after/delta', r[0] && r[0].cells[0].includes(api.functions[0].name) &&
    parseFloat(r[0].raw[3]) === api.functions[0].cumtime.delta, r[0]);
  const signsOk = r.every((row, k) => {
    const d = api.functions[k].cumtime.delta;
    return (d > 0) === row.up[3] && (d < 0) === row.down[3];
  });
  check('deltas coloured by sign', signsOk);
  check('summary: totals before → after', (await page.textContent('.diffsum')).includes('\u2192'));
  const added = api.functions.findIndex((f) => f.status === 'added');
  if (added >= 0) check('added rows marked new', r[added].cls.includes('st-added') && r[added].cells[0].includes('new'));
  // the differential icicle
  await chartSettled(page);
  const di = await apiGet(`/api/diff/icicle?base=${B}&new=${A}`);
  const ds = await page.evaluate(() => window.__pvApp.debug().state());
  check('differential icicle: the API\'s tree', ds.nodes === di.meta.nodes && !!di.meta.diff, { ds, nodes: di.meta.nodes });
  check('differential legend shown', await page.isVisible('.diffici [data-pv="legend-diff"]'));
  await shot(page, 'diff');
  // sort by tottime delta, then by tottime %
  await page.click('.diffgrid thead tr:nth-child(2) th:nth-child(7) button');
  await settled(page, 'diff');
  api = await apiGet(`/api/diff?base=${B}&new=${A}&by=tottime&limit=200`);
  r = await rows();
  check('sort by tottime: in the URL, the API order', searchOf(page).get('by') === 'tottime' &&
    eq(r.map((x) => parseFloat(x.raw[7])), api.functions.map((f) => f.tottime.delta)));
  const absd = r.map((x) => Math.abs(parseFloat(x.raw[7])));
  check('sort by tottime: |delta| descending', absd.every((v, k) => k === 0 || v <= absd[k - 1] + 1e-12), absd.slice(0, 8));
  // filter
  await page.fill('.diffview input[type=search]', 'workload');
  await page.press('.diffview input[type=search]', 'Enter');
  await settled(page, 'diff');
  api = await apiGet(`/api/diff?base=${B}&new=${A}&by=tottime&match=workload&limit=200`);
  r = await rows();
  check('filter: the API\'s rows', searchOf(page).get('match') === 'workload' && r.length === api.functions.length && r.every((x) => x.cells[0].includes('workload')));
  // normalize toggles the icicle too
  await page.check('.diffflags input >> nth=3');
  await settled(page, 'diff');
  const dn = await apiGet(`/api/diff/icicle?base=${B}&new=${A}&normalize=1`);
  check('normalize: in the URL, normalized icicle', searchOf(page).get('normalize') === '1' &&
    (await page.evaluate(() => window.__pvApp.debug().meta.diff.normalized)) === dn.meta.diff.normalized);
  // swap
  await page.click('.diffview button:has-text("Swap")');
  await settled(page, 'diff');
  check('swap: /compare/{new}/{base}', pathOf(page) === `/compare/${A}/${B}`, page.url());
  // back/forward through the diff states
  await page.goBack();
  await settled(page, 'diff');
  check('back: before the swap, normalized', pathOf(page) === `/compare/${B}/${A}` && (await page.isChecked('.diffflags input >> nth=3')));
  await page.goBack();
  await settled(page, 'diff');
  check('back: not normalized', !(await page.isChecked('.diffflags input >> nth=3')) && searchOf(page).get('match') === 'workload');
  await page.goForward();
  await settled(page, 'diff');
  check('forward: normalized again', await page.isChecked('.diffflags input >> nth=3'));
  // deep link in a fresh page
  const deep = await openPage(`/compare/${B}/${A}?by=tottime&match=workload`);
  await settled(deep.page, 'diff');
  const dr = await deep.page.$$eval('.diffgrid tbody tr', (trs) => trs.filter((tr) => tr.cells.length > 2).length);
  check('deep link reproduces the diff table', dr === api.functions.length &&
    (await deep.page.inputValue('.diffview input[type=search]')) === 'workload');
  await finish(deep);
  await finish(o);
}

// ---------------------------------------------------------------- history, deep links

async function testHistory() {
  where = 'history';
  const o = await openPage(`/p/${ID}/table?by=tottime&limit=50`);
  const { page } = o;
  await settled(page, 'table');
  const first = (await tableRows(page)).map((r) => r.index);
  await page.click('.tabs a[data-tab=icicle]');
  await settled(page, 'icicle');
  await page.click('.tabs a[data-tab=callgraph]');
  await settled(page, 'callgraph');
  await page.click('.tabs a[data-tab=sandwich]');
  await settled(page, 'sandwich', ['picker']);
  await page.goBack();
  await settled(page, 'callgraph');
  check('back: call graph', pathOf(page) === `/p/${ID}/callgraph` && (await page.$$eval('.cgsvg g.node', (g) => g.length)) > 0);
  await page.goBack();
  await settled(page, 'icicle');
  check('back: icicle', pathOf(page) === `/p/${ID}/icicle`);
  await page.goBack();
  await settled(page, 'table');
  check('back: the table as it was', eq((await tableRows(page)).map((r) => r.index), first) && searchOf(page).get('by') === 'tottime');
  await page.goForward();
  await settled(page, 'icicle');
  check('forward: icicle', pathOf(page) === `/p/${ID}/icicle`);
  // the tab remembers the table's state
  check('table tab keeps its sort', (await page.getAttribute('.tabs a[data-tab=table]', 'href')).includes('by=tottime'));
  // deep links, fresh pages
  const fn = first[1];
  const d1 = await openPage(`/p/${ID}/sandwich?func=${fn}`);
  await settled(d1.page, 'sandwich');
  check('deep link: sandwich', (await d1.page.textContent('.swname')) === (await apiGet(`/api/profiles/${ID}/sandwich?func=${fn}`)).function.name);
  await finish(d1);
  const d2 = await openPage(`/p/${ID}/table?by=tottime&limit=50`);
  await settled(d2.page, 'table');
  check('deep link: table', eq((await tableRows(d2.page)).map((r) => r.index), first));
  await finish(d2);
  const nf = await openPage('/p/no-such-profile/table');
  expectedBad.push([404, '/api/profiles/no-such-profile']);
  await nf.page.waitForSelector('.errbox');
  check('unknown profile: readable error', (await nf.page.textContent('.errbox')).includes('No such profile'));
  await finish(nf);
  await finish(o);
}

// ---------------------------------------------------------------- hostile names

async function testHostile() {
  where = 'hostile';
  const H = ids[HOSTILE_NAME], N = ids.hostnames;
  const o = await openPage('/');
  const { page } = o;
  await settled(page, 'list');
  const name = await page.$eval(`tr[data-id="${H}"] .namecol a`, (a) => a.textContent);
  check('hostile profile name shown as text', name === HOSTILE_NAME, name);
  const injected = () => page.evaluate(() => ({
    imgs: document.querySelectorAll('img, iframe, object, embed, svg[onload], :not(.cgworld) > svg').length +
      Array.from(document.querySelectorAll('b')).filter((b) => b.textContent === 'x').length,
    scripts: document.scripts.length,
    onattrs: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
  }));
  check('no element came from data (list)', eq(await injected(), { imgs: 0, scripts: 2, onattrs: 0 }), await injected());
  for (const [id, tag] of [[H, 'folded'], [N, 'prof']]) {
    await go(o, `/p/${id}/table`);
    await settled(page, 'table');
    const api = await apiGet(`/api/profiles/${id}/table?by=${tag === 'prof' ? 'cumulative' : 'self'}&limit=200`);
    const shown = (await tableRows(page)).map((r) => r.cells[r.cells.length - 1]);
    for (const f of api.functions) {
      const text = f.display || f.stdname;
      check(`name shown exactly: ${JSON.stringify(text).slice(0, 60)}`, shown.includes(text), shown);
    }
    check(`no element came from data (table ${tag})`, eq(await injected(), { imgs: 0, scripts: 2, onattrs: 0 }), await injected());
    check('page title is text', (await page.title()).startsWith(tag === 'folded' ? HOSTILE_NAME : 'hostnames'), await page.title());
    await shot(page, 'hostile-table-' + tag);
    await go(o, `/p/${id}/icicle`);
    await settled(page, 'icicle');
    await chartSettled(page);
    const evil = api.functions.find((f) => /<img|<\/script>/.test(f.name)) || api.functions[0];
    const rect = await page.evaluate((n) => window.__pvApp.debug().rectOf(n), evil.name);
    if (check(`hostile box drawn: ${evil.name}`, !!rect)) {
      await page.mouse.click(rect.x + Math.min(rect.w / 2, 10), rect.y + rect.h / 2);
      await chartSettled(page);
      const s = await page.evaluate(() => window.__pvApp.debug().state());
      check('hostile name in the breadcrumb as text', s.breadcrumb.includes(evil.name), s.breadcrumb);
      check('hostile name in the selection as text', (await page.textContent('.icicleview .selname')) === evil.name);
      await page.click('.icicleview .selinfo a[data-act=sandwich]');
      await settled(page, 'sandwich');
      check('hostile sandwich header as text', (await page.textContent('.swname')) === evil.name);
    }
    check(`no element came from data (icicle/sandwich ${tag})`, eq(await injected(), { imgs: 0, scripts: 2, onattrs: 0 }), await injected());
    await shot(page, 'hostile-sandwich-' + tag);
    await go(o, `/p/${id}/callgraph?node_thres=0`);
    await settled(page, 'callgraph');
    check(`no element came from data (call graph ${tag})`, (await injected()).scripts === 2 && (await injected()).onattrs === 0, await injected());
    await shot(page, 'hostile-callgraph-' + tag);
  }
  await page.waitForTimeout(200);
  await finish(o);
}

// ---------------------------------------------------------------- bytes that are not UTF-8

// A real Python 2 run of a script under a Latin-1 path (tests/serve/fixtures): the
// API gives its file name with \udcXX escapes (docs/serve-api.md), and every view
// shows that same string (Chromium draws a lone surrogate as U+FFFD) without
// breaking: the table, the sandwich header, the icicle's boxes and tooltip.
async function testLatin1() {
  where = 'latin1';
  const L = ids.latin1;
  if (!check('the Latin-1 fixture is imported', L !== undefined)) return;
  const api = await apiGet(`/api/profiles/${L}/table?by=cumulative`);
  const file = api.functions[0].file;
  check('the API gives the byte 0xE9 as \\udce9', file.includes('pvfix_lat\udce9n/caf\udce9.py') && !file.includes('\ufffd'), file);
  const summary = await apiGet(`/api/profiles/${L}`);
  check('the summary gives the same file name as the table', summary.top_total.every((f) => f.file === file || f.file === '~'), summary.top_total);
  const o = await openPage(`/p/${L}/table`);
  const { page } = o;
  await settled(page, 'table');
  const shown = (await tableRows(page)).map((r) => r.cells[r.cells.length - 1]);
  for (const f of api.functions) check(`table shows ${JSON.stringify(f.stdname)}`, shown.includes(f.stdname), shown);
  await shot(page, 'latin1-table');
  const main = api.functions.find((f) => f.name === 'main') || api.functions[0];
  await go(o, `/p/${L}/sandwich?func=${main.index}`);
  await settled(page, 'sandwich');
  const loc = await page.textContent('.swhead .mono');
  check('sandwich header: the file name the table shows', loc === main.file + ':' + main.line, [loc, main.file]);
  await shot(page, 'latin1-sandwich');
  await go(o, `/p/${L}/icicle`);
  await settled(page, 'icicle');
  await chartSettled(page);
  const rect = await page.evaluate((n) => window.__pvApp.debug().rectOf(n), main.name);
  if (check('icicle: the box of main is drawn', !!rect)) {
    await page.mouse.move(rect.x + Math.min(rect.w / 2, 10), rect.y + rect.h / 2);
    await page.waitForTimeout(100);
    const tip = await page.evaluate(() => (document.querySelector('.icicleview [data-pv=tooltip]') || {}).textContent || '');
    check('icicle tooltip: the file name the table shows', tip.includes(main.file), tip);
  }
  await shot(page, 'latin1-icicle');
  await finish(o);
}

// ---------------------------------------------------------------- theme, screenshots

async function testTheme() {
  where = 'theme';
  const o = await openPage(`/p/${ID}/table`);
  const { page } = o;
  await settled(page, 'table');
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await bg();
  await page.click('#theme');
  check('toggle: dark', (await page.getAttribute('html', 'data-theme')) === 'dark' && (await bg()) !== light, await bg());
  check('remembered in localStorage', (await page.evaluate(() => localStorage.getItem('profview.theme'))) === 'dark');
  await page.reload();
  await settled(page, 'table');
  check('dark after a reload', (await page.getAttribute('html', 'data-theme')) === 'dark');
  await shot(page, 'theme-toggled-dark');
  await page.click('.tabs a[data-tab=icicle]');
  await settled(page, 'icicle');
  await chartSettled(page);
  const px = await page.evaluate(() => {
    const c = document.querySelector('.icicleview canvas'), ctx = c.getContext('2d');
    const d = ctx.getImageData(c.width - 3, c.height - 3, 1, 1).data;
    return d[0] + d[1] + d[2];
  });
  check('icicle canvas follows the dark theme', px < 150, px);
  await page.keyboard.press('t');
  await page.waitForTimeout(50);
  const px2 = await page.evaluate(() => {
    const c = document.querySelector('.icicleview canvas'), ctx = c.getContext('2d');
    const d = ctx.getImageData(c.width - 3, c.height - 3, 1, 1).data;
    return d[0] + d[1] + d[2];
  });
  check('t toggles back to light, the canvas too', (await page.getAttribute('html', 'data-theme')) === 'light' && px2 > 600, px2);
  await finish(o);

  // every view, light and dark (system preference)
  for (const dark of [false, true]) {
    where = dark ? 'screenshots dark' : 'screenshots light';
    const s = await openPage(null, { dark });
    const views = [['list', '/', 'list'], ['table', `/p/${ID}/table`, 'table'], ['icicle', `/p/${ID}/icicle`, 'icicle'],
      ['sandwich', `/p/${ID}/sandwich?func=${(await apiGet(`/api/profiles/${ID}/table?by=cumulative&limit=4`)).functions[3].index}`, 'sandwich'],
      ['callgraph', `/p/${ID}/callgraph`, 'callgraph'], ['diff', `/compare/${ids.before}/${ids.after}`, 'diff'],
      ['sampled-icicle', `/p/${ids.sampled}/icicle`, 'icicle']];
    for (const [name, url, view] of views) {
      await go(s, url);
      await settled(s.page, view);
      await s.page.waitForTimeout(60);
      await shot(s.page, `${name}-${dark ? 'dark' : 'light'}`);
    }
    check('dark system theme applies', (await s.page.evaluate(() => window.__pvApp.theme())) === (dark ? 'dark' : 'light'));
    await finish(s);
  }
}


// Pages of other sites, served here on another port: what they make chromium
// fetch from the server (an <img>, a <script>, a no-cors fetch) is refused
// with 403, by the Sec-Fetch-Site header chromium sends; a link followed from
// there (a top-level navigation) is served as any shared link is. Chromium
// hides blocked answers from the page (ORB) and from playwright's events: the
// headers it sent and the status it got come from the DevTools protocol. The
// headers are printed: docs/serve-api.md and tests/serve rely on them.
async function testCrossSite() {
  where = 'cross-site';
  const target = BASE + '/api/profiles?limit=1';
  const page = `<!doctype html><title>elsewhere</title>
<img id="pic" src="${target}&from=img">
<script src="${BASE}/assets/app.js?from=script"></script>
<a id="go" href="${BASE}/p/${ID}/table">a shared link</a>
<script>fetch(${JSON.stringify(target + '&from=fetch')}, { mode: 'no-cors' }).catch(() => {});</script>`;
  const other = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  const port = other.address().port;
  try {
    // localhost is another site than 127.0.0.1; 127.0.0.1 on another port is the same site, another origin
    for (const [origin, site] of [[`http://localhost:${port}`, 'cross-site'], [`http://127.0.0.1:${port}`, 'same-site']]) {
      const context = await browser.newContext();
      const p = await context.newPage();
      const cdp = await context.newCDPSession(p);
      await cdp.send('Network.enable');
      const reqs = new Map();
      const at = (id) => { if (!reqs.has(id)) reqs.set(id, {}); return reqs.get(id); };
      cdp.on('Network.requestWillBeSent', (e) => { at(e.requestId).url = e.request.url; });
      cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
        at(e.requestId).headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
      });
      cdp.on('Network.responseReceivedExtraInfo', (e) => { at(e.requestId).status = e.statusCode; });
      await p.goto(origin + '/', { waitUntil: 'load' });
      await p.waitForTimeout(500);
      const subs = [...reqs.values()].filter((x) => x.url && x.url.startsWith(BASE + '/') && /from=(img|script|fetch)/.test(x.url));
      const kinds = ['img', 'script', 'fetch'].filter((k) => subs.some((x) => x.url.includes('from=' + k)));
      check(`${site}: the page's <img>, <script> and fetch reached the server`, kinds.length === 3, subs.map((x) => x.url));
      for (const x of subs) {
        const h = x.headers || {}, shown = x.url.replace(BASE, '');
        check(`${site} ${shown}: refused with 403`, x.status === 403, { status: x.status });
        check(`${site} ${shown}: chromium sent Sec-Fetch-Site: ${site}`, h['sec-fetch-site'] === site, h);
        if (x.url.includes('from=img'))
          console.log(`info: chromium's headers for a ${site} <img>: ` + JSON.stringify(Object.fromEntries(
            Object.entries(h).filter(([k]) => /^(sec-fetch|origin|referer|accept$)/.test(k)))));
      }
      // the link: a top-level navigation from that site, served
      await Promise.all([p.waitForURL(BASE + `/p/${ID}/table`), p.click('#go')]);
      await settled(p, 'table');
      const nav = [...reqs.values()].find((x) => x.url === BASE + `/p/${ID}/table`);
      check(`${site}: a link followed from there is served (200, the table shows)`,
        nav && nav.status === 200 && nav.headers && nav.headers['sec-fetch-site'] === site &&
        (await p.$$('.functable tbody tr')).length > 0, nav);
      const own = [...reqs.values()].filter((x) => x.url && x.url.startsWith(BASE + '/api/profiles/'));
      check(`${site}: the page's own requests after the link are same-origin and answered`,
        own.length > 0 && own.every((x) => x.status === 200 && x.headers && x.headers['sec-fetch-site'] === 'same-origin'),
        own.map((x) => [x.url, x.status, x.headers && x.headers['sec-fetch-site']]));
      await context.close();
    }
  } finally {
    other.close();
  }
}

try {
  for (const t of [testList, testTable, testIcicle, testSandwich, testCallgraph, testDiff, testHistory, testHostile, testLatin1, testTheme,
    testCrossSite]) {
    const t0 = Date.now();
    try {
      await t();
    } catch (e) {
      check('no exception in the test', false, e && e.stack || String(e));
    }
    if (process.env.PV_TEST_TIMES) console.log(`${t.name}: ${Date.now() - t0} ms`);
  }
} finally {
  await browser.close().catch(() => {});
  where = 'server';
  server.kill('SIGINT');
  const ex = await Promise.race([serverExit, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 5000))]);
  if (ex.code === 'timeout') server.kill('SIGKILL');
  check('server exits 0 on SIGINT', ex.code === 0, { exit: ex, stderr: serverErr.slice(-500) });
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`screenshots: ${artefactDir} (${((Date.now() - T0) / 1000).toFixed(1)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
