#!/usr/bin/env node
// `profview export --to folded|speedscope` loaded into the real speedscope app (npm
// `speedscope`, its built dist/release, over file://) in Debian's chromium: the file
// goes in through the app's own file input, the app must say which importer took it
// (collapsed stacks / speedscope JSON) and raise no error or dialog, and the app's own
// Export (its evented JSON) must hold every function's self weight as profview wrote
// it, and the same total. Sources: a cProfile file (estimated tree, seconds ->
// microseconds), an evented speedscope file in nanoseconds, one in fractional
// microseconds, a cProfile file whose estimated tree the bound cuts (the profile's
// name must say so in the app), and a profile whose every sample weighs 0 (an
// empty profile).
// Screenshots go to ARTEFACT_DIR. Prints "N passed, N failed".
//
// usage: node test_speedscope_app.mjs PROFVIEW TESTS_DIR ARTEFACT_DIR
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM, loadChromium, testArgs } from './browser_common.mjs';

const [profview, testsDir, artefactDir] = testArgs('test_speedscope_app.mjs');
const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.join(here, 'node_modules', 'speedscope', 'dist', 'release', 'index.html');
const chromium = await loadChromium(here);
let passed = 0, failed = 0;
let where = '';

function check(name, ok, detail) {
  if (ok) { passed++; return true; }
  failed++;
  console.log(`FAIL ${where}: ${name}${detail === undefined ? '' : ' -- ' + JSON.stringify(detail).slice(0, 600)}`);
  return false;
}
function done() {
  console.log(`browser-speedscope: ${passed} passed, ${failed} failed`);
  process.exit(failed || !passed ? 1 : 0);
}
if (!check('the speedscope app is installed', fs.existsSync(app), `run 'npm ci' in ${here}`)) done();

fs.mkdirSync(artefactDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-speedscope-'));
const db = path.join(tmp, 'store.db');

function exportTo(src, to, file) {
  const r = spawnSync(profview, ['--db', db, '-q', 'export', src, '--to', to, '-o', file]);
  return r.status === 0;
}

// {frame key: self weight} of the app's evented export, by replaying its events
function eventedSelf(doc) {
  const prof = doc.profiles[0], frames = doc.shared.frames;
  const key = (i) => JSON.stringify([frames[i].name, frames[i].file ?? null, frames[i].line ?? null]);
  const self = new Map(), stack = [];
  let last = prof.startValue;
  for (const ev of prof.events) {
    if (stack.length) {
      const k = key(stack[stack.length - 1]);
      self.set(k, (self.get(k) || 0) + (ev.at - last));
    }
    last = ev.at;
    if (ev.type === 'O') stack.push(ev.frame);
    else stack.pop();
  }
  return self;
}

// what profview wrote, keyed the way the app names frames
function foldedSelf(text) {
  const self = new Map();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sp = line.lastIndexOf(' ');
    const leaf = line.slice(0, sp).split(';').pop();
    const k = JSON.stringify([leaf, null, null]);
    self.set(k, (self.get(k) || 0) + Number(line.slice(sp + 1)));
  }
  return self;
}
function speedscopeSelf(doc) {
  const prof = doc.profiles[0], frames = doc.shared.frames, self = new Map();
  prof.samples.forEach((st, i) => {
    if (!st.length) return;
    const f = frames[st[st.length - 1]];
    const k = JSON.stringify([f.name, f.file ?? null, f.line ?? null]);
    self.set(k, (self.get(k) || 0) + prof.weights[i]);
  });
  return self;
}
const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);

// a profile whose every sample weighs 0 imports; pstats and folded exports refuse
// it (tests/cli/test_outputs.py), its speedscope export is an empty profile
const zero = path.join(tmp, 'zero.folded');
fs.writeFileSync(zero, 'main;work 0\nmain;idle 0\n');
const cases = [
  [zero, 'speedscope', 'zero.speedscope.json'],
  ['golden/fixtures/py311-cprofile.prof', 'folded', 'cprofile.txt'],
  ['golden/fixtures/py311-cprofile.prof', 'speedscope', 'cprofile.speedscope.json'],
  ['sampled/fixtures/py_evented.speedscope.json', 'folded', 'evented_ns.txt'],
  ['sampled/fixtures/py_evented.speedscope.json', 'speedscope', 'evented_ns.speedscope.json'],
  ['export/fixtures/py_evented_us.speedscope.json', 'folded', 'evented_us.txt'],
  // a tree the estimate's bound cuts (tests/estimate/layers.py): the profile's
  // name says so, with a [folded away] frame among the stacks
  ['estimate/fixtures/py311-cprofile-layers.prof', 'folded', 'layers.txt'],
  ['estimate/fixtures/py311-cprofile-layers.prof', 'speedscope', 'layers.speedscope.json', '[folded away: '],
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  for (const [src, to, name, named] of cases) {
    where = `${src} --to ${to}`;
    const file = path.join(tmp, name);
    if (!check('profview export', exportTo(path.isAbsolute(src) ? src : path.join(testsDir, src), to, file))) continue;
    const text = fs.readFileSync(file, 'utf8');
    const ours = to === 'folded' ? foldedSelf(text) : speedscopeSelf(JSON.parse(text));
    const page = await browser.newPage({ acceptDownloads: true });
    const errors = [], logs = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(pathToFileURL(app).href);
    await page.waitForSelector('input[type=file]', { state: 'attached' });
    await page.setInputFiles('input[type=file]', file);
    const want = to === 'folded' ? 'Importing as collapsed stack format' : 'Importing as speedscope json file';
    try {
      await page.getByText('Export').waitFor({ timeout: 30000 });
    } catch (e) { /* the checks below say what is missing */ }
    check(`the app says '${want}'`, logs.includes(want), logs.filter((l) => l.startsWith('Import')));
    check('no page error or dialog', errors.length === 0, errors);
    if (named) check(`the app shows '${named}' in the profile's name`, (await page.content()).includes(named));
    await page.screenshot({ path: path.join(artefactDir, name + '.png') });
    let doc = null;
    try {
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }),
        page.getByText('Export').click()]);
      doc = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
    } catch (e) {
      check("the app's Export", false, e.message);
    }
    await page.close();
    if (!doc) continue;
    const theirs = eventedSelf(doc);
    const total = sum(ours), tol = 1e-9 * Math.max(1, total);
    check('the app holds the total profview wrote', Math.abs(sum(theirs) - total) <= tol, [sum(theirs), total]);
    const bad = [];
    for (const k of new Set([...ours.keys(), ...theirs.keys()])) {
      const a = ours.get(k) || 0, b = theirs.get(k) || 0;
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) bad.push([k, a, b]);
    }
    check(`every function's self weight as written (${ours.size} functions)`, bad.length === 0, bad.slice(0, 5));
    if (to === 'folded') check('integer counts in the app', [...theirs.values()].every((v) => Number.isInteger(v)));
  }
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
done();
