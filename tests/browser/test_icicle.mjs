#!/usr/bin/env node
// Browser test of the icicle page (web/icicle.{html,css,js}): playwright-core
// drives Debian's chromium over file:// pages made two ways, by the dev encoder
// make_page.py (an independent implementation of docs/icicle-data.md) and by
// `profview icicle` on real fixtures. Every page: no console or page errors, no
// request but the file itself, no dialog; click-to-zoom and the breadcrumb,
// tooltips, regex search and its matched share, keys, flame and left-heavy.
// Screenshots go to ARTEFACT_DIR. Prints "N passed, N failed"; exits 1 on failure.
//
// usage: node test_icicle.mjs PROFVIEW TESTS_DIR ARTEFACT_DIR
//
// Needs `npm ci` in tests/browser (playwright-core; it never downloads a browser)
// and /usr/bin/chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { CHROMIUM, loadChromium, testArgs } from './browser_common.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [profview, testsDir, artefactDir] = testArgs('test_icicle.mjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(testsDir, '..', 'web');
const makePage = path.join(here, 'make_page.py');

const chromium = await loadChromium(here);

fs.mkdirSync(artefactDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-icicle-'));
let passed = 0, failed = 0, skipped = 0;
let where = '';

function check(name, ok, detail) {
  if (ok) { passed++; return true; }
  failed++;
  console.log(`FAIL ${where}: ${name}${detail === undefined ? '' : ' -- ' + (typeof detail === 'string' ? detail : JSON.stringify(detail))}`);
  return false;
}
const norm = (s) => String(s).replace(/\s+/g, ' ').trim();
const close = (a, b, tol) => Math.abs(a - b) <= tol;

// ---- an independent reader of the page format, for the C writer's pages ----

function readPage(file) {
  const html = fs.readFileSync(file, 'utf8');
  const metaM = html.match(/<script type="application\/json" id="pv-meta">([^]*?)<\/script>/);
  const nodesM = html.match(/<script type="text\/plain" id="pv-nodes">([A-Za-z0-9+/=\s]*)<\/script>/);
  const out = { html, markersLeft: (html.match(/<!--PV:[A-Z]+-->/g) || []).length };
  if (!metaM || !nodesM) return out;
  out.meta = JSON.parse(metaM[1]);
  out.rawMeta = metaM[1];
  const bytes = Buffer.from(nodesM[1].replace(/\s+/g, ''), 'base64');
  const m = out.meta, n = m.nodes, f64 = m.weights === 'f64', diff = !!m.diff;
  let p = 0;
  const varint = () => {
    let v = 0, mul = 1;
    for (let k = 0; k < 8; k++) {
      if (p >= bytes.length) throw new Error('truncated');
      const b = bytes[p++];
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
    throw new Error('long varint');
  };
  const weight = () => { if (!f64) return varint(); const v = bytes.readDoubleLE(p); p += 8; return v; };
  const parent = new Int32Array(n), self = new Float64Array(n), depth = new Int32Array(n), pathAt = [0];
  let ok = true, flagsSeen = 0;
  for (let i = 0; i < n; i++) {
    const up = varint(), fn = varint(), fl = varint();
    self[i] = weight(); varint();
    if (diff) { weight(); weight(); }
    flagsSeen |= fl;
    if (i === 0) { ok = ok && up === 0 && fn === 0; continue; }
    const par = i - up;
    ok = ok && up >= 1 && fn >= 1 && fn <= m.funcs.name.length && pathAt[depth[par]] === par;
    parent[i] = par; depth[i] = depth[par] + 1; pathAt[depth[i]] = i;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += self[i];
  out.valid = ok && p === bytes.length;
  out.total = total;
  out.flagsSeen = flagsSeen;
  return out;
}

// ---- the browser ----

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});

async function openPage(file, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport || { width: 1280, height: 720 },
    deviceScaleFactor: opts.dpr || 1,
    colorScheme: opts.dark ? 'dark' : 'light',
    reducedMotion: 'no-preference',
  });
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const log = { console: [], errors: [], requests: [], dialogs: [] };
  page.on('console', (msg) => { if (msg.type() === 'error') log.console.push(msg.text()); });
  page.on('pageerror', (err) => log.errors.push(String(err && err.message || err)));
  page.on('request', (req) => { const u = req.url(); if (u !== url && !u.startsWith('data:')) log.requests.push(u); });
  page.on('dialog', (d) => { log.dialogs.push(d.type() + ': ' + d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url, { waitUntil: 'load', timeout: 120000 });
  await page.waitForFunction(() => window.__pvIcicle && window.__pvIcicle.firstDrawAt > 0, null,
    { timeout: opts.timeout || 30000 });
  return { context, page, log, url };
}

async function settle(page) {
  await page.waitForFunction(() => !window.__pvIcicle.state().animating, null, { timeout: 10000 });
}
const state = (page) => page.evaluate(() => window.__pvIcicle.state());
const rectOf = (page, name) => page.evaluate((n) => window.__pvIcicle.rectOf(n), name);
const boxes = (page) => page.evaluate(() => window.__pvIcicle.boxes());
const shot = (page, name) => page.screenshot({ path: path.join(artefactDir, name + '.png') });

async function clickBox(page, name) {
  const r = await rectOf(page, name);
  if (!check(`box '${name}' is drawn`, !!r)) return false;
  await page.mouse.click(r.x + Math.min(r.w / 2, 30), r.y + r.h / 2);
  await settle(page);
  return true;
}
async function hoverBox(page, name) {
  const r = await rectOf(page, name);
  if (!check(`box '${name}' is drawn for hover`, !!r)) return '';
  await page.mouse.move(r.x + Math.min(r.w / 2, 30), r.y + r.h / 2);
  await page.waitForSelector('[data-pv="tooltip"]:not([hidden])', { timeout: 5000 });
  return norm(await page.locator('[data-pv="tooltip"]').innerText());
}
async function search(page, text) {
  await page.fill('[data-pv="search"]', text);
  await page.waitForFunction(() => !window.__pvIcicle.state().animating, null, { timeout: 10000 });
  return state(page);
}
async function press(page, key) {
  await page.keyboard.press(key);
  await settle(page);
  return state(page);
}

// Clean-page checks common to every page; closes it.
async function finish(o) {
  check('no console errors', o.log.console.length === 0, o.log.console);
  check('no page errors', o.log.errors.length === 0, o.log.errors);
  check('no request but the file', o.log.requests.length === 0, o.log.requests);
  check('no dialog', o.log.dialogs.length === 0, o.log.dialogs);
  await o.context.close();
}

// The checks any page gets, whatever its tree: zoom, breadcrumb, tooltip, search, keys, toggles.
async function generic(page, tag) {
  let s = await state(page);
  check('boxes drawn', s.visibleBoxes > 0, s);
  check('starts at the root', s.zoom === 'all' && s.breadcrumb.length === 1, s);
  const title = await page.locator('[data-pv="title"]').textContent();
  check('header shows the title', title.length > 0);
  check('summary shows unit and total', /unit: \w+ · total /.test(await page.locator('[data-pv="summary"]').textContent()));
  const cw = s.canvasWidth;
  const all = await boxes(page);
  const cand = all.filter((b) => b.depth >= 1 && b.w >= 30 && b.w < cw * 0.95).sort((a, b) => b.w - a.w)[0] ||
    all.filter((b) => b.depth >= 1).sort((a, b) => b.w - a.w)[0];
  if (!check('a box to zoom into', !!cand, all.length)) return;
  await page.mouse.click(cand.x + Math.min(cand.w / 2, 30), cand.y + cand.h / 2);
  await settle(page);
  s = await state(page);
  check('click zooms', s.zoom === cand.name, { want: cand.name, got: s.zoom });
  check('breadcrumb ends with the zoomed box', s.breadcrumb[s.breadcrumb.length - 1] === cand.name &&
    s.breadcrumb.length === cand.depth + 1, s.breadcrumb);
  const zr = await rectOf(page, cand.name);
  check('zoomed box fills the width', zr && close(zr.w, cw, 2), { box: zr, cw });
  const rr = await rectOf(page, 'all');
  check('ancestors stay as full-width bars', rr && close(rr.w, cw, 2), rr);
  const tip = await hoverBox(page, cand.name);
  check('tooltip names the box', tip.includes(norm(cand.name)), tip);
  check('tooltip has total, self and percentages', /total .+ self .+ % of total \S+% % of parent \S+%/.test(tip), tip);
  await shot(page, tag + '-zoomed');
  await page.mouse.move(2, 2);

  const esc = cand.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  s = await search(page, esc);
  check('search matches', /^matched .+ of total$/.test(s.matchText), s.matchText);
  check('matched share: zoomed box is 100% of itself', s.matchText.includes('100% of') || s.zoom === 'all', s.matchText);
  await shot(page, tag + '-search');
  s = await search(page, '([');
  check('invalid regex: error state, no exception', s.searchError && s.matchText.startsWith('invalid regex') &&
    (await page.getAttribute('[data-pv="search"]', 'aria-invalid')) === 'true', s);
  s = await search(page, '');
  check('cleared search', s.matchText === '' && !s.searchError, s);

  await page.locator('[data-pv="canvas"]').focus();
  s = await press(page, 'Escape');
  check('Escape zooms out one level', s.breadcrumb.length === cand.depth, s.breadcrumb);
  s = await press(page, 'r');
  check('r resets', s.zoom === 'all', s);
  s = await press(page, 'ArrowDown');
  check('ArrowDown selects a child', s.selected && s.selected !== 'all', s);
  const sel = s.selected;
  s = await press(page, 'Enter');
  check('Enter zooms into the selection', s.zoom === sel, s);
  s = await press(page, 'Backspace');
  check('Backspace zooms out', s.zoom === 'all', s);
  s = await press(page, 'f');
  check('f: flame', s.orientation === 'flame', s);
  const root = await rectOf(page, 'all');
  check('flame: root at the bottom', root && root.y > s.canvasHeight / 2, root);
  await shot(page, tag + '-flame');
  s = await press(page, 'f');
  check('f again: icicle', s.orientation === 'icicle', s);
  s = await press(page, 'h');
  check('h: left-heavy', s.order === 'left-heavy', s);
  const heavy = await page.evaluate(() => {
    const b = window.__pvIcicle.boxes().filter((x) => x.depth === 1).sort((x, y) => x.x - y.x);
    return b.map((x) => x.w);
  });
  check('left-heavy: widest first', heavy.every((w, k) => k === 0 || w <= heavy[k - 1] + 0.5), heavy);
  await shot(page, tag + '-heavy');
  s = await press(page, 'h');
  check('h again: alphabetical', s.order === 'alphabetical', s);
  await page.click('[data-pv="flame"]');
  await settle(page);
  check('Flame button', (await state(page)).orientation === 'flame');
  await page.click('[data-pv="icicle"]');
  await page.click('[data-pv="heavy"]');
  await settle(page);
  check('Left-heavy button', (await state(page)).order === 'left-heavy');
  await page.click('[data-pv="alpha"]');
  await clickBox(page, cand.name);
  await page.click('[data-pv="reset"]');
  await settle(page);
  check('Reset button', (await state(page)).zoom === 'all');
}

// ---- pages from the dev encoder ----

function made(kind, extra = []) {
  const out = path.join(tmp, kind + '.html');
  const res = spawnSync('python3', [makePage, webDir, out, '--gen', kind, ...extra], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`make_page.py ${kind}: ${res.stderr}`);
  return { file: out, info: JSON.parse(res.stdout) };
}

async function testBasic() {
  where = 'basic';
  const { file } = made('basic');
  const o = await openPage(file);
  const { page } = o;
  await shot(page, 'basic');
  let s = await state(page);
  check('all boxes drawn', s.visibleBoxes === 11, s);
  check('page title', (await page.title()).startsWith('basic.folded'), await page.title());
  check('alphabetical children', JSON.stringify(await page.evaluate(() => window.__pvIcicle.orderOfChildren('main'))) ===
    '["parse","render","zeta_tiny"]');

  await clickBox(page, 'render');
  s = await state(page);
  check('zoom into render', s.zoom === 'render' && JSON.stringify(s.breadcrumb) === '["all","main","render"]', s);
  const rr = await rectOf(page, 'render');
  check('render fills the width', close(rr.w, s.canvasWidth, 2), rr);
  check('parse is out of view', !(await rectOf(page, 'parse')));
  const tip = await hoverBox(page, 'layout');
  await shot(page, 'basic-tooltip');
  for (const want of ['layout', 'app/render.py:55', 'total 38 samples', 'self 30 samples', '% of total 38.0%',
    '% of parent 76.0%', 'samples 38']) check(`tooltip has '${want}'`, tip.includes(want), tip);

  s = await search(page, 'lay|meas');
  check('matched share in zoom', s.matchText === 'matched 38 samples: 76.0% of render · 38.0% of total', s.matchText);
  check('matched share shown', norm(await page.locator('[data-pv="match"]').textContent()) === s.matchText);
  await shot(page, 'basic-search');
  s = await search(page, 'app/parse\\.py:20');
  check('search by file:line', s.matchText === 'no match under render', s.matchText);   // parse is outside the zoom
  await page.click('[data-pv="crumbs"] li:first-child button');
  await settle(page);
  s = await state(page);
  check('crumb click zooms out', s.zoom === 'all' && s.breadcrumb.length === 1, s);
  check('search by file:line, at the root', s.matchText === 'matched 40 samples: 40.0% of total', s.matchText);
  s = await search(page, 'parse|tokenize');
  check('nested matches count once', s.matchText === 'matched 40 samples: 40.0% of total', s.matchText);
  await search(page, '');

  // keys
  await page.locator('[data-pv="canvas"]').focus();
  s = await press(page, 'ArrowDown');
  check('ArrowDown: heaviest child of the root', s.selected === 'main', s);
  s = await press(page, 'ArrowDown');
  check('ArrowDown: heaviest child of main', s.selected === 'render', s);
  check('keyboard selection shows the tooltip', (await page.locator('[data-pv="tooltip"]').innerText()).includes('render'));
  s = await press(page, 'ArrowLeft');
  check('ArrowLeft: previous sibling', s.selected === 'parse', s);
  s = await press(page, 'ArrowRight');
  s = await press(page, 'ArrowRight');
  check('ArrowRight: next siblings', s.selected === 'zeta_tiny', s);
  s = await press(page, 'ArrowLeft');
  s = await press(page, 'ArrowLeft');
  s = await press(page, 'Enter');
  check('Enter zooms', s.zoom === 'parse' && JSON.stringify(s.breadcrumb) === '["all","main","parse"]', s);
  s = await press(page, 'ArrowUp');
  check('ArrowUp: parent', s.selected === 'main', s);
  s = await press(page, 'Escape');
  check('Escape: one level out', s.zoom === 'main', s);
  s = await press(page, 'Backspace');
  check('Backspace: one level out', s.zoom === 'all', s);
  await press(page, '/');
  check('/ focuses the search', await page.evaluate(() => document.activeElement.getAttribute('data-pv') === 'search'));
  await page.keyboard.type('tok');
  await settle(page);
  check('typing in the search is not a key command', (await state(page)).orientation === 'icicle' &&
    (await state(page)).matchText.startsWith('matched'));
  await page.keyboard.press('Escape');
  check('Escape in the search clears it', (await state(page)).matchText === '' &&
    await page.evaluate(() => document.activeElement.getAttribute('data-pv') !== 'search'));

  s = await press(page, 'h');
  check('left-heavy order', JSON.stringify(await page.evaluate(() => window.__pvIcicle.orderOfChildren('main'))) ===
    '["render","parse","zeta_tiny"]');
  const rx = await rectOf(page, 'render'), px = await rectOf(page, 'parse');
  check('left-heavy: render drawn left of parse', rx.x < px.x, [rx, px]);
  await press(page, 'h');
  s = await press(page, 'f');
  const root = await rectOf(page, 'all'), main = await rectOf(page, 'main');
  check('flame: children above parents', main.y < root.y, [root, main]);
  await shot(page, 'basic-flame');
  await press(page, 'f');

  // create() into an empty container, as the server UI will
  const other = await page.evaluate(() => {
    const div = document.createElement('div');
    document.body.appendChild(div);
    const meta = JSON.parse(document.getElementById('pv-meta').textContent);
    const bytes = PVIcicle.decode(document.getElementById('pv-nodes').textContent);
    const v = PVIcicle.create(div, meta, bytes);
    const st = v.debug.state();
    const ui = !!div.querySelector('[data-pv="search"]') && !!div.querySelector('canvas');
    v.destroy();
    div.remove();
    return { st, ui };
  });
  check('create() builds its UI in an empty container', other.ui && other.st.visibleBoxes === 11, other);
  // A broken stream gives an error state, not an exception.
  const broken = await page.evaluate(() => {
    const div = document.createElement('div');
    document.body.appendChild(div);
    const meta = JSON.parse(document.getElementById('pv-meta').textContent);
    const bytes = PVIcicle.decode(document.getElementById('pv-nodes').textContent).slice(0, 9);
    const v = PVIcicle.create(div, meta, bytes);
    const text = div.querySelector('[data-pv="error"]').textContent;
    div.remove();
    return { error: v.error, text };
  });
  check('truncated stream: error state', /truncated/.test(broken.error) && broken.text.includes('truncated'), broken);

  // resize redraws
  await page.setViewportSize({ width: 800, height: 600 });
  await page.waitForFunction(() => window.__pvIcicle.state().canvasWidth === 800, null, { timeout: 5000 }).catch(() => {});
  s = await state(page);
  check('resize redraws at the new width', s.canvasWidth === 800 && close((await rectOf(page, 'all')).w, 800, 1), s);
  await shot(page, 'basic-narrow');
  await finish(o);

  where = 'basic dpr=2';
  const o2 = await openPage(file, { dpr: 2 });
  const px2 = await o2.page.evaluate(() => { const c = document.querySelector('canvas'); return [c.width, c.clientWidth]; });
  check('devicePixelRatio 2: canvas backing store doubled', px2[0] === 2 * px2[1], px2);
  await shot(o2.page, 'basic-dpr2');
  await finish(o2);
}

async function testEstimated() {
  where = 'estimated';
  const o = await openPage(made('estimated').file);
  const { page } = o;
  check('legend explains ESTIMATED', await page.isVisible('[data-pv="legend-estimated"]'));
  check('legend explains CUT', (await page.locator('[data-pv="legend-cut"]').innerText()).includes('42 boxes'));
  check('no diff legend', !(await page.isVisible('[data-pv="legend-diff"]')));
  let tip = await hoverBox(page, 'encode');
  for (const want of ['encode', '/usr/lib/python3.11/json/encoder.py:183', 'self 450 ms', 'calls 300', 'estimated'])
    check(`tooltip has '${want}'`, tip.includes(want), tip);
  await shot(page, 'estimated-tooltip');
  tip = await hoverBox(page, 'regex_work');
  check('CUT box: tooltip says so', tip.includes('includes folded small calls'), tip);
  tip = await hoverBox(page, '<built-in method builtins.sorted>');
  check('built-in: no file:line', tip.includes('built-in') && !tip.includes('~:'), tip);
  await page.mouse.move(2, 2);
  await shot(page, 'estimated');
  await generic(page, 'estimated');
  await finish(o);

  where = 'estimated dark';
  const d = await openPage(made('estimated').file, { dark: true });
  await hoverBox(d.page, 'dumps');
  await shot(d.page, 'estimated-dark');
  await finish(d);
}

async function testDiff() {
  where = 'diff';
  const o = await openPage(made('diff').file);
  const { page } = o;
  check('diff legend', await page.isVisible('[data-pv="legend-diff"]') && await page.isVisible('[data-pv="legend-new"]'));
  check('no file-colour legend', !(await page.isVisible('[data-pv="legend-files"]')));
  const summary = await page.locator('[data-pv="summary"]').textContent();
  check('summary names the base', summary.includes('base before.prof: 630 ms'), summary);
  let tip = await hoverBox(page, 'query_db');
  await shot(page, 'diff-tooltip');
  for (const want of ['total before 200 ms', 'total after 450 ms', 'total change +250 ms (+125%)',
    'self before 200 ms', 'self after 450 ms', 'self change +250 ms'])
    check(`tooltip has '${want}'`, tip.includes(want), tip);
  tip = await hoverBox(page, 'render_page');
  check('faster box: negative change', tip.includes('self change \u2212150 ms'), tip);
  tip = await hoverBox(page, 'cache_lookup');
  check('NEW box: tooltip says so', tip.includes('new: this stack is not in the base'), tip);
  // colours: red grew, blue shrank (pixel under each box)
  const colours = await page.evaluate(() => {
    const c = document.querySelector('canvas'), ctx = c.getContext('2d'), dpr = c.width / c.clientWidth;
    const at = (name) => {
      const r = window.__pvIcicle.rectOf(name), cr = c.getBoundingClientRect();
      const d = ctx.getImageData(Math.round((r.x - cr.left + r.w - 6) * dpr), Math.round((r.y - cr.top + 3) * dpr), 1, 1).data;
      return [d[0], d[1], d[2]];
    };
    return { slower: at('query_db'), faster: at('render_page'), same: at('log') };
  });
  check('slower box is red', colours.slower[0] > colours.slower[2] + 80, colours);
  check('faster box is blue', colours.faster[2] > colours.faster[0] + 40, colours);
  check('unchanged box is neutral', Math.abs(colours.same[0] - colours.same[2]) < 30, colours);
  await page.mouse.move(2, 2);
  await shot(page, 'diff');
  await generic(page, 'diff');
  await finish(o);
}

async function testBytes() {
  where = 'bytes';
  const o = await openPage(made('bytes').file);
  const tip = await hoverBox(o.page, 'read_all');
  for (const want of ['total 3.00 MiB', 'calls 4']) check(`tooltip has '${want}'`, tip.includes(want), tip);
  const summary = await o.page.locator('[data-pv="summary"]').textContent();
  check('summary: total in MiB', summary.includes('total 3.69 MiB'), summary);
  await finish(o);
}

async function testEmpty() {
  where = 'empty';
  const desc = path.join(tmp, 'empty.json');
  fs.writeFileSync(desc, JSON.stringify({ title: 'empty.folded', children: [{ name: 'zero', file: 'z.py', line: 1 }] }));
  const out = path.join(tmp, 'empty.html');
  const r = spawnSync('python3', [makePage, webDir, out, '--json', desc], { encoding: 'utf8' });
  if (!check('make_page.py --json', r.status === 0, r.stderr)) return;
  const o = await openPage(out);
  const s = await state(o.page);
  check('empty profile: the root bar only', s.visibleBoxes === 1 && s.total === 0, s);
  check('empty profile: said so', (await o.page.locator('[data-pv="summary"]').textContent()).includes('empty'));
  await o.page.keyboard.press('ArrowDown');
  await o.page.keyboard.press('Enter');
  await o.page.keyboard.press('f');
  await search(o.page, 'z');
  await finish(o);
}

async function testHostile() {
  where = 'hostile';
  const { file } = made('hostile');
  const raw = fs.readFileSync(file, 'utf8');
  check('page source has no raw hostile markup', !raw.includes('<img src=x') && !raw.includes('<svg onload'));
  const o = await openPage(file);
  const { page } = o;
  await shot(page, 'hostile');
  const title = await page.locator('[data-pv="title"]').textContent();
  check('title shown as text', title === '</title><script>alert("title")</script> & "quotes"', title);
  check('document title is text', (await page.title()).startsWith('</title><script>alert("title")</script>'));
  check('no element came from data', await page.evaluate(() =>
    document.querySelectorAll('img, svg, b').length === 0 && document.scripts.length === 3));
  const name = '<img src=x onerror=alert(1)>';
  const tip = await hoverBox(page, name);
  check('hostile name in the tooltip as text', tip.includes(name) && tip.includes('<script>alert("file")</script>.py') === false, tip);
  const tip2 = await hoverBox(page, '</script><script>alert(1)</script>');
  check('script-closing name in the tooltip as text', tip2.includes('</script><script>alert(1)</script>') &&
    tip2.includes('<script>alert("file")</script>.py:1'), tip2);
  await shot(page, 'hostile-tooltip');
  await clickBox(page, name);
  const s = await state(page);
  check('hostile name in the breadcrumb as text', s.breadcrumb[2] === name &&
    (await page.locator('[data-pv="crumbs"] li:last-child button').textContent()) === name, s.breadcrumb);
  const m = await search(page, '<img');
  check('search finds the hostile name', m.matchText.startsWith('matched'), m.matchText);
  await page.waitForTimeout(200);
  await finish(o);
}

async function testDeep() {
  where = 'deep';
  const o = await openPage(made('deep').file);
  const { page } = o;
  const dims = await page.evaluate(() => { const s = document.querySelector('[data-pv="stage"]'); return [s.scrollHeight, s.clientHeight]; });
  check('a deep tree scrolls', dims[0] > dims[1] + 1000, dims);
  await page.evaluate(() => { document.querySelector('[data-pv="stage"]').scrollTop = 100000; });
  await page.waitForFunction(() => window.__pvIcicle.rectOf('bottom'), null, { timeout: 5000 }).catch(() => {});
  check('scrolled to the bottom: the deepest box is drawn', !!(await rectOf(page, 'bottom')));
  await shot(page, 'deep-scrolled');
  await clickBox(page, 'bottom');
  const s = await state(page);
  const r = await rectOf(page, 'bottom');
  check('zoom into the deepest box', s.zoom === 'bottom' && s.breadcrumb.length === 242 && r && r.y >= 0 && r.y < 720, { s, r });
  await press(page, 'f');
  const r2 = await rectOf(page, 'bottom');
  check('flame keeps the zoomed box in view', !!r2 && r2.y >= 0 && r2.y < 720, r2);
  await shot(page, 'deep-flame');
  await press(page, 'f');
  await press(page, 'r');
  await press(page, 'ArrowDown');
  await press(page, 'ArrowDown');
  let k = await press(page, 'ArrowRight');
  const side = await rectOf(page, k.selected);
  check('a narrow selection zooms until it is 8 px wide', k.selected === 'side_1' && k.zoom !== 'all' &&
    side && side.w >= 8, { k, side });
  await finish(o);
}

async function testMillion() {
  where = '1M nodes';
  const t0 = Date.now();
  const { file, info } = made('random', ['--nodes', '1000000', '--seed', '7']);
  console.log(`1M-node page: ${(info.bytes / 1048576).toFixed(1)} MiB, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const o = await openPage(file, { timeout: 60000 });
  const { page } = o;
  const t = await page.evaluate(() => ({ first: window.__pvIcicle.firstDrawAt, ...window.__pvIcicle.timings }));
  let s = await state(page);
  check('1M nodes decoded', s.nodes === 1000000, s);
  check('1M: boxes drawn, slivers merged', s.visibleBoxes > 100 && s.visibleBoxes < 20000 && s.slivers > 0, s);
  await shot(page, 'million');
  const all = await boxes(page);
  const cand = all.filter((b) => b.depth === 2).sort((a, b) => b.w - a.w)[0];
  await clickBox(page, cand.name);
  const zoomDraw = await page.evaluate(() => window.__pvIcicle.lastDrawMs);
  s = await state(page);
  check('1M: zoom', s.zoom === cand.name, s);
  const searchMs = await page.evaluate(() => {
    const inp = document.querySelector('[data-pv="search"]'), t0 = performance.now();
    inp.value = 'parse$';
    inp.dispatchEvent(new Event('input'));
    return performance.now() - t0;
  });
  await settle(page);
  s = await state(page);
  check('1M: search', s.matchText.startsWith('matched'), s.matchText);
  await shot(page, 'million-search');
  const heavyMs = await page.evaluate(() => {
    const t0 = performance.now();
    document.querySelector('[data-pv="heavy"]').click();
    return performance.now() - t0;
  });
  await settle(page);
  console.log(`1M-node page: navigation to first full draw ${t.first.toFixed(0)} ms ` +
    `(decode ${t.decodeMs.toFixed(0)} ms, layout ${t.layoutMs.toFixed(0)} ms, draw ${t.firstDrawMs.toFixed(0)} ms); ` +
    `zoom frame ${zoomDraw.toFixed(1)} ms; search ${searchMs.toFixed(0)} ms; first left-heavy ${heavyMs.toFixed(0)} ms`);
  await finish(o);
  fs.rmSync(file);
}

// ---- pages from `profview icicle` ----

function hasIcicle() {
  const r = spawnSync(profview, ['icicle', '--help'], { encoding: 'utf8' });
  return r.status === 0 && /icicle/.test(r.stdout);
}

function hostileFolded() {
  const f = path.join(tmp, 'hostile.folded');
  fs.writeFileSync(f, [
    'main (app.py:1);</script><script>alert(1)</script> (evil.py:2) 5',
    'main (app.py:1);<img src=x onerror=alert(1)> (<b>x</b>.py:3) 3',
    'main (app.py:1);\u2028"quoted" & \'single\' (evil.py:4) 2', ''].join('\n'));
  return f;
}

async function testProfview() {
  where = 'profview icicle';
  if (!hasIcicle()) {
    console.log(`skip: '${profview} icicle' is not a command yet: the profview-made pages are not checked`);
    skipped++;
    return;
  }
  const db = path.join(tmp, 's.db');
  const F = (...p) => path.join(testsDir, ...p);
  const cases = [
    ['py311-cprofile', [F('golden', 'fixtures', 'py311-cprofile.prof')]],
    ['py27-profile', [F('golden', 'fixtures', 'py27-profile.prof')]],
    ['py313-cprofile', [F('golden', 'fixtures', 'py313-cprofile.prof')]],
    ['py-sampled-folded', [F('sampled', 'fixtures', 'py_sampled.folded')]],
    ['perf-folded', [F('sampled', 'fixtures', 'perf_python.folded')]],
    ['speedscope-evented', [F('sampled', 'fixtures', 'py_evented.speedscope.json')]],
    ['diff-prof', [F('diff', 'fixtures', 'after.prof'), '--diff', F('diff', 'fixtures', 'before.prof')]],
    ['diff-folded', [F('diff', 'fixtures', 'after.folded'), '--diff', F('diff', 'fixtures', 'before.folded'), '--normalize']],
    ['hostile-folded', [hostileFolded()]],
    ['bounded-prof', [F('estimate', 'fixtures', 'py311-cprofile-layers.prof')]],
  ];
  for (const [tag, args] of cases) {
    where = `profview icicle ${tag}`;
    if (!fs.existsSync(args[0])) { console.log(`skip: ${args[0]} is missing`); skipped++; continue; }
    const out = path.join(tmp, tag + '.html');
    const r = spawnSync(profview, ['--db', db, 'icicle', ...args, '-o', out], { encoding: 'utf8' });
    if (!check('profview icicle exits 0', r.status === 0, r.stderr)) continue;
    const pg = readPage(out);
    check('every marker replaced', pg.markersLeft === 0, pg.markersLeft);
    if (!check('meta and node stream present', !!pg.meta)) continue;
    check('node stream valid (independent reader)', pg.valid === true);
    check('meta has no raw < > &', !/[<>&]/.test(pg.rawMeta));
    check('meta fields', pg.meta.version === 1 && ['calls', 'sampled', 'evented'].includes(pg.meta.kind) &&
      ['calls', 'samples'].includes(pg.meta.count) && (args.includes('--diff') ? !!pg.meta.diff : pg.meta.diff === null), pg.meta.kind);
    const o = await openPage(out);
    const { page } = o;
    const s = await state(page);
    check('page total = stream total', close(s.total, pg.total, Math.abs(pg.total) * 1e-9 + 1e-12), [s.total, pg.total]);
    check('legend: ESTIMATED shown iff meta.estimated', (await page.isVisible('[data-pv="legend-estimated"]')) === !!pg.meta.estimated);
    check('legend: diff shown iff meta.diff', (await page.isVisible('[data-pv="legend-diff"]')) === !!pg.meta.diff);
    check('legend: FOLDED AWAY shown iff meta.folded', (await page.isVisible('[data-pv="legend-folded"]')) === !!pg.meta.folded);
    if (tag === 'bounded-prof') {
      // tests/estimate/layers.py: 4^10 paths, which the estimate's bound cuts
      const legend = await page.locator('[data-pv="legend-folded"]').innerText();
      check('the bound is in the legend and the summary', !!pg.meta.folded && legend.includes('folded away: ') &&
        legend.includes('[folded away]') && (await page.locator('[data-pv="summary"]').innerText()).includes('folded away: '), legend);
      check('a [folded away] box is drawn', (await hoverBox(page, '[folded away]')).includes('[folded away]'));
    }
    await shot(page, 'profview-' + tag);
    if (tag === 'hostile-folded') {
      check('no element came from data', await page.evaluate(() =>
        document.querySelectorAll('img, b').length === 0 && document.scripts.length === 3));
      const tip = await hoverBox(page, '<img src=x onerror=alert(1)>');
      check('hostile name in the tooltip as text', tip.includes('<img src=x onerror=alert(1)>'), tip);
      const tip2 = await hoverBox(page, '</script><script>alert(1)</script>');
      check('script-closing name as text', tip2.includes('</script><script>alert(1)</script>'), tip2);
    }
    await generic(page, 'profview-' + tag);
    await finish(o);
  }
}

try {
  for (const t of [testBasic, testEstimated, testDiff, testBytes, testEmpty, testHostile, testDeep, testMillion, testProfview]) {
    try {
      await t();
    } catch (e) {
      check('no exception in the test', false, e && e.stack || String(e));
    }
  }
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`screenshots: ${artefactDir}`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed ? 1 : 0);
