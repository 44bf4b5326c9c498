/* profview icicle renderer.
 *
 * Decodes the meta JSON and node stream of docs/icicle-data.md into typed
 * arrays and draws the call tree on one canvas. Plain ES2019: no modules, no
 * dependencies, no network. Names are data: they reach the DOM only through
 * textContent and the canvas only through fillText.
 *
 * PVIcicle.boot()                     renders the page's #pv-meta / #pv-nodes
 * PVIcicle.create(container, meta, bytes[, options]) renders into any container
 *                                     (builds the toolbar etc. when it is empty)
 *
 * options (all optional), for the server's UI:
 *   rootLabel   the root box's name (default 'all')
 *   flame       start as a flame graph (root at the bottom)
 *   keys        'document' (default): keys work anywhere on the page;
 *               'focus': only while focus is inside the container
 *   onZoom(info)    after the zoom changes; onSelect(info) when a box is
 *                   clicked or chosen with the keys. info: see nodeInfo().
 */
(function (global) {
  'use strict';

  var ROW_H = 18;                 // CSS px per tree level
  var FLAG_ESTIMATED = 1, FLAG_CUT = 2, FLAG_NEW = 4;
  var FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  var ANIM_MS = 220;
  var ROOT_NAME = 'all';

  /* ------------------------------------------------------------------ */
  /* Decoding                                                            */
  /* ------------------------------------------------------------------ */

  // Base64 text to bytes; atob skips the ASCII whitespace a writer may wrap with.
  function base64ToBytes(text) {
    var bin = atob(text);
    var n = bin.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function fail(msg) { throw new Error(msg); }

  // Sort function indices by (name, file, line): the alphabetical rank.
  function funcRanks(names, funcFile, funcLine, files) {
    var F = names.length, idx = new Array(F);
    for (var i = 0; i < F; i++) idx[i] = i;
    idx.sort(function (a, b) {
      var na = names[a], nb = names[b];
      if (na !== nb) return na < nb ? -1 : 1;
      var fa = files[funcFile[a]], fb = files[funcFile[b]];
      if (fa !== fb) return fa < fb ? -1 : 1;
      return funcLine[a] - funcLine[b];
    });
    var rank = new Int32Array(F + 1);          // indexed by func field (index + 1); 0 = root
    for (var r = 0; r < F; r++) rank[idx[r] + 1] = r + 1;
    return rank;
  }

  // The varint at bytes[p] (unsigned LEB128, at most 8 bytes); the next position goes to VPOS[0].
  var VPOS = new Float64Array(1);
  function varintAt(bytes, p) {
    var len = bytes.length, v = 0, mul = 1;
    for (var k = 0; k < 8; k++) {
      if (p >= len) fail('node stream truncated at byte ' + p);
      var b = bytes[p++];
      v += (b & 127) * mul;
      if (b < 128) { VPOS[0] = p; return v; }
      mul *= 128;
    }
    fail('varint longer than 8 bytes at byte ' + (p - 8));
  }

  // Decode the node stream and derive totals, sizes, depths and child lists.
  function buildModel(meta, bytes) {
    if (!meta || typeof meta !== 'object') fail('meta is not an object');
    if (meta.version !== 1) fail('unsupported data version ' + String(meta.version));
    var n = meta.nodes;
    if (!(n >= 1 && n === Math.floor(n))) fail('bad node count ' + String(n));
    var funcs = meta.funcs || {}, names = funcs.name || [], funcFileArr = funcs.file || [],
        funcLineArr = funcs.line || [], files = meta.files || [];
    var F = names.length;
    if (funcFileArr.length !== F || funcLineArr.length !== F) fail('funcs arrays differ in length');
    var funcFile = new Int32Array(F), funcLine = new Float64Array(F);
    for (var f = 0; f < F; f++) {
      var fi = funcFileArr[f];
      if (!(fi >= 0 && fi < files.length)) fail('function ' + f + ' has a bad file index');
      funcFile[f] = fi;
      funcLine[f] = +funcLineArr[f] || 0;
      names[f] = String(names[f]);
    }
    for (var fj = 0; fj < files.length; fj++) files[fj] = String(files[fj]);

    var isF64 = meta.weights === 'f64';
    if (!isF64 && meta.weights !== 'int') fail('bad weights encoding ' + String(meta.weights));
    var diff = !!meta.diff;
    var parent = new Int32Array(n), func = new Int32Array(n), flags = new Uint8Array(n),
        depth = new Int32Array(n), self = new Float64Array(n), count = new Float64Array(n),
        bself = diff ? new Float64Array(n) : null, btotal = diff ? new Float64Array(n) : null;
    var len = bytes.length, p = 0, b = 0, up = 0, fn = 0, fl = 0;
    var dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var path = new Int32Array(n + 1);      // path[d] = node at depth d on the current path

    // Varints inline (one byte is the common case); p stays a plain local.
    for (var i = 0; i < n; i++) {
      var start = p;
      b = bytes[p]; if (b < 128) { up = b; p++; } else { up = varintAt(bytes, p); p = VPOS[0]; }
      b = bytes[p]; if (b < 128) { fn = b; p++; } else { fn = varintAt(bytes, p); p = VPOS[0]; }
      b = bytes[p]; if (b < 128) { fl = b; p++; } else { fl = varintAt(bytes, p); p = VPOS[0]; }
      if (i === 0) {
        if (up !== 0 || fn !== 0) fail('node 0 is not the root (byte ' + start + ')');
      } else {
        if (up < 1 || up > i) fail('node ' + i + ' has a bad parent (byte ' + start + ')');
        var par = i - up, d = depth[par] + 1;
        if (path[d - 1] !== par) fail('node ' + i + ' breaks pre-order (byte ' + start + ')');
        if (fn < 1 || fn > F) fail('node ' + i + ' has a bad function (byte ' + start + ')');
        parent[i] = par; depth[i] = d; path[d] = i;
      }
      func[i] = fn; flags[i] = fl;
      if (isF64) {
        if (p + 8 > len) fail('node stream truncated at byte ' + p);
        self[i] = dv.getFloat64(p, true); p += 8;
      } else {
        b = bytes[p]; if (b < 128) { self[i] = b; p++; } else { self[i] = varintAt(bytes, p); p = VPOS[0]; }
      }
      b = bytes[p]; if (b < 128) { count[i] = b; p++; } else { count[i] = varintAt(bytes, p); p = VPOS[0]; }
      if (diff) {
        if (isF64) {
          if (p + 16 > len) fail('node stream truncated at byte ' + p);
          bself[i] = dv.getFloat64(p, true); btotal[i] = dv.getFloat64(p + 8, true); p += 16;
        } else {
          bself[i] = varintAt(bytes, p); p = VPOS[0];
          btotal[i] = varintAt(bytes, p); p = VPOS[0];
        }
      }
    }
    if (p !== len) fail('node stream has ' + (len - p) + ' bytes after node ' + (n - 1));

    // One reverse pass: totals, subtree sizes, deepest level, samples through.
    var total = new Float64Array(self), size = new Int32Array(n), deep = new Int32Array(depth),
        nkids = new Int32Array(n + 1), csum = meta.count === 'samples' ? new Float64Array(count) : null;
    var maxAbs = 0;
    for (var j = n - 1; j > 0; j--) {
      var q = parent[j];
      size[j] += 1;
      total[q] += total[j];
      size[q] += size[j];
      if (deep[j] > deep[q]) deep[q] = deep[j];
      nkids[q]++;
      if (csum) csum[q] += csum[j];
      if (diff) { var dd = Math.abs(self[j] - bself[j]); if (dd > maxAbs) maxAbs = dd; }
    }
    size[0] += 1;
    if (diff) { var d0 = Math.abs(self[0] - bself[0]); if (d0 > maxAbs) maxAbs = d0; }

    // Child lists (CSR) in alphabetical order: filled in pre-order, then each
    // run sorted by function rank (stable: equal names keep pre-order).
    var childStart = new Int32Array(n + 1);
    for (var c = 0; c < n; c++) childStart[c + 1] = childStart[c] + nkids[c];
    var rank = funcRanks(names, funcFile, funcLine, files);
    var fill = childStart.slice(0, n), kidsAlpha = new Int32Array(n > 1 ? n - 1 : 0);
    for (var e = 1; e < n; e++) kidsAlpha[fill[parent[e]]++] = e;
    sortRuns(kidsAlpha, childStart, n, function (x) { return rank[func[x]]; }, false);
    return {
      meta: meta, n: n, names: names, files: files, funcFile: funcFile, funcLine: funcLine,
      parent: parent, func: func, flags: flags, depth: depth, self: self, count: count,
      bself: bself, btotal: btotal, total: total, size: size, deep: deep, csum: csum,
      childStart: childStart, kidsAlpha: kidsAlpha, rank: rank, maxAbsDiff: maxAbs,
      orders: {}
    };
  }

  // Sorts each child run kids[cs[i]..cs[i+1]) by key(node), stably; descending when desc.
  function sortRuns(kids, cs, n, key, desc) {
    var sign = desc ? -1 : 1;
    for (var i = 0; i < n; i++) {
      var s = cs[i], e = cs[i + 1], len = e - s;
      if (len < 2) continue;
      if (len <= 24) {
        for (var k = s + 1; k < e; k++) {
          var v = kids[k], kv = sign * key(v), h = k - 1;
          while (h >= s && sign * key(kids[h]) > kv) { kids[h + 1] = kids[h]; h--; }
          kids[h + 1] = v;
        }
      } else {
        var run = kids.slice(s, e), keys = new Float64Array(len), order = new Array(len);
        for (var t = 0; t < len; t++) { keys[t] = sign * key(run[t]); order[t] = t; }
        order.sort(function (x, y) { return keys[x] - keys[y] || x - y; });
        for (var u = 0; u < len; u++) kids[s + u] = run[order[u]];
      }
    }
  }

  // Children order and absolute x offsets (in weight units) for one ordering.
  function ordering(m, which) {
    if (m.orders[which]) return m.orders[which];
    var n = m.n, cs = m.childStart, total = m.total, kids;
    if (which === 'alpha') {
      kids = m.kidsAlpha;
    } else {
      // Left-heavy: largest total first; stable, so ties keep alphabetical order.
      kids = m.kidsAlpha.slice();
      sortRuns(kids, cs, n, function (x) { return total[x]; }, true);
    }
    var xoff = new Float64Array(n);
    for (var p = 0; p < n; p++) {
      var x = xoff[p];
      for (var c = cs[p], ce = cs[p + 1]; c < ce; c++) { var ch = kids[c]; xoff[ch] = x; x += total[ch]; }
    }
    m.orders[which] = { kids: kids, xoff: xoff };
    return m.orders[which];
  }

  /* ------------------------------------------------------------------ */
  /* Formatting                                                          */
  /* ------------------------------------------------------------------ */

  function group3(s) {
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var dot = s.indexOf('.'), ip = dot < 0 ? s : s.slice(0, dot), fp = dot < 0 ? '' : s.slice(dot);
    return (neg ? '-' : '') + ip.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + fp;
  }
  function sig3(v) {
    var a = Math.abs(v);
    return a >= 100 ? group3(v.toFixed(0)) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  var TIME_SCALE = { seconds: 1, milliseconds: 1e-3, microseconds: 1e-6, nanoseconds: 1e-9 };
  var BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

  function formatWeight(unit, v) {
    var a = Math.abs(v);
    if (TIME_SCALE[unit]) {
      var s = v * TIME_SCALE[unit], as = Math.abs(s);
      if (as === 0) return '0 s';
      if (as >= 1) return sig3(s) + ' s';
      if (as >= 1e-3) return sig3(s * 1e3) + ' ms';
      if (as >= 1e-6) return sig3(s * 1e6) + ' \u00b5s';
      return sig3(s * 1e9) + ' ns';
    }
    if (unit === 'samples') {
      var txt = a === Math.floor(a) ? group3(v.toFixed(0)) : group3(v.toFixed(1));
      return txt + (a === 1 ? ' sample' : ' samples');
    }
    if (unit === 'bytes') {
      if (a < 1024) return group3(v.toFixed(0)) + ' B';
      var k = 0, x = v;
      while (Math.abs(x) >= 1024 && k < BYTE_UNITS.length - 1) { x /= 1024; k++; }
      return sig3(x) + ' ' + BYTE_UNITS[k];
    }
    if (a !== 0 && (a < 0.01 || a >= 1e15)) return v.toPrecision(3);
    return a === Math.floor(a) ? group3(v.toFixed(0)) : sig3(v);
  }
  function formatPct(part, whole) {
    if (!(whole > 0)) return '\u2014';
    var p = part / whole * 100, a = Math.abs(p);
    if (a >= 99.995 && a <= 100.005) return (p < 0 ? '-' : '') + '100%';
    if (a === 0) return '0%';
    if (a < 0.01) return (p < 0 ? '>-' : '<') + '0.01%';
    return (a >= 100 ? p.toFixed(0) : a >= 10 ? p.toFixed(1) : p.toFixed(2)) + '%';
  }
  function signed(s, v) { return v > 0 ? '+' + s : v < 0 ? '\u2212' + s.replace(/^-/, '') : '\u00b10'; }

  /* ------------------------------------------------------------------ */
  /* Colours                                                             */
  /* ------------------------------------------------------------------ */

  // FNV-1a over UTF-16 code units: the same string gets the same colour on every page.
  function hash32(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d); h ^= h >>> 12;
    return h >>> 0;
  }
  var BUILTIN_COLOUR = 'hsl(35, 10%, 76%)';
  var ROOT_COLOUR = 'hsl(30, 8%, 66%)';
  function warmColour(key) {
    var h = hash32(key);
    return 'hsl(' + (4 + h % 48) + ', ' + (72 + (h >>> 8) % 22) + '%, ' + (60 + (h >>> 16) % 14) + '%)';
  }
  function fileColour(file) { return file === '~' ? BUILTIN_COLOUR : warmColour(file); }

  var DIFF_NEUTRAL = [226, 221, 212], DIFF_RED = [224, 64, 60], DIFF_BLUE = [58, 118, 232];
  function mixRGB(a, b, t) {
    return 'rgb(' + Math.round(a[0] + (b[0] - a[0]) * t) + ',' + Math.round(a[1] + (b[1] - a[1]) * t) +
      ',' + Math.round(a[2] + (b[2] - a[2]) * t) + ')';
  }
  var DIFF_STEPS = 24, DIFF_COLOURS = [];
  for (var ds = -DIFF_STEPS; ds <= DIFF_STEPS; ds++) {
    DIFF_COLOURS.push(mixRGB(DIFF_NEUTRAL, ds < 0 ? DIFF_BLUE : DIFF_RED, Math.abs(ds) / DIFF_STEPS));
  }

  /* ------------------------------------------------------------------ */
  /* The page skeleton (the template holds the same markup)              */
  /* ------------------------------------------------------------------ */

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    if (kids) for (var i = 0; i < kids.length; i++) e.appendChild(kids[i]);
    return e;
  }

  function buildSkeleton(c) {
    c.classList.add('pv-app');
    c.appendChild(el('header', { 'class': 'pv-header' }, [
      el('h1', { 'class': 'pv-title', 'data-pv': 'title', text: 'profview icicle' }),
      el('p', { 'class': 'pv-summary', 'data-pv': 'summary' })]));
    c.appendChild(el('div', { 'class': 'pv-toolbar', role: 'toolbar', 'aria-label': 'View' }, [
      el('label', { 'class': 'pv-search' }, [
        el('span', { 'class': 'pv-search-icon', 'aria-hidden': 'true', text: '\u2315' }),
        el('input', { type: 'search', 'data-pv': 'search', placeholder: 'Search regex', spellcheck: 'false',
          autocomplete: 'off', 'aria-label': 'Search functions and file:line by regular expression' }),
        el('kbd', { 'class': 'pv-search-key', text: '/' })]),
      el('output', { 'class': 'pv-match', 'data-pv': 'match', 'aria-live': 'polite' }),
      el('span', { 'class': 'pv-spring' }),
      el('div', { 'class': 'pv-seg', role: 'group', 'aria-label': 'Orientation' }, [
        el('button', { type: 'button', 'data-pv': 'icicle', 'aria-pressed': 'true', title: 'Root at the top (f)', text: 'Icicle' }),
        el('button', { type: 'button', 'data-pv': 'flame', 'aria-pressed': 'false', title: 'Root at the bottom (f)', text: 'Flame' })]),
      el('div', { 'class': 'pv-seg', role: 'group', 'aria-label': 'Ordering' }, [
        el('button', { type: 'button', 'data-pv': 'alpha', 'aria-pressed': 'true', title: 'Children by name (h)', text: 'A\u2013Z' }),
        el('button', { type: 'button', 'data-pv': 'heavy', 'aria-pressed': 'false', title: 'Children by total, largest first (h)', text: 'Left-heavy' })]),
      el('button', { type: 'button', 'class': 'pv-reset', 'data-pv': 'reset', title: 'Zoom out to the root (r)', text: 'Reset' })]));
    c.appendChild(el('nav', { 'class': 'pv-crumbs', 'aria-label': 'Zoom path' }, [el('ol', { 'data-pv': 'crumbs' })]));
    c.appendChild(el('div', { 'class': 'pv-stage', 'data-pv': 'stage' }, [
      el('canvas', { 'class': 'pv-canvas', 'data-pv': 'canvas', tabindex: '0', role: 'img', 'aria-label': 'Icicle graph' }),
      el('div', { 'class': 'pv-spacer', 'data-pv': 'spacer' }),
      el('p', { 'class': 'pv-error', 'data-pv': 'error', hidden: '' })]));
    c.appendChild(el('div', { 'class': 'pv-tooltip', 'data-pv': 'tooltip', role: 'tooltip', hidden: '' }));
    var legend = el('ul', { 'class': 'pv-legend', 'data-pv': 'legend' }, [
      el('li', { 'data-pv': 'legend-files' }, [el('span', { 'class': 'pv-swatch pv-swatch-warm' }),
        el('span', { text: 'colour = source file, the same on every page' })]),
      el('li', { 'data-pv': 'legend-builtin' }, [el('span', { 'class': 'pv-swatch pv-swatch-builtin' }),
        el('span', { text: 'built-in' })]),
      el('li', { 'data-pv': 'legend-diff', hidden: '' }, [el('span', { 'class': 'pv-swatch pv-swatch-diff' }),
        el('span', { 'data-pv': 'legend-diff-text', text: 'self: blue = less, red = more' })]),
      el('li', { 'data-pv': 'legend-new', hidden: '' }, [el('span', { 'class': 'pv-swatch pv-swatch-new' }),
        el('span', { text: 'NEW: stack absent in the base' })]),
      el('li', { 'data-pv': 'legend-estimated', hidden: '' }, [el('span', { 'class': 'pv-swatch pv-swatch-hatch' }),
        el('span', { text: 'ESTIMATED: time split in proportion (cProfile keeps caller\u2192callee totals, not stacks)' })]),
      el('li', { 'data-pv': 'legend-cut', hidden: '' }, [el('span', { 'class': 'pv-swatch pv-swatch-cut' }),
        el('span', { 'data-pv': 'legend-cut-text', text: 'CUT: small calls folded into this box' })]),
      el('li', { 'data-pv': 'legend-folded', hidden: '' }, [el('span', { 'class': 'pv-swatch pv-swatch-hatch' }),
        el('span', { 'data-pv': 'legend-folded-text', text: 'FOLDED AWAY: the estimated tree is bounded' })])]);
    c.appendChild(el('footer', { 'class': 'pv-footer' }, [legend,
      el('p', { 'class': 'pv-help', 'data-pv': 'help',
        text: 'click: zoom \u00b7 \u2190\u2191\u2192\u2193 select \u00b7 Enter zoom in \u00b7 Esc/\u232b zoom out \u00b7 r reset \u00b7 / search \u00b7 f flame \u00b7 h left-heavy' })]));
  }

  function bindUI(c) {
    if (!c.querySelector('[data-pv="canvas"]')) buildSkeleton(c);
    var ui = {};
    var all = c.querySelectorAll('[data-pv]');
    for (var i = 0; i < all.length; i++) ui[all[i].getAttribute('data-pv')] = all[i];
    return ui;
  }

  /* ------------------------------------------------------------------ */
  /* The view                                                            */
  /* ------------------------------------------------------------------ */

  function create(container, meta, bytes, options) {
    var tStart = performance.now();
    var opts = options || {};
    var rootName = opts.rootLabel != null ? String(opts.rootLabel) : ROOT_NAME;
    var ui = bindUI(container);
    var m;
    try {
      m = buildModel(meta, bytes);
    } catch (err) {
      ui.error.textContent = 'Cannot read the profile data: ' + (err && err.message ? err.message : String(err));
      ui.error.hidden = false;
      ui.canvas.hidden = true;
      return { error: ui.error.textContent, debug: { error: ui.error.textContent } };
    }
    var tDecoded = performance.now();

    var unit = meta.unit;
    var isDiff = !!meta.diff;
    var rootTotal = m.total[0];
    var canvas = ui.canvas, stage = ui.stage, ctx = canvas.getContext('2d', { alpha: false });
    var reduceMotion = global.matchMedia && global.matchMedia('(prefers-reduced-motion: reduce)').matches;

    var st = {
      zoom: 0, sel: -1, hover: -1,
      flame: !!opts.flame, order: 'alpha',
      va: 0, vb: rootTotal > 0 ? rootTotal : 1,
      anim: null,
      re: null, funcMatch: null, searchError: null, matchText: '',
      cssW: 0, cssH: 0, dpr: 1,
      drawPending: false, firstDrawAt: 0, lastDrawMs: 0, draws: 0
    };
    var theme = {};
    var funcColour = new Array(m.names.length);
    var hatch = null, hatchDpr = 0;
    var widthCache = new Map();
    var listeners = [];

    function on(target, type, fn, opts) { target.addEventListener(type, fn, opts); listeners.push([target, type, fn, opts]); }

    function readTheme() {
      var cs = getComputedStyle(container);
      function v(name, dflt) { var s = cs.getPropertyValue(name).trim(); return s || dflt; }
      theme.bg = v('--pv-canvas-bg', '#fbfaf8');
      theme.text = v('--pv-box-text', '#1c1917');
      theme.sliver = v('--pv-sliver', '#c8c2b8');
      theme.dim = v('--pv-dim', '#e7e3dc');
      theme.sel = v('--pv-select', '#111827');
      theme.hover = v('--pv-hover', '#111827');
      theme.match = v('--pv-match', '#c026d3');
      theme.newMark = v('--pv-new', '#7c3aed');
      theme.cutMark = v('--pv-cut', '#292524');
      theme.hatch = v('--pv-hatch', 'rgba(40, 20, 0, 0.22)');
    }

    /* ---- names, locations, colours ---- */

    function nameOf(i) { return i === 0 ? rootName : m.names[m.func[i] - 1]; }
    function fileOf(i) { return i === 0 ? '' : m.files[m.funcFile[m.func[i] - 1]]; }
    function locationOf(i) {
      if (i === 0) return '';
      var f = m.func[i] - 1, file = m.files[m.funcFile[f]], line = m.funcLine[f];
      if (file === '~') return 'built-in';
      if (!file) return line ? 'line ' + line : '';
      return line ? file + ':' + line : file;
    }
    function colourOf(i) {
      if (i === 0) return ROOT_COLOUR;
      if (isDiff) {
        if (!(m.maxAbsDiff > 0)) return DIFF_COLOURS[DIFF_STEPS];
        var t = (m.self[i] - m.bself[i]) / m.maxAbsDiff;
        return DIFF_COLOURS[DIFF_STEPS + Math.round(Math.max(-1, Math.min(1, t)) * DIFF_STEPS)];
      }
      var f = m.func[i] - 1, c = funcColour[f];
      if (c === undefined) {
        var file = m.files[m.funcFile[f]];
        c = funcColour[f] = file ? fileColour(file) : warmColour(m.names[f]);
      }
      return c;
    }
    function makeHatch() {
      var dpr = st.dpr, size = Math.max(1, Math.round(6 * dpr));
      var tile = document.createElement('canvas');
      tile.width = tile.height = size;
      var t = tile.getContext('2d');
      t.strokeStyle = theme.hatch;
      t.lineWidth = Math.max(1, 1.4 * dpr);
      t.beginPath();
      t.moveTo(-1, size + 1); t.lineTo(size + 1, -1);
      t.moveTo(-1, 1); t.lineTo(1, -1);
      t.moveTo(size - 1, size + 1); t.lineTo(size + 1, size - 1);
      t.stroke();
      hatch = ctx.createPattern(tile, 'repeat');
      if (hatch && hatch.setTransform && global.DOMMatrix) hatch.setTransform(new DOMMatrix().scale(1 / dpr));
      hatchDpr = dpr;
    }

    function textWidth(s) {
      var w = widthCache.get(s);
      if (w === undefined) {
        w = ctx.measureText(s).width;
        if (widthCache.size > 20000) widthCache.clear();
        widthCache.set(s, w);
      }
      return w;
    }
    // The longest prefix of s (plus an ellipsis) that fits in maxW px, or ''.
    function fitText(s, maxW) {
      var w = textWidth(s);
      if (w <= maxW) return s;
      if (maxW < 14) return '';
      var k = Math.min(s.length - 1, Math.floor(s.length * maxW / w));
      var t = s.slice(0, k) + '\u2026';
      while (k > 1 && ctx.measureText(t).width > maxW) { k--; t = s.slice(0, k) + '\u2026'; }
      return k > 1 ? t : '';
    }

    /* ---- geometry ---- */

    function contentRows() { return m.deep[st.zoom] + 1; }
    function contentHeight() { return contentRows() * ROW_H + 4; }
    // Top y (CSS px, within the canvas) of tree level r.
    function rowY(r) {
      var top = stage.scrollTop;
      if (!st.flame) return 2 + r * ROW_H - top;
      var full = Math.max(contentHeight(), st.cssH);
      return full - 2 - (r + 1) * ROW_H - top;
    }

    function resize() {
      var w = stage.clientWidth, h = stage.clientHeight, dpr = global.devicePixelRatio || 1;
      if (w < 1) w = 1;
      if (h < ROW_H) h = ROW_H;
      st.cssW = w; st.cssH = h; st.dpr = dpr;
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
      var bw = Math.round(w * dpr), bh = Math.round(h * dpr);
      if (canvas.width !== bw || canvas.height !== bh) { canvas.width = bw; canvas.height = bh; }
      updateSpacer();
    }
    function updateSpacer() {
      ui.spacer.style.height = Math.max(0, contentHeight() - st.cssH) + 'px';
    }

    /* ---- hit list: the boxes of the last frame ---- */

    var hitCap = 1024, hitN = 0;
    var hitX = new Float64Array(hitCap), hitW = new Float64Array(hitCap), hitY = new Float64Array(hitCap),
        hitNode = new Int32Array(hitCap);
    function addHit(x, y, w, node) {
      if (hitN === hitCap) {
        hitCap *= 2;
        var nx = new Float64Array(hitCap); nx.set(hitX); hitX = nx;
        var nw = new Float64Array(hitCap); nw.set(hitW); hitW = nw;
        var ny = new Float64Array(hitCap); ny.set(hitY); hitY = ny;
        var nn = new Int32Array(hitCap); nn.set(hitNode); hitNode = nn;
      }
      hitX[hitN] = x; hitY[hitN] = y; hitW[hitN] = w; hitNode[hitN] = node;
      return hitN++;
    }
    function hitAt(x, y) {
      for (var k = 0; k < hitN; k++) {
        if (y >= hitY[k] && y < hitY[k] + ROW_H && x >= hitX[k] && x < hitX[k] + hitW[k]) return k;
      }
      return -1;
    }
    function hitOfNode(i) {
      for (var k = 0; k < hitN; k++) if (hitNode[k] === i) return k;
      return -1;
    }

    /* ---- drawing ---- */

    var stack = new Int32Array(Math.max(16, m.n));

    function draw() {
      var t0 = performance.now();
      st.drawPending = false;
      if (st.anim) stepAnim(t0);
      var W = st.cssW, H = st.cssH, dpr = st.dpr;
      if (!hatch || hatchDpr !== dpr) makeHatch();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, W, H);
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      hitN = 0; sliverInfo = [];

      var ord = ordering(m, st.order), kids = ord.kids, xoff = ord.xoff, cs = m.childStart,
          total = m.total, depth = m.depth, flags = m.flags;
      var va = st.va, scale = W / (st.vb - st.va);
      if (!(scale > 0) || !isFinite(scale)) scale = 0;
      var searching = !!st.funcMatch, fm = st.funcMatch, func = m.func, zoom = st.zoom, size = m.size;

      // Levels on screen: [rmin, rmax].
      var y0 = rowY(0), rmin, rmax;
      if (!st.flame) { rmin = Math.floor(-y0 / ROW_H); rmax = Math.floor((H - y0) / ROW_H); }
      else { rmin = Math.floor((y0 + ROW_H - H) / ROW_H); rmax = Math.floor((y0 + ROW_H) / ROW_H); }
      if (rmin < 0) rmin = 0;

      function box(i, x, w, r, sliverOf) {
        var y = rowY(r), x0 = x < 0 ? 0 : x, x1 = x + w > W ? W : x + w, bw = x1 - x0;
        var gap = bw >= 4 ? 1 : 0;
        var dimmed = searching && (sliverOf >= 0 || i === 0 || !fm[func[i]]);
        if (sliverOf >= 0) {
          ctx.fillStyle = dimmed ? theme.dim : theme.sliver;
          ctx.fillRect(x0, y, bw - gap, ROW_H - 1);
          addHit(x0, y, bw, -1 - sliverOf);
          return;
        }
        addHit(x0, y, bw, i);
        var context = i < zoom && zoom < i + size[i];     // an ancestor bar above the zoomed box
        ctx.fillStyle = dimmed ? theme.dim : colourOf(i);
        if (context && !dimmed) ctx.globalAlpha = 0.55;
        ctx.fillRect(x0, y, bw - gap, ROW_H - 1);
        ctx.globalAlpha = 1;
        var fl = flags[i];
        if ((fl & FLAG_ESTIMATED) && hatch) { ctx.fillStyle = hatch; ctx.fillRect(x0, y, bw - gap, ROW_H - 1); }
        if (searching && !dimmed) {
          ctx.fillStyle = theme.match;
          ctx.fillRect(x0, y + ROW_H - 4, bw - gap, 3);
        }
        if (bw >= 8) {
          if (fl & FLAG_NEW) {
            ctx.fillStyle = theme.newMark;
            ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x0 + 10, y); ctx.lineTo(x0, y + 10); ctx.closePath(); ctx.fill();
          }
          if (fl & FLAG_CUT) {
            var xr = x0 + bw - gap, yb = y + ROW_H - 1;
            ctx.fillStyle = theme.cutMark;
            ctx.beginPath(); ctx.moveTo(xr, yb); ctx.lineTo(xr - 9, yb); ctx.lineTo(xr, yb - 9); ctx.closePath(); ctx.fill();
          }
        }
        if (bw >= 24) {
          var label = fitText(nameOf(i), bw - 10);
          if (label) {
            ctx.fillStyle = theme.text;
            if (dimmed) ctx.globalAlpha = 0.45;
            ctx.fillText(label, x0 + 5, y + ROW_H / 2);
            if (dimmed) ctx.globalAlpha = 1;
          }
        }
      }

      if (rootTotal > 0) {
        var sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
          var i = stack[--sp], r = depth[i];
          if (r >= rmin) box(i, (xoff[i] - va) * scale, total[i] * scale, r, -1);
          if (r + 1 > rmax) continue;
          var runW = 0, runX = 0, runN = 0, runFirst = 0, runLast = 0;
          for (var k = cs[i], ke = cs[i + 1]; k < ke; k++) {
            var ch = kids[k], cw = total[ch] * scale;
            if (cw <= 0) continue;
            var cx = (xoff[ch] - va) * scale;
            if (cx >= W - 0.01) break;              // right of the view: so are the rest
            if (cx + cw <= 0.01) continue;          // left of the view
            if (cw < 1) {
              if (runN === 0) { runX = cx; runFirst = k; }
              runW = cx + cw - runX; runN++; runLast = k;
              continue;
            }
            if (runN > 0) {
              if (runW >= 1 && r + 1 >= rmin) box(-1, runX, runW, r + 1, recordSliver(i, runFirst, runLast, runN));
              runN = 0; runW = 0;
            }
            stack[sp++] = ch;
          }
          if (runN > 0 && runW >= 1 && r + 1 >= rmin) box(-1, runX, runW, r + 1, recordSliver(i, runFirst, runLast, runN));
        }
      } else if (rmin === 0) {
        box(0, 0, W, 0, -1);                      // an empty profile: just the root
      }

      // Selection and hover outlines on top.
      var hk = st.hover >= 0 ? hitOfNode(st.hover) : -1;
      if (hk >= 0) {
        ctx.strokeStyle = theme.hover; ctx.lineWidth = 1;
        ctx.strokeRect(hitX[hk] + 0.5, hitY[hk] + 0.5, Math.max(1, hitW[hk] - 2), ROW_H - 2);
      }
      var sk = st.sel >= 0 ? hitOfNode(st.sel) : -1;
      if (sk >= 0) {
        ctx.strokeStyle = theme.sel; ctx.lineWidth = 2;
        ctx.strokeRect(hitX[sk] + 1, hitY[sk] + 1, Math.max(1, hitW[sk] - 3), ROW_H - 3);
      }

      var t1 = performance.now();
      st.lastDrawMs = t1 - t0;
      st.draws++;
      if (!st.firstDrawAt) st.firstDrawAt = t1;
      if (st.anim) requestDraw();
    }

    var sliverInfo = [];
    function recordSliver(par, first, last, count) {
      sliverInfo.push({ parent: par, first: first, last: last, count: count });
      return sliverInfo.length - 1;
    }

    function requestDraw() {
      if (st.drawPending) return;
      st.drawPending = true;
      global.requestAnimationFrame(draw);
    }

    /* ---- zoom ---- */

    function stepAnim(now) {
      var a = st.anim, t = Math.min(1, (now - a.t0) / ANIM_MS);
      var e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
      st.va = a.fa + (a.ta - a.fa) * e;
      st.vb = a.fb + (a.tb - a.fb) * e;
      if (t >= 1) st.anim = null;
    }
    function targetRange(i) {
      var xoff = ordering(m, st.order).xoff, w = m.total[i];
      return w > 0 ? [xoff[i], xoff[i] + w] : [0, rootTotal > 0 ? rootTotal : 1];
    }
    function zoomTo(i, animate) {
      if (i < 0 || i >= m.n || (i !== 0 && !(m.total[i] > 0))) return;
      var changed = i !== st.zoom;
      st.zoom = i;
      var tr = targetRange(i);
      if (animate !== false && !reduceMotion && changed) {
        st.anim = { t0: performance.now(), fa: st.va, fb: st.vb, ta: tr[0], tb: tr[1] };
      } else {
        st.anim = null; st.va = tr[0]; st.vb = tr[1];
      }
      updateSpacer();
      if (changed) { updateCrumbs(); updateMatch(); }
      ensureRowVisible(m.depth[i]);
      requestDraw();
      if (changed) notify(opts.onZoom, i);
    }
    // Calls a caller's callback with nodeInfo(i); its exceptions are reported, not thrown here.
    function notify(fn, i) {
      if (typeof fn !== 'function') return;
      try { fn(nodeInfo(i)); } catch (err) { setTimeout(function () { throw err; }, 0); }
    }
    // What a caller needs to know about node i. path: the function indexes from the
    // top of the stream's tree down to i (the root has none).
    function nodeInfo(i) {
      var path = [];
      for (var j = i; j > 0; j = m.parent[j]) path.push(m.func[j] - 1);
      path.reverse();
      var fl = m.flags[i];
      return {
        node: i, func: i === 0 ? -1 : m.func[i] - 1, name: nameOf(i), location: locationOf(i),
        depth: m.depth[i], path: path, total: m.total[i], self: m.self[i],
        leaf: m.size[i] === 1, cut: !!(fl & FLAG_CUT), estimated: !!(fl & FLAG_ESTIMATED), isNew: !!(fl & FLAG_NEW)
      };
    }
    // The node reached from the root by following the function indexes of path, or -1.
    function nodeAtPath(path) {
      var i = 0, cs = m.childStart, kids = m.kidsAlpha;
      for (var d = 0; d < path.length; d++) {
        var want = path[d] + 1, next = -1;
        for (var k = cs[i]; k < cs[i + 1]; k++) if (m.func[kids[k]] === want) { next = kids[k]; break; }
        if (next < 0) return -1;
        i = next;
      }
      return i;
    }
    function ensureRowVisible(r) {
      var y = rowY(r);
      if (y < 0) stage.scrollTop += y - ROW_H;
      else if (y + ROW_H > st.cssH) stage.scrollTop += y + 2 * ROW_H - st.cssH;
    }
    function isAncestor(a, b) { return a <= b && b < a + m.size[a]; }     // a is b or above it
    function select(i, withTip) {
      st.sel = i;
      if (i >= 0) {
        // Keep the selection on screen: inside the zoomed subtree or on the ancestor bars.
        if (!isAncestor(st.zoom, i) && !isAncestor(i, st.zoom)) zoomTo(i === 0 ? 0 : m.parent[i]);
        // Too narrow to see: zoom out only as far as keeps it 8 px wide.
        var W = st.cssW, t = m.total[i];
        if (isAncestor(st.zoom, i) && t > 0 && t / m.total[st.zoom] * W < 8) {
          var a = i;
          while (a !== 0 && t / m.total[m.parent[a]] * W >= 8) a = m.parent[a];
          zoomTo(a);
        }
        ensureRowVisible(m.depth[i]);
      }
      requestDraw();
      if (withTip && i >= 0) {
        global.requestAnimationFrame(function () {
          var k = hitOfNode(i);
          if (k < 0) { hideTip(); return; }
          var r = canvas.getBoundingClientRect();
          showTip(i, r.left + hitX[k] + Math.min(hitW[k], 40), r.top + hitY[k] + ROW_H);
        });
      }
    }
    function reset() { st.sel = -1; zoomTo(0); }

    /* ---- breadcrumb ---- */

    function pathTo(i) {
      var path = [];
      for (var j = i; ; j = m.parent[j]) { path.push(j); if (j === 0) break; }
      return path.reverse();
    }
    function updateCrumbs() {
      var ol = ui.crumbs;
      while (ol.firstChild) ol.removeChild(ol.firstChild);
      var path = pathTo(st.zoom);
      path.forEach(function (node, k) {
        var b = el('button', { type: 'button', 'class': 'pv-crumb', text: nameOf(node) });
        var loc = locationOf(node);
        b.title = loc ? nameOf(node) + '  ' + loc : nameOf(node);
        if (k === path.length - 1) b.setAttribute('aria-current', 'true');
        b.addEventListener('click', function () { st.sel = node; zoomTo(node); });
        ol.appendChild(el('li', null, [b]));
      });
      ol.parentNode.scrollLeft = ol.parentNode.scrollWidth;
    }

    /* ---- search ---- */

    function runSearch() {
      var text = ui.search.value;
      st.searchError = null;
      if (text === '') {
        st.re = null; st.funcMatch = null;
        ui.search.removeAttribute('aria-invalid');
        ui.search.classList.remove('pv-invalid');
      } else {
        var re = null;
        try { re = new RegExp(text); } catch (err) { st.searchError = err && err.message ? err.message : 'invalid'; }
        if (re) {
          var F = m.names.length, fm = new Uint8Array(F + 1);
          for (var f = 0; f < F; f++) {
            var file = m.files[m.funcFile[f]], line = m.funcLine[f];
            var loc = file === '~' || !file ? '' : line ? file + ':' + line : file;
            re.lastIndex = 0;
            var hit = re.test(m.names[f]);
            if (!hit && loc) { re.lastIndex = 0; hit = re.test(loc); }
            fm[f + 1] = hit ? 1 : 0;
          }
          st.re = re; st.funcMatch = fm;
          ui.search.removeAttribute('aria-invalid');
          ui.search.classList.remove('pv-invalid');
        } else {
          st.re = null; st.funcMatch = null;
          ui.search.setAttribute('aria-invalid', 'true');
          ui.search.classList.add('pv-invalid');
        }
      }
      updateMatch();
      requestDraw();
    }
    // Weight of matched nodes not below another matched node, within the zoomed subtree.
    function matchedWeight() {
      var fm = st.funcMatch, func = m.func, size = m.size, total = m.total, z = st.zoom;
      for (var a = z; a !== 0; a = m.parent[a]) if (fm[func[a]]) return { w: total[z], nodes: 1 };
      var w = 0, nodes = 0, end = z + size[z];
      for (var i = z; i < end;) {
        if (fm[func[i]]) { w += total[i]; nodes++; i += size[i]; } else i++;
      }
      return { w: w, nodes: nodes };
    }
    function updateMatch() {
      var out = ui.match;
      out.classList.toggle('pv-match-error', !!st.searchError);
      if (st.searchError) {
        st.matchText = 'invalid regex: ' + st.searchError;
      } else if (!st.funcMatch) {
        st.matchText = '';
      } else {
        var mw = matchedWeight();
        if (mw.nodes === 0) st.matchText = st.zoom === 0 ? 'no match' : 'no match under ' + nameOf(st.zoom);
        else {
          var t = 'matched ' + formatWeight(unit, mw.w) + ': ';
          if (st.zoom !== 0) t += formatPct(mw.w, m.total[st.zoom]) + ' of ' + nameOf(st.zoom) + ' \u00b7 ';
          st.matchText = t + formatPct(mw.w, rootTotal) + ' of total';
        }
      }
      out.textContent = st.matchText;
      out.title = st.matchText;
    }

    /* ---- tooltip ---- */

    function tipRow(tbl, label, value, cls) {
      var tr = el('tr', cls ? { 'class': cls } : null, [el('th', { text: label }), el('td', { text: value })]);
      tbl.appendChild(tr);
    }
    function fillTip(i) {
      var tip = ui.tooltip;
      while (tip.firstChild) tip.removeChild(tip.firstChild);
      tip.appendChild(el('div', { 'class': 'pv-tip-name', text: nameOf(i) }));
      var loc = locationOf(i);
      if (loc) tip.appendChild(el('div', { 'class': 'pv-tip-loc', text: loc }));
      var tbl = el('table', { 'class': 'pv-tip-table' });
      var tot = m.total[i], self = m.self[i];
      var par = i === 0 ? -1 : m.parent[i];
      tipRow(tbl, 'total', formatWeight(unit, tot));
      tipRow(tbl, 'self', formatWeight(unit, self));
      tipRow(tbl, '% of total', formatPct(tot, rootTotal));
      tipRow(tbl, '% of parent', par >= 0 ? formatPct(tot, m.total[par]) : '\u2014');
      if (meta.count === 'samples') tipRow(tbl, 'samples', group3(m.csum[i].toFixed(0)));
      else if (meta.count === 'calls' && i !== 0) tipRow(tbl, 'calls', group3(m.count[i].toFixed(0)));
      if (isDiff) {
        var bt = m.btotal[i], bs = m.bself[i];
        tipRow(tbl, 'total before', formatWeight(unit, bt), 'pv-tip-diff');
        tipRow(tbl, 'total after', formatWeight(unit, tot));
        tipRow(tbl, 'total change', signed(formatWeight(unit, Math.abs(tot - bt)), tot - bt) +
          (bt > 0 ? ' (' + signed(formatPct(Math.abs(tot - bt), bt), tot - bt) + ')' : ''));
        tipRow(tbl, 'self before', formatWeight(unit, bs));
        tipRow(tbl, 'self after', formatWeight(unit, self));
        tipRow(tbl, 'self change', signed(formatWeight(unit, Math.abs(self - bs)), self - bs) +
          (bs > 0 ? ' (' + signed(formatPct(Math.abs(self - bs), bs), self - bs) + ')' : '') +
          ' = ' + signed(formatPct(Math.abs(self - bs), rootTotal), self - bs) + ' of total');
      }
      tip.appendChild(tbl);
      var fl = m.flags[i], notes = [];
      if (fl & FLAG_NEW) notes.push(['pv-note-new', 'new: this stack is not in the base']);
      if (fl & FLAG_ESTIMATED) notes.push(['pv-note-est', 'estimated: not pstats\u2019 own number for this path']);
      if (fl & FLAG_CUT) notes.push(['pv-note-cut', 'includes folded small calls']);
      notes.forEach(function (n) { tip.appendChild(el('div', { 'class': 'pv-tip-note ' + n[0], text: n[1] })); });
    }
    function fillSliverTip(s) {
      var tip = ui.tooltip, ord = ordering(m, st.order), w = 0;
      while (tip.firstChild) tip.removeChild(tip.firstChild);
      for (var k = s.first; k <= s.last; k++) w += m.total[ord.kids[k]];
      tip.appendChild(el('div', { 'class': 'pv-tip-name', text: s.count + ' boxes narrower than a pixel' }));
      tip.appendChild(el('div', { 'class': 'pv-tip-loc', text: 'under ' + nameOf(s.parent) }));
      var tbl = el('table', { 'class': 'pv-tip-table' });
      tipRow(tbl, 'total', formatWeight(unit, w));
      tipRow(tbl, '% of total', formatPct(w, rootTotal));
      tip.appendChild(tbl);
      tip.appendChild(el('div', { 'class': 'pv-tip-note', text: 'click to zoom into the largest' }));
    }
    function placeTip(cx, cy) {
      var tip = ui.tooltip;
      tip.hidden = false;
      var vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
      var r = tip.getBoundingClientRect();
      var x = cx + 14, y = cy + 16;
      if (x + r.width > vw - 4) x = Math.max(4, cx - r.width - 10);
      if (y + r.height > vh - 4) y = Math.max(4, cy - r.height - 10);
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    }
    function showTip(i, cx, cy) { fillTip(i); placeTip(cx, cy); }
    function hideTip() { ui.tooltip.hidden = true; }

    /* ---- events ---- */

    function localXY(ev) {
      var r = canvas.getBoundingClientRect();
      return [ev.clientX - r.left, ev.clientY - r.top];
    }
    function sliverTarget(s) {
      var ord = ordering(m, st.order), best = -1;
      for (var k = s.first; k <= s.last; k++) {
        var c = ord.kids[k];
        if (best < 0 || m.total[c] > m.total[best]) best = c;
      }
      return best;
    }
    function sliverOfHit(k) { return sliverInfo[-1 - hitNode[k]]; }

    on(canvas, 'mousemove', function (ev) {
      var p = localXY(ev), k = hitAt(p[0], p[1]);
      var node = k >= 0 ? hitNode[k] : -1;
      if (k >= 0 && node < 0) {
        var s = sliverOfHit(k);
        if (s) { fillSliverTip(s); placeTip(ev.clientX, ev.clientY); }
        canvas.style.cursor = 'pointer';
        if (st.hover !== -1) { st.hover = -1; requestDraw(); }
        return;
      }
      if (node !== st.hover) { st.hover = node; requestDraw(); }
      if (node >= 0) { showTip(node, ev.clientX, ev.clientY); canvas.style.cursor = 'pointer'; }
      else { hideTip(); canvas.style.cursor = ''; }
    });
    on(canvas, 'mouseleave', function () { hideTip(); if (st.hover !== -1) { st.hover = -1; requestDraw(); } });
    on(canvas, 'click', function (ev) {
      var p = localXY(ev), k = hitAt(p[0], p[1]);
      if (k < 0) return;
      var node = hitNode[k];
      if (node < 0) { var s = sliverOfHit(k); node = s ? sliverTarget(s) : -1; }
      if (node < 0) return;
      st.sel = node;
      zoomTo(node);
      hideTip();
      notify(opts.onSelect, node);
    });
    on(stage, 'scroll', function () { hideTip(); requestDraw(); });
    on(ui.search, 'input', runSearch);
    on(ui.search, 'keydown', function (ev) {
      if (ev.key === 'Escape') { if (ui.search.value) { ui.search.value = ''; runSearch(); } ui.search.blur(); ev.preventDefault(); }
      else if (ev.key === 'Enter') { ui.search.blur(); ev.preventDefault(); }
      ev.stopPropagation();
    });
    on(ui.icicle, 'click', function () { setFlame(false); });
    on(ui.flame, 'click', function () { setFlame(true); });
    on(ui.alpha, 'click', function () { setOrder('alpha'); });
    on(ui.heavy, 'click', function () { setOrder('heavy'); });
    on(ui.reset, 'click', reset);

    function setFlame(flame) {
      if (st.flame === flame) return;
      var maxScroll = Math.max(0, stage.scrollHeight - stage.clientHeight), top = stage.scrollTop;
      st.flame = flame;
      ui.icicle.setAttribute('aria-pressed', String(!flame));
      ui.flame.setAttribute('aria-pressed', String(flame));
      container.classList.toggle('pv-is-flame', flame);
      stage.scrollTop = maxScroll - top;        // keep the same levels in view
      hideTip();
      requestDraw();
    }
    function setOrder(order) {
      if (st.order === order) return;
      st.order = order;
      ui.alpha.setAttribute('aria-pressed', String(order === 'alpha'));
      ui.heavy.setAttribute('aria-pressed', String(order === 'heavy'));
      var tr = targetRange(st.zoom);
      st.anim = null; st.va = tr[0]; st.vb = tr[1];
      hideTip();
      requestDraw();
    }

    function siblingOf(i, step) {
      if (i === 0) return -1;
      var ord = ordering(m, st.order), par = m.parent[i], cs = m.childStart;
      for (var k = cs[par]; k < cs[par + 1]; k++) {
        if (ord.kids[k] !== i) continue;
        for (var j = k + step; j >= cs[par] && j < cs[par + 1]; j += step) {
          if (m.total[ord.kids[j]] > 0) return ord.kids[j];
        }
        return -1;
      }
      return -1;
    }
    function heaviestChild(i) {
      var best = -1, cs = m.childStart, kids = m.kidsAlpha;
      for (var k = cs[i]; k < cs[i + 1]; k++) {
        var c = kids[k];
        if (best < 0 || m.total[c] > m.total[best]) best = c;
      }
      return best;
    }
    function isTyping(t) {
      return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    }
    on(document, 'keydown', function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target) || ev.defaultPrevented) return;
      if (opts.keys === 'focus' && !container.contains(ev.target)) return;
      var tag = ev.target && ev.target.tagName;
      if ((tag === 'BUTTON' || tag === 'A') && (ev.key === 'Enter' || ev.key === ' ')) return;
      var cur = st.sel >= 0 ? st.sel : st.zoom, next;
      switch (ev.key) {
        // With nothing selected, Down starts below the zoomed box, the others on it.
        case 'ArrowUp':
          next = st.sel < 0 || cur === 0 ? cur : m.parent[cur];
          select(next, true); break;
        case 'ArrowDown':
          next = heaviestChild(cur);
          if (next >= 0) select(next, true); break;
        case 'ArrowLeft':
        case 'ArrowRight':
          next = st.sel < 0 ? cur : siblingOf(cur, ev.key === 'ArrowLeft' ? -1 : 1);
          if (next >= 0) select(next, true); break;
        case 'Enter':
          if (st.sel >= 0) { zoomTo(st.sel); hideTip(); notify(opts.onSelect, st.sel); } break;
        case 'Escape':
        case 'Backspace':
          if (st.zoom !== 0) { var up = m.parent[st.zoom]; if (st.sel < 0 || !isAncestor(up, st.sel)) st.sel = st.zoom; zoomTo(up); }
          hideTip(); break;
        case 'r': case 'R': reset(); hideTip(); break;
        case '/': ui.search.focus(); ui.search.select(); break;
        case 'f': case 'F': setFlame(!st.flame); break;
        case 'h': case 'H': setOrder(st.order === 'alpha' ? 'heavy' : 'alpha'); break;
        default: return;
      }
      ev.preventDefault();
    });

    var ro = null;
    if (global.ResizeObserver) {
      ro = new ResizeObserver(function () { resize(); draw(); });
      ro.observe(stage);
    }
    on(global, 'resize', function () { resize(); requestDraw(); });
    if (global.matchMedia) {
      var mq = global.matchMedia('(prefers-color-scheme: dark)');
      var onScheme = function () { refreshTheme(); };
      if (mq.addEventListener) on(mq, 'change', onScheme);
    }

    /* ---- header and legend ---- */

    var KIND_TEXT = { calls: 'cProfile calls', sampled: 'sampled', evented: 'evented' };
    function fillHeader() {
      var title = meta.title ? String(meta.title) : 'profile';
      ui.title.textContent = title;
      if (container.ownerDocument === document && document.getElementById('pv-meta')) document.title = title + ' \u2014 profview icicle';
      var parts = [];
      if (meta.profile_format) parts.push(String(meta.profile_format));
      parts.push((KIND_TEXT[meta.kind] || String(meta.kind || '')) + (meta.estimated ? ' (estimated tree)' : ''));
      parts.push('unit: ' + unit);
      parts.push('total ' + formatWeight(unit, rootTotal));
      if (isDiff) {
        var d = meta.diff, bt = typeof d.base_total === 'number' ? d.base_total : m.btotal[0];
        parts.push('base ' + String(d.base_title || '') + ': ' + formatWeight(unit, bt) +
          (d.normalized && d.scale !== 1 ? ' (scaled \u00d7' + (+d.scale).toPrecision(3) + ')' : ''));
      }
      parts.push(group3(String(m.n - 1)) + ' boxes');
      if (!(rootTotal > 0)) parts.push('empty: nothing to draw');
      if (meta.cut && meta.cut.nodes) parts.push(group3(String(meta.cut.nodes)) + ' small boxes folded');
      if (meta.folded && meta.folded.boxes) parts.push(foldedText(meta.folded));
      ui.summary.textContent = parts.filter(Boolean).join(' \u00b7 ');
      if (meta.source) ui.summary.title = String(meta.source);
    }
    // What the estimated tree's budget left out, worded as the command line's note.
    function foldedText(f) {
      return 'folded away: ' + group3(String(f.boxes)) + ' boxes under ' + formatWeight(unit, +f.min_weight || 0) +
        ' (' + formatWeight(unit, +f.weight || 0) + ' in all)';
    }
    function fillLegend() {
      function show(key, yes) { if (ui[key]) ui[key].hidden = !yes; }
      show('legend-files', !isDiff);
      show('legend-builtin', !isDiff && meta.files && meta.files.indexOf('~') >= 0);
      show('legend-diff', isDiff);
      show('legend-new', isDiff);
      show('legend-estimated', !!meta.estimated);
      show('legend-cut', !!meta.cut);
      show('legend-folded', !!(meta.folded && meta.folded.boxes));
      if (meta.folded && meta.folded.boxes && ui['legend-folded-text']) {
        ui['legend-folded-text'].textContent = 'FOLDED AWAY: the estimated tree is bounded at ' +
          group3(String(meta.folded.max_frames || 0)) + ' frames; ' + foldedText(meta.folded) +
          '; their functions\u2019 time is in their other boxes, or under [folded away]';
      }
      if (isDiff && ui['legend-diff-text']) {
        var mx = formatPct(m.maxAbsDiff, rootTotal);
        ui['legend-diff-text'].textContent = 'change in self: blue = less, red = more, white = same (full colour = ' +
          mx + ' of total)';
      }
      if (meta.cut && ui['legend-cut-text']) {
        ui['legend-cut-text'].textContent = 'CUT: ' + group3(String(meta.cut.nodes || 0)) + ' boxes under ' +
          formatWeight(unit, +meta.cut.min_weight || 0) + ' folded into their parent\u2019s self';
      }
      if (!isDiff && ui['legend-files']) {
        // The heaviest files by self weight, with their colours.
        var byFile = new Float64Array(m.files.length);
        for (var i = 1; i < m.n; i++) byFile[m.funcFile[m.func[i] - 1]] += m.self[i];
        var idx = [];
        for (var f = 0; f < m.files.length; f++) if (byFile[f] > 0 && m.files[f] && m.files[f] !== '~') idx.push(f);
        idx.sort(function (a, b) { return byFile[b] - byFile[a]; });
        var li = ui['legend-files'];
        var old = li.querySelectorAll('.pv-file');
        for (var o = 0; o < old.length; o++) li.removeChild(old[o]);
        var shown = idx.slice(0, 5), seen = {};
        function tail(path, k) { return path.split(/[\\/]/).slice(-k).join('/'); }
        shown.forEach(function (fi) { var b = tail(m.files[fi], 1); seen[b] = (seen[b] || 0) + 1; });
        shown.forEach(function (fi) {
          var path = m.files[fi], base = seen[tail(path, 1)] > 1 ? tail(path, 2) : tail(path, 1);
          var sw = el('span', { 'class': 'pv-swatch' });
          sw.style.background = fileColour(path);
          li.appendChild(el('span', { 'class': 'pv-file', title: path }, [sw, el('span', { text: base })]));
        });
      }
    }

    function refreshTheme() { readTheme(); hatch = null; requestDraw(); }

    /* ---- start ---- */

    container.classList.toggle('pv-is-diff', isDiff);
    container.classList.toggle('pv-is-flame', st.flame);
    ui.icicle.setAttribute('aria-pressed', String(!st.flame));
    ui.flame.setAttribute('aria-pressed', String(st.flame));
    readTheme();
    fillHeader();
    fillLegend();
    updateCrumbs();
    resize();
    if (st.flame) stage.scrollTop = stage.scrollHeight;     // a flame graph starts at its root
    ordering(m, 'alpha');
    var tLaid = performance.now();
    draw();
    var tDrawn = performance.now();

    var api = {
      meta: meta,
      model: m,
      zoomTo: function (i, animate) { zoomTo(i, animate); },
      select: function (i) { select(i, false); },
      nodeInfo: function (i) { return i >= 0 && i < m.n ? nodeInfo(i) : null; },
      nodeAtPath: nodeAtPath,
      get zoomed() { return st.zoom; },
      refreshTheme: refreshTheme,
      reset: reset,
      setFlame: setFlame,
      setOrder: setOrder,
      redraw: function () { resize(); draw(); },
      destroy: function () {
        listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2], l[3]); });
        listeners = [];
        if (ro) ro.disconnect();
        hideTip();
        st.anim = null;
        opts = {};
      }
    };

    // Read-only hook for tests and debugging.
    function boxRect(k) {
      var r = canvas.getBoundingClientRect();
      return { x: r.left + hitX[k], y: r.top + hitY[k], w: hitW[k], h: ROW_H - 1 };
    }
    api.debug = {
      timings: { decodeMs: tDecoded - tStart, layoutMs: tLaid - tDecoded, firstDrawMs: tDrawn - tLaid },
      get firstDrawAt() { return st.firstDrawAt; },
      get lastDrawMs() { return st.lastDrawMs; },
      state: function () {
        var boxes = 0, slv = 0;
        for (var k = 0; k < hitN; k++) { if (hitNode[k] >= 0) boxes++; else slv++; }
        return {
          zoom: nameOf(st.zoom), zoomIndex: st.zoom,
          selected: st.sel >= 0 ? nameOf(st.sel) : null,
          breadcrumb: Array.prototype.map.call(ui.crumbs.querySelectorAll('button'), function (b) { return b.textContent; }),
          visibleBoxes: boxes, slivers: slv,
          orientation: st.flame ? 'flame' : 'icicle', order: st.order === 'alpha' ? 'alphabetical' : 'left-heavy',
          animating: !!st.anim || st.drawPending,
          matchText: st.matchText, searchError: st.searchError,
          nodes: m.n, total: rootTotal, canvasWidth: st.cssW, canvasHeight: st.cssH
        };
      },
      boxes: function () {
        var out = [];
        for (var k = 0; k < hitN; k++) {
          if (hitNode[k] < 0) continue;
          var b = boxRect(k);
          b.name = nameOf(hitNode[k]); b.node = hitNode[k]; b.depth = m.depth[hitNode[k]];
          out.push(b);
        }
        return out;
      },
      rectOf: function (name) {
        var best = -1;
        for (var k = 0; k < hitN; k++) {
          if (hitNode[k] >= 0 && nameOf(hitNode[k]) === name && (best < 0 || hitW[k] > hitW[best])) best = k;
        }
        return best < 0 ? null : boxRect(best);
      },
      canvasRect: function () { var r = canvas.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; },
      orderOfChildren: function (name) {
        var i = -1;
        for (var k = 0; k < hitN; k++) if (hitNode[k] >= 0 && nameOf(hitNode[k]) === name) { i = hitNode[k]; break; }
        if (i < 0) return null;
        var ord = ordering(m, st.order), out = [];
        for (var c = m.childStart[i]; c < m.childStart[i + 1]; c++) out.push(nameOf(ord.kids[c]));
        return out;
      }
    };
    return api;
  }

  /* ------------------------------------------------------------------ */
  /* Boot from the page                                                  */
  /* ------------------------------------------------------------------ */

  function boot() {
    var metaEl = document.getElementById('pv-meta'), nodesEl = document.getElementById('pv-nodes');
    if (!metaEl || !nodesEl) return null;
    var container = document.getElementById('pv-app') || document.body;
    var meta, bytes;
    try {
      meta = JSON.parse(metaEl.textContent);
      bytes = base64ToBytes(nodesEl.textContent);
    } catch (err) {
      var ui = bindUI(container);
      ui.error.textContent = 'Cannot read the profile data: ' + (err && err.message ? err.message : String(err));
      ui.error.hidden = false;
      return null;
    }
    var view = create(container, meta, bytes);
    global.__pvIcicle = view.debug;
    return view;
  }

  global.PVIcicle = { boot: boot, create: create, decode: base64ToBytes, formatWeight: formatWeight, version: 1 };

  if (typeof document !== 'undefined') {
    var start = function () { if (document.getElementById('pv-meta') && document.getElementById('pv-nodes')) boot(); };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  }
})(typeof window !== 'undefined' ? window : this);
