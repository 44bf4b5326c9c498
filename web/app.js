/* profview serve: the web UI.
 *
 * One page for every URL the server answers with app.html; it reads its state
 * from the URL (see "Routes" below) and fetches everything from the same
 * origin's /api/ (docs/serve-api.md). Plain ES2019, no dependencies.
 *
 * Every name that comes from the API is data: it reaches the DOM only through
 * textContent and attribute setters (h() below), never as HTML.
 */
(function (global) {
  'use strict';

  var PV = global.PVIcicle;
  var doc = global.document;
  var DEPTH = 24;                    // icicle levels fetched at once
  var DEFAULT_LIMIT = 200;           // table rows
  var THEME_KEY = 'profview.theme';

  /* ------------------------------------------------------------------ */
  /* DOM helpers                                                         */
  /* ------------------------------------------------------------------ */

  // h('tag', {class, text, title, on: {click: fn}, ...attributes}, [children or strings])
  function h(tag, attrs, kids) {
    var e = tag.indexOf(':') >= 0 ? doc.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : doc.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'on') { for (var ev in v) if (Object.prototype.hasOwnProperty.call(v, ev)) e.addEventListener(ev, v[ev]); }
        else if (k === 'class') e.className = v;
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    if (kids) append(e, kids);
    return e;
  }
  function append(e, kids) {
    for (var i = 0; i < kids.length; i++) {
      var c = kids[i];
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? doc.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function setKids(e, kids) { clear(e); return append(e, kids); }
  function isTyping(t) {
    return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  }
  function debounce(fn, ms) {
    var t = 0;
    var d = function () { var a = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, a); }, ms); };
    d.cancel = function () { clearTimeout(t); };
    return d;
  }

  /* ------------------------------------------------------------------ */
  /* Formatting                                                          */
  /* ------------------------------------------------------------------ */

  function group3(s) {
    s = String(s);
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var dot = s.indexOf('.'), ip = dot < 0 ? s : s.slice(0, dot), fp = dot < 0 ? '' : s.slice(dot);
    return (neg ? '\u2212' : '') + ip.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + fp;
  }
  function fmtCount(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '\u2014';
    return v === Math.floor(v) ? group3(v.toFixed(0)) : group3(v.toFixed(1));
  }
  // A weight in its unit: "12.3 ms", "1.20 s", "3.0 MiB"; sample counts bare ("1,878") unless long.
  // The unit is always the server's (the profile's "unit"): the page never decides one.
  function fmtW(unit, v, long) {
    if (typeof v !== 'number' || !isFinite(v)) return '\u2014';
    if (v === 0) return long ? PV.formatWeight(unit, 0) : '0';
    if ((unit === 'samples' || unit === 'none') && !long) return fmtCount(v);
    return PV.formatWeight(unit, v);
  }
  function fmtCalls(calls, prim) {
    if (typeof calls !== 'number') return '\u2014';
    return prim === undefined || prim === null || prim === calls ? fmtCount(calls) : fmtCount(calls) + '/' + fmtCount(prim);
  }
  function fmtPct(part, whole) {
    if (!(whole > 0) || typeof part !== 'number') return '\u2014';
    var p = part / whole * 100, a = Math.abs(p);
    if (a === 0) return '0%';
    if (a < 0.01) return '<0.01%';
    return (a >= 99.95 ? p.toFixed(0) : a >= 10 ? p.toFixed(1) : p.toFixed(2)) + '%';
  }
  function fmtSignedPct(p) {
    if (p === null || p === undefined || !isFinite(p)) return '';
    var a = Math.abs(p), s = a >= 1000 ? group3(a.toFixed(0)) : a >= 10 ? a.toFixed(1) : a.toFixed(2);
    return p > 0 ? '+' + s + '%' : p < 0 ? '\u2212' + s + '%' : '0%';
  }
  function fmtSignedW(unit, v) {
    if (typeof v !== 'number' || !isFinite(v)) return '\u2014';
    if (v === 0) return '0';
    var s = fmtW(unit, Math.abs(v));
    return (v > 0 ? '+' : '\u2212') + s;
  }
  function fmtWhen(iso) {
    var t = Date.parse(iso);
    if (!isFinite(t)) return { text: String(iso || ''), title: '' };
    var d = new Date(t), s = (Date.now() - t) / 1000, text;
    if (s < 45 && s > -60) text = 'just now';
    else if (s < 3600 && s > 0) text = Math.round(s / 60) + ' min ago';
    else if (s < 86400 && s > 0) text = Math.round(s / 3600) + ' h ago';
    else if (s < 86400 * 6 && s > 0) text = Math.round(s / 86400) + ' d ago';
    else text = d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
    return { text: text, title: d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' +
      pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds()) + ' (' + iso + ')' };
  }
  function pad2(n) { return n < 10 ? '0' + n : String(n); }
  function basename(p) { var s = String(p || ''); var k = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')); return k >= 0 ? s.slice(k + 1) : s; }
  function profileTitle(p) { return p ? (p.name || basename(p.source) || 'profile ' + p.id) : ''; }
  var KIND_TEXT = { calls: 'cProfile', sampled: 'sampled', evented: 'evented' };

  // A function's name as spans: muted directory, file:line, the name emphasised.
  function funcLabel(row, kind) {
    var file = row.file === undefined ? '' : String(row.file), name = String(row.name === undefined ? '' : row.name);
    var line = row.line || 0;
    if (kind && kind !== 'calls') {
      var loc = file ? (line ? file + ':' + line : file) : '';
      return h('span', { 'class': 'fn' }, [h('span', { 'class': 'fn-name', text: name }),
        loc ? h('span', { 'class': 'fn-loc', text: ' (' + loc + ')' }) : null]);
    }
    if (!file || file === '~') {
      var std = row.stdname || row.display || stdBuiltin(name, line);
      return h('span', { 'class': 'fn fn-builtin' }, [h('span', { 'class': 'fn-name', text: String(std) })]);
    }
    var k = file.lastIndexOf('/');
    return h('span', { 'class': 'fn' }, [
      k >= 0 ? h('span', { 'class': 'fn-dir', text: file.slice(0, k + 1) }) : null,
      h('span', { 'class': 'fn-file', text: file.slice(k + 1) + ':' + line + '(' }),
      h('span', { 'class': 'fn-name', text: name }),
      h('span', { 'class': 'fn-file', text: ')' })]);
  }
  // pstats' func_std_string for a built-in: '{built-in method len}' for '<built-in method len>'.
  function stdBuiltin(name, line) {
    if (line) return '~:' + line + '(' + name + ')';
    return name.charAt(0) === '<' && name.charAt(name.length - 1) === '>' ? '{' + name.slice(1, -1) + '}' : name;
  }
  function funcText(row, kind) {
    if (row.display) return String(row.display);
    if (row.stdname) return String(row.stdname);
    var file = String(row.file || ''), line = row.line || 0, name = String(row.name || '');
    if (kind && kind !== 'calls') return file ? name + ' (' + (line ? file + ':' + line : file) + ')' : name;
    return file === '~' ? stdBuiltin(name, line) : file + ':' + line + '(' + name + ')';
  }
  function locText(file, line) {
    file = String(file || '');
    if (file === '~') return 'built-in';
    if (!file) return line ? 'line ' + line : '';
    return line ? file + ':' + line : file;
  }

  /* ------------------------------------------------------------------ */
  /* The API                                                             */
  /* ------------------------------------------------------------------ */

  var busy = 0;
  function setBusy(d) {
    busy += d;
    doc.documentElement.setAttribute('data-busy', String(busy));
    var b = doc.getElementById('busy');
    if (b) b.hidden = busy === 0;
  }
  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }
  ApiError.prototype.toString = function () { return this.message; };

  // Query string from [[k, v], ...] (or an object), leaving out empty values.
  function qs(params) {
    var pairs = Array.isArray(params) ? params : Object.keys(params || {}).map(function (k) { return [k, params[k]]; });
    var u = new URLSearchParams();
    pairs.forEach(function (p) {
      var v = p[1];
      if (v === null || v === undefined || v === '' || v === false) return;
      if (Array.isArray(v)) v.forEach(function (x) { u.append(p[0], String(x)); });
      else u.append(p[0], v === true ? '1' : String(v));
    });
    var s = u.toString();
    return s ? '?' + s : '';
  }
  function request(path, params, asText) {
    setBusy(1);
    var url = path + qs(params);
    return fetch(url, { headers: { Accept: asText ? 'image/svg+xml, application/json' : 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.text().then(function (body) {
          if (!r.ok) {
            var msg = r.status + ' ' + (r.statusText || 'error');
            try { var j = JSON.parse(body); if (j && j.error && j.error.message) msg = String(j.error.message); } catch (e) { /* not JSON */ }
            throw new ApiError(r.status, msg);
          }
          if (asText) return body;
          try { return JSON.parse(body); } catch (e) { throw new ApiError(0, 'the server sent something that is not JSON (' + url + ')'); }
        });
      }, function (err) {
        throw new ApiError(0, 'cannot reach the server: ' + (err && err.message ? err.message : String(err)));
      })
      .then(function (v) { setBusy(-1); return v; }, function (e) { setBusy(-1); throw e; });
  }
  function api(path, params) { return request(path, params, false); }
  function apiText(path, params) { return request(path, params, true); }
  function P(ref) { return '/api/profiles/' + encodeURIComponent(ref); }
  function bytesOf(b64) { return PV.decode(b64); }

  /* ------------------------------------------------------------------ */
  /* Routes                                                              */
  /* ------------------------------------------------------------------ */
  /*
   *  /?q=TEXT                                   the profile list
   *  /p/REF[/table]?by=&reverse=1&match=&limit=&strip_dirs=1
   *  /p/REF/icicle?path=F1,F2,...               zoomed stack (function indexes)
   *  /p/REF/sandwich?func=N
   *  /p/REF/callgraph?node_thres=&edge_thres=&root=&leaf=&depth=&theme=&color_by=&strip_dirs=1
   *  /p/REF/diff                                choose a base
   *  /compare/BASE/NEW?by=&match=&limit=&strip_dirs=1&ignore_lines=1&match_names=1&normalize=1
   */
  var VIEWS = [
    { id: 'table', label: 'Table', key: '1' },
    { id: 'icicle', label: 'Icicle', key: '2' },
    { id: 'sandwich', label: 'Sandwich', key: '3' },
    { id: 'callgraph', label: 'Call graph', key: '4' },
    { id: 'diff', label: 'Diff', key: '5' }
  ];

  function parseRoute(loc) {
    var segs = loc.pathname.split('/').filter(function (s) { return s !== ''; });
    var dec = function (s) { try { return decodeURIComponent(s); } catch (e) { return s; } };
    segs = segs.map(dec);
    var params = new URLSearchParams(loc.search);
    if (segs.length === 0) return { page: 'list', params: params };
    if (segs[0] === 'p' && segs.length >= 2 && segs.length <= 3) {
      var view = segs[2] || 'table';
      if (!VIEWS.some(function (v) { return v.id === view; })) return { page: 'notfound', params: params };
      return { page: 'profile', ref: segs[1], view: view, params: params, base: view === 'diff' ? params.get('base') : null };
    }
    if (segs[0] === 'compare' && segs.length === 3) {
      return { page: 'profile', ref: segs[2], base: segs[1], view: 'diff', compare: true, params: params };
    }
    return { page: 'notfound', params: params };
  }
  function profileUrl(ref, view, params) {
    return '/p/' + encodeURIComponent(ref) + (view && view !== 'table' ? '/' + view : '') + qs(params);
  }
  function compareUrl(base, neu, params) {
    return '/compare/' + encodeURIComponent(base) + '/' + encodeURIComponent(neu) + qs(params);
  }
  function sandwichUrl(ref, index) { return profileUrl(ref, 'sandwich', [['func', index]]); }

  function go(url, replace) {
    if (url === location.pathname + location.search && !replace) return render();
    history[replace ? 'replaceState' : 'pushState'](null, '', url);
    render();
  }
  // Changes the URL without re-rendering (the view already shows that state).
  function note(url, push) {
    if (url === location.pathname + location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', url);
    if (app.shell) app.shell.remember();
  }

  /* ------------------------------------------------------------------ */
  /* Theme                                                               */
  /* ------------------------------------------------------------------ */

  var darkMq = global.matchMedia ? global.matchMedia('(prefers-color-scheme: dark)') : null;
  function storedTheme() { try { return global.localStorage.getItem(THEME_KEY); } catch (e) { return null; } }
  function effectiveTheme() {
    var t = doc.documentElement.getAttribute('data-theme');
    if (t === 'dark' || t === 'light') return t;
    return darkMq && darkMq.matches ? 'dark' : 'light';
  }
  function applyTheme() {
    var t = storedTheme();
    if (t === 'dark' || t === 'light') doc.documentElement.setAttribute('data-theme', t);
    else doc.documentElement.removeAttribute('data-theme');
    var btn = doc.getElementById('theme');
    if (btn) {
      var dark = effectiveTheme() === 'dark';
      btn.setAttribute('aria-pressed', String(dark));
      btn.title = dark ? 'Switch to the light theme (t)' : 'Switch to the dark theme (t)';
    }
    themeListeners.forEach(function (fn) { try { fn(); } catch (e) { setTimeout(function () { throw e; }, 0); } });
  }
  var themeListeners = [];
  function toggleTheme() {
    var next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    try { global.localStorage.setItem(THEME_KEY, next); } catch (e) { /* private mode: this page only */ doc.documentElement.setAttribute('data-theme', next); }
    applyTheme();
    if (storedTheme() === null) doc.documentElement.setAttribute('data-theme', next);
  }

  /* ------------------------------------------------------------------ */
  /* Shared pieces                                                       */
  /* ------------------------------------------------------------------ */

  function errorBox(title, err, actions) {
    var status = err && err.status ? err.status : 0;
    return h('div', { 'class': 'errbox', role: 'alert', 'data-status': status || null }, [
      h('strong', { text: title }),
      h('p', { 'class': 'errmsg', text: err && err.message ? err.message : String(err) }),
      actions && actions.length ? h('p', { 'class': 'erractions' }, actions) : null]);
  }
  function loadingBox(text) {
    return h('div', { 'class': 'loading', role: 'status' }, [h('span', { 'class': 'spinner', 'aria-hidden': 'true' }), text || 'Loading\u2026']);
  }
  function button(text, attrs, onclick) {
    var a = attrs || {};
    a.type = 'button';
    a.text = text;
    if (onclick) a.on = { click: onclick };
    if (!a['class']) a['class'] = 'btn';
    return h('button', a);
  }
  function navLink(href, text, cls, attrs) {
    var a = attrs || {};
    a.href = href; a['class'] = cls || null; a.text = text;
    return h('a', a);
  }
  function checkbox(label, checked, title) {
    var input = h('input', { type: 'checkbox' });
    input.checked = !!checked;
    return { input: input, el: h('label', { 'class': 'check', title: title || null }, [input, h('span', { text: label })]) };
  }
  function selectBox(options, value, label) {
    var s = h('select', { 'class': 'select', 'aria-label': label || null });
    options.forEach(function (o) {
      var opt = h('option', { value: o[0], text: o[1] });
      s.appendChild(opt);
    });
    s.value = value;
    return s;
  }
  function searchInput(placeholder, label, key) {
    var input = h('input', { type: 'search', 'class': 'input', placeholder: placeholder, 'aria-label': label,
      spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off' });
    var wrap = h('label', { 'class': 'searchbox' }, [h('span', { 'class': 'searchicon', 'aria-hidden': 'true' }), input,
      key ? h('kbd', { 'class': 'searchkey', text: key }) : null]);
    return { input: input, el: wrap };
  }
  // Marks an input invalid with a message under it (or clears it).
  function fieldError(input, out, msg) {
    if (msg) { input.setAttribute('aria-invalid', 'true'); out.textContent = msg; out.hidden = false; }
    else { input.removeAttribute('aria-invalid'); out.textContent = ''; out.hidden = true; }
  }
  // Sort header: a button in a th with aria-sort.
  function sortHeader(th, label, key, cur, onSort, title) {
    if (!key) { th.appendChild(h('span', { 'class': 'thlabel', text: label, title: title || null })); return; }
    var active = cur.by === key;
    var dir = active ? (cur.reverse ? 'ascending' : 'descending') : null;
    if (active && cur.ascKeys && cur.ascKeys[key]) dir = cur.reverse ? 'descending' : 'ascending';
    if (dir) th.setAttribute('aria-sort', dir);
    th.appendChild(h('button', { type: 'button', 'class': 'sortbtn' + (active ? ' active' : ''), title: title || ('Sort by ' + label),
      on: { click: function () { onSort(key); } } }, [label, h('span', { 'class': 'sortmark', 'aria-hidden': 'true', text: dir === 'ascending' ? '\u25B2' : dir === 'descending' ? '\u25BC' : '' })]));
  }

  // Arrow keys move between the rows' links of a table body.
  function rowKeys(tbody) {
    tbody.addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
      var tr = ev.target.closest ? ev.target.closest('tr') : null;
      if (!tr) return;
      var next = ev.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
      var a = next ? next.querySelector('a, input, button') : null;
      if (a) { a.focus(); ev.preventDefault(); }
    });
  }
  // A row opens its link when clicked anywhere (not on a control).
  function rowClicks(tbody) {
    tbody.addEventListener('click', function (ev) {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
      var t = ev.target;
      if (t.closest('a, button, input, label, select')) return;
      var tr = t.closest('tr');
      var a = tr ? tr.querySelector('a.rowlink') : null;
      if (a) { ev.preventDefault(); a.click(); }
    });
  }

  /* ------------------------------------------------------------------ */
  /* The profile list                                                    */
  /* ------------------------------------------------------------------ */

  function listPage() {
    var search = searchInput('Search name, source, format or thread', 'Search profiles', '/');
    var compareBtn = button('Compare', { 'class': 'btn primary', disabled: true, title: 'Select two profiles to compare' }, doCompare);
    var hint = h('span', { 'class': 'muted small', text: 'Select two to compare' });
    var countEl = h('span', { 'class': 'count' });
    var tbody = h('tbody');
    var table = h('table', { 'class': 'grid listgrid' }, [
      h('thead', null, [h('tr', null, [
        h('th', { 'class': 'selcol' }, [h('span', { 'class': 'sr', text: 'Select' })]),
        h('th', { 'class': 'num', text: 'id' }), h('th', { text: 'Name' }), h('th', { text: 'Format' }),
        h('th', { text: 'Kind' }), h('th', { text: 'Imported' }), h('th', { 'class': 'num', text: 'Total' }),
        h('th', { 'class': 'num', text: 'Functions' }), h('th', { text: 'Source' })])]), tbody]);
    var more = button('Show more', { 'class': 'btn', hidden: true }, function () { load(shown.length); });
    var body = h('div', { 'class': 'listbody' }, [h('div', { 'class': 'tablewrap' }, [table]), h('div', { 'class': 'more' }, [more])]);
    var el = h('section', { 'class': 'page listpage', 'data-view': 'list' }, [
      h('div', { 'class': 'pagehead' }, [h('h1', { text: 'Profiles' }), countEl]),
      h('div', { 'class': 'toolbar' }, [search.el, h('span', { 'class': 'spring' }), hint, compareBtn]),
      body]);
    var selected = [];          // profiles, in the order ticked
    var shown = [];
    var q = null, seq = 0;
    rowKeys(tbody);
    rowClicks(tbody);

    function doCompare() {
      if (selected.length !== 2) return;
      var a = selected[0], b = selected[1];
      // base = the older one
      var older = (a.imported_at < b.imported_at || (a.imported_at === b.imported_at && a.id < b.id)) ? a : b;
      var newer = older === a ? b : a;
      go(compareUrl(older.id, newer.id));
    }
    function syncSelection() {
      compareBtn.disabled = selected.length !== 2;
      hint.textContent = selected.length === 2 ? 'Compare ' + profileTitle(selected[0]) + ' and ' + profileTitle(selected[1])
        : selected.length === 1 ? 'Select one more to compare' : 'Select two to compare';
      Array.prototype.forEach.call(tbody.querySelectorAll('tr'), function (tr) {
        var on = selected.some(function (p) { return String(p.id) === tr.getAttribute('data-id'); });
        tr.classList.toggle('selected', on);
        var cb = tr.querySelector('input[type=checkbox]');
        if (cb) cb.checked = on;
      });
    }
    function row(p) {
      var when = fmtWhen(p.imported_at);
      var cb = h('input', { type: 'checkbox', 'aria-label': 'Select ' + profileTitle(p) + ' to compare' });
      cb.addEventListener('change', function () {
        selected = selected.filter(function (x) { return x.id !== p.id; });
        if (cb.checked) { selected.push(p); if (selected.length > 2) selected.shift(); }
        syncSelection();
      });
      var nameLink = navLink(profileUrl(p.id), profileTitle(p), 'rowlink strong');
      return h('tr', { 'data-id': p.id }, [
        h('td', { 'class': 'selcol' }, [cb]),
        h('td', { 'class': 'num muted', text: p.id }),
        h('td', { 'class': 'namecol' }, [nameLink, p.thread ? h('span', { 'class': 'tag', text: p.thread }) : null,
          p.part ? h('span', { 'class': 'tag', text: 'part ' + p.part }) : null]),
        h('td', { text: p.format || '' }),
        h('td', null, [h('span', { 'class': 'kind kind-' + (p.kind || 'x'), text: KIND_TEXT[p.kind] || p.kind || '' })]),
        h('td', { text: when.text, title: when.title }),
        h('td', { 'class': 'num', text: fmtW(p.unit, p.total, true), title: String(p.total) + ' ' + p.unit }),
        h('td', { 'class': 'num', text: fmtCount(p.function_count) }),
        h('td', { 'class': 'srccol mono', text: p.source || '', title: p.source || '' })]);
    }
    function load(offset) {
      var my = ++seq;
      if (!offset) el.setAttribute('data-state', 'loading');
      return api('/api/profiles', [['q', q], ['offset', offset || null]]).then(function (res) {
        if (my !== seq) return;
        if (!offset) { shown = []; clear(tbody); }
        var rows = res.profiles || [];
        shown = shown.concat(rows);
        rows.forEach(function (p) { tbody.appendChild(row(p)); });
        var total = res.total || 0;
        countEl.textContent = q ? group3(total) + ' matching \u201c' + q + '\u201d' : group3(total) + (total === 1 ? ' profile' : ' profiles') + ' in the store';
        more.hidden = shown.length >= total;
        more.textContent = 'Show more (' + group3(total - shown.length) + ' left)';
        var empty = body.querySelector('.empty');
        if (empty) empty.remove();
        if (total === 0) {
          body.insertBefore(h('div', { 'class': 'empty' }, q ? [h('p', { text: 'No profile matches \u201c' + q + '\u201d.' })] : [
            h('p', { text: 'The store is empty.' }),
            h('p', { 'class': 'muted' }, ['Import a profile with ', h('code', { text: 'profview import FILE.prof' }), ' and reload this page.'])]), body.firstChild);
        }
        syncSelection();
        el.setAttribute('data-state', 'ready');
      }, function (err) {
        if (my !== seq) return;
        clear(tbody);
        var old = body.querySelector('.errbox, .empty');
        if (old) old.remove();
        body.insertBefore(errorBox('Cannot list the profiles', err, [button('Retry', null, function () { load(0); })]), body.firstChild);
        el.setAttribute('data-state', 'error');
      });
    }
    var typed = debounce(function () {
      var v = search.input.value.trim();
      note('/' + qs([['q', v]]));
      if (v !== (q || '')) { q = v || null; load(0); }
    }, 220);
    search.input.addEventListener('input', typed);
    search.input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { typed.cancel(); var v = search.input.value.trim(); note('/' + qs([['q', v]])); q = v || null; load(0); }
      else if (ev.key === 'Escape') { if (search.input.value) { search.input.value = ''; typed(); } else search.input.blur(); }
    });

    return {
      el: el,
      title: 'Profiles',
      update: function (route) {
        var nq = route.params.get('q') || null;
        if (doc.activeElement !== search.input) search.input.value = nq || '';
        if (nq !== q || !shown.length) { q = nq; load(0); }
      },
      focusSearch: function () { search.input.focus(); search.input.select(); },
      destroy: function () { typed.cancel(); seq++; }
    };
  }

  /* ------------------------------------------------------------------ */
  /* A profile: header, tabs, and one view                               */
  /* ------------------------------------------------------------------ */

  function profileShell(ref) {
    var titleEl = h('h1', { 'class': 'ptitle', text: ref });
    var metaEl = h('p', { 'class': 'pmeta' });
    var tabs = h('nav', { 'class': 'tabs', 'aria-label': 'Views' });
    var pbody = h('div', { 'class': 'pbody' });
    var el = h('section', { 'class': 'page profilepage' }, [
      h('div', { 'class': 'phead' }, [titleEl, metaEl]), tabs, pbody]);
    var lastUrl = {};               // view -> the URL it last showed
    var tabEls = {};
    var shell = {
      ref: ref, el: el, body: pbody, profile: null, summary: null, view: null, viewId: null,
      ready: null, funcMaps: {},
      remember: function () { if (shell.viewId) lastUrl[shell.viewId] = location.pathname + location.search; updateTabs(); }
    };
    VIEWS.forEach(function (v) {
      var a = h('a', { 'class': 'tab', href: profileUrl(ref, v.id), 'data-tab': v.id, title: v.label + ' (' + v.key + ')' }, [
        h('span', { text: v.label }), h('kbd', { text: v.key })]);
      tabEls[v.id] = a;
      tabs.appendChild(a);
    });
    function updateTabs() {
      VIEWS.forEach(function (v) {
        var a = tabEls[v.id];
        a.href = lastUrl[v.id] || profileUrl(ref, v.id);
        if (v.id === shell.viewId) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
      });
    }
    shell.ready = api(P(ref)).then(function (s) {
      shell.summary = s;
      shell.profile = s.profile;
      fillHead(s.profile);
      return s.profile;
    });
    shell.ready.catch(function () { /* each view shows it */ });

    function fillHead(p) {
      titleEl.textContent = profileTitle(p);
      titleEl.title = p.source || '';
      var when = fmtWhen(p.imported_at);
      var parts = [
        h('span', { 'class': 'kind kind-' + p.kind, text: KIND_TEXT[p.kind] || p.kind }),
        h('span', { text: p.format }),
        h('span', { title: String(p.total) + ' ' + p.unit }, ['total ', h('b', { text: fmtW(p.unit, p.total, true) })]),
        h('span', { text: fmtCount(p.function_count) + ' functions' }),
        p.kind === 'calls' ? h('span', { text: fmtCalls(p.total_calls, p.primitive_calls) + ' calls' }) :
          p.kind === 'evented' ? h('span', { text: fmtCalls(p.total_calls, p.primitive_calls) + ' opens' }) :
          p.total_samples ? h('span', { text: fmtCount(p.total_samples) + ' samples' }) : null,
        p.thread ? h('span', { text: 'thread ' + p.thread }) : null,
        h('span', { text: 'imported ' + when.text, title: when.title }),
        p.source ? h('span', { 'class': 'mono src', text: p.source, title: p.source }) : null];
      setKids(metaEl, parts);
      setTop();
      setTitle();
    }
    function setTop() {
      var p = shell.profile;
      setKids(doc.getElementById('topcrumbs'), [navLink('/', 'Profiles', 'crumb'), h('span', { 'class': 'sep', text: '\u203A' }),
        h('span', { 'class': 'crumb current', text: p ? profileTitle(p) : ref })]);
    }
    function setTitle() {
      var v = VIEWS.filter(function (x) { return x.id === shell.viewId; })[0];
      doc.title = (shell.profile ? profileTitle(shell.profile) : ref) + (v ? ' \u00b7 ' + v.label : '') + ' \u2014 profview';
    }
    // The function table of the whole profile (file order), for pickers and name look-ups.
    shell.funcMap = function (which) {
      var r = which === undefined ? ref : which;
      if (!shell.funcMaps[r]) {
        shell.funcMaps[r] = api(P(r) + '/table').then(function (t) {
          var byKey = new Map(), rows = t.functions || [];
          rows.forEach(function (f) { byKey.set(f.file + '\u0000' + f.line + '\u0000' + f.name, f); });
          return { rows: rows, byKey: byKey, doc: t };
        });
        shell.funcMaps[r].catch(function () { delete shell.funcMaps[r]; });
      }
      return shell.funcMaps[r];
    };
    shell.show = function (route) {
      var id = route.view;
      if (shell.viewId !== id || !shell.view) {
        if (shell.view) shell.view.destroy();
        shell.viewId = id;
        var make = { table: tableView, icicle: icicleView, sandwich: sandwichView, callgraph: callgraphView, diff: diffView }[id];
        shell.view = make(shell, route);
        setKids(pbody, [shell.view.el]);
      }
      shell.view.update(route);
      shell.remember();
      setTop();
      setTitle();
    };
    shell.destroy = function () { if (shell.view) shell.view.destroy(); shell.view = null; };
    return shell;
  }

  // Runs fn(profile) once the shell's summary is in, or shows why it is not.
  function withProfile(shell, host, fn) {
    return shell.ready.then(fn, function (err) {
      setKids(host, [errorBox(err.status === 404 ? 'No such profile' : 'Cannot load the profile', err,
        [navLink('/', 'All profiles', 'btn')])]);
      host.setAttribute('data-state', 'error');
    });
  }

  /* ------------------------------------------------------------------ */
  /* Table                                                               */
  /* ------------------------------------------------------------------ */

  var LIMITS = [['50', '50 rows'], ['200', '200 rows'], ['1000', '1,000 rows'], ['5000', '5,000 rows'], ['all', 'all rows']];

  function tableColumns(p, docu) {
    var unit = p.unit, totalW = docu.total_weight || p.total;
    if (p.kind === 'calls') {
      var tt = docu.total_time || p.total_time || p.total;
      var fmtTime = function (v) { return fmtW(unit, v); };
      return [
        { label: 'ncalls', key: 'calls', num: true, title: 'Calls (total/primitive when recursive); sort by calls',
          cell: function (r) { return fmtCalls(r.calls, r.primitive_calls); }, raw: function (r) { return r.calls; } },
        { label: 'tottime', key: 'tottime', num: true, title: 'Time in the function itself; sort by tottime',
          cell: function (r) { return fmtTime(r.tottime); }, raw: function (r) { return r.tottime; } },
        { label: 'percall', key: null, num: true, title: 'tottime / ncalls (pstats has no sort key for it)',
          cell: function (r) { return fmtTime(r.tottime_per_call); }, raw: function (r) { return r.tottime_per_call; } },
        { label: 'cumtime', key: 'cumulative', num: true, title: 'Time including what it calls; sort by cumulative',
          cell: function (r) { return fmtTime(r.cumtime); }, raw: function (r) { return r.cumtime; },
          bar: function (r) { return tt > 0 ? r.cumtime / tt : 0; } },
        { label: 'percall', key: null, num: true, title: 'cumtime / primitive calls (pstats has no sort key for it)',
          cell: function (r) { return fmtTime(r.cumtime_per_call); }, raw: function (r) { return r.cumtime_per_call; } },
        { label: 'filename:lineno(function)', key: 'stdname', fn: true, title: 'Sort by filename:lineno(function)' }];
    }
    var cols = [
      { label: 'self', key: 'self', num: true, title: 'Weight of stacks ending in the function (' + unit + ')',
        cell: function (r) { return fmtW(unit, r.self); }, raw: function (r) { return r.self; } },
      { label: 'self%', key: null, num: true, cell: function (r) { return fmtPct(r.self, totalW); }, raw: function (r) { return r.self; } },
      { label: 'total', key: 'total', num: true, title: 'Weight of stacks through the function, once per stack (' + unit + ')',
        cell: function (r) { return fmtW(unit, r.total); }, raw: function (r) { return r.total; },
        bar: function (r) { return totalW > 0 ? r.total / totalW : 0; } },
      { label: 'total%', key: null, num: true, cell: function (r) { return fmtPct(r.total, totalW); }, raw: function (r) { return r.total; } }];
    if (p.kind === 'sampled' && unit !== 'samples') {
      cols.push({ label: 'samples', key: 'samples', num: true, cell: function (r) { return fmtCount(r.samples); }, raw: function (r) { return r.samples; } });
    }
    if (p.kind === 'evented') {
      cols.push({ label: 'ncalls', key: 'calls', num: true, title: 'Opens (total/not nested)',
        cell: function (r) { return fmtCalls(r.calls, r.primitive_calls); }, raw: function (r) { return r.calls; } });
    }
    cols.push({ label: 'function', key: 'name', fn: true, title: 'Sort by name' });
    return cols;
  }
  var ASC_KEYS = { stdname: 1, name: 1, file: 1, line: 1, nfl: 1, module: 1, filename: 1 };

  function tableView(shell) {
    var el = h('section', { 'class': 'view tableview', 'data-view': 'table' });
    var filter = searchInput('Filter (regex)', 'Filter functions by regular expression', '/');
    filter.input.classList.add('mono');
    var ferr = h('span', { 'class': 'fielderr', role: 'alert', hidden: true });
    var limitSel = selectBox(LIMITS, String(DEFAULT_LIMIT), 'Rows to show');
    var strip = checkbox('Strip dirs', false, 'Show files by base name, merging functions that then coincide (pstats strip_dirs)');
    var countEl = h('span', { 'class': 'count' });
    var thead = h('thead'), tbody = h('tbody');
    var table = h('table', { 'class': 'grid functable' }, [thead, tbody]);
    var wrap = h('div', { 'class': 'tablewrap' }, [table]);
    var msg = h('div', { 'class': 'viewmsg' });
    append(el, [h('div', { 'class': 'toolbar' }, [h('div', { 'class': 'field' }, [filter.el, ferr]), limitSel, strip.el,
      h('span', { 'class': 'spring' }), countEl]), msg, wrap]);
    var cur = null, seq = 0, profile = null, loadedKey = null;
    rowKeys(tbody);
    rowClicks(tbody);

    function readParams(params) {
      return {
        by: params.get('by') || null, reverse: params.get('reverse') === '1',
        match: params.get('match') || '', limit: params.get('limit') || String(DEFAULT_LIMIT),
        strip: params.get('strip_dirs') === '1'
      };
    }
    function urlOf(s) {
      return profileUrl(shell.ref, 'table', [['by', s.by], ['reverse', s.reverse], ['match', s.match],
        ['limit', s.limit === String(DEFAULT_LIMIT) ? null : s.limit], ['strip_dirs', s.strip]]);
    }
    function defaultBy() { return profile && profile.kind === 'calls' ? 'cumulative' : 'self'; }
    function change(patch, push) {
      var s = Object.assign({}, cur, patch);
      if (s.by === defaultBy() && !s.reverse) s.by = null;
      if (push) go(urlOf(s)); else go(urlOf(s), true);
    }
    function onSort(key) {
      var by = cur.by || defaultBy();
      if (key === by) change({ by: key, reverse: !cur.reverse }, true);
      else change({ by: key, reverse: false }, true);
    }
    var typed = debounce(function () { change({ match: filter.input.value }, false); }, 300);
    filter.input.addEventListener('input', typed);
    filter.input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { typed.cancel(); change({ match: filter.input.value }, true); }
      else if (ev.key === 'Escape') { if (filter.input.value) { filter.input.value = ''; typed.cancel(); change({ match: '' }, true); } else filter.input.blur(); }
    });
    limitSel.addEventListener('change', function () { change({ limit: limitSel.value }, true); });
    strip.input.addEventListener('change', function () { change({ strip: strip.input.checked }, true); });

    function load() {
      var my = ++seq, s = cur;
      el.setAttribute('data-state', 'loading');
      wrap.classList.add('stale');
      if (!tbody.firstChild) setKids(msg, [loadingBox('Loading the function table\u2026')]);
      withProfile(shell, el, function (p) {
        profile = p;
        var by = s.by || defaultBy();
        return api(P(shell.ref) + '/table', [['by', by], ['match', s.match], ['limit', s.limit === 'all' ? null : s.limit],
          ['strip_dirs', s.strip], ['reverse', s.reverse]]).then(function (t) {
          if (my !== seq) return;
          fieldError(filter.input, ferr, null);
          clear(msg);
          fill(p, t, by);
          loadedKey = JSON.stringify(s);
          wrap.classList.remove('stale');
          el.setAttribute('data-state', 'ready');
        }, function (err) {
          if (my !== seq) return;
          if ((err.status === 400 || err.status === 422) && s.match) {
            fieldError(filter.input, ferr, err.message);
            clear(msg);
            el.setAttribute('data-state', 'invalid');
          } else {
            setKids(msg, [errorBox('Cannot load the function table', err, [button('Retry', null, load)])]);
            el.setAttribute('data-state', 'error');
          }
        });
      });
    }
    function fill(p, t, by) {
      var cols = tableColumns(p, t);
      var sortState = { by: by, reverse: cur.reverse, ascKeys: ASC_KEYS };
      var tr = h('tr');
      cols.forEach(function (c) {
        var th = h('th', { 'class': (c.num ? 'num' : 'fncol') + (c.bar ? ' barcol' : ''), scope: 'col' });
        sortHeader(th, c.label, c.key, sortState, onSort, c.title);
        tr.appendChild(th);
      });
      setKids(thead, [tr]);
      clear(tbody);
      var rows = t.functions || [], frag = doc.createDocumentFragment();
      rows.forEach(function (r) {
        var row = h('tr', { 'data-index': r.index });
        cols.forEach(function (c) {
          if (c.fn) {
            var a = h('a', { 'class': 'rowlink', href: cur.strip ? '#' : sandwichUrl(shell.ref, r.index),
              title: 'Callers and callees of ' + funcText(r, p.kind) }, [funcLabel(r, p.kind)]);
            if (cur.strip) a.addEventListener('click', function (ev) { ev.preventDefault(); openStripped(r); });
            row.appendChild(h('td', { 'class': 'fncol' }, [a, r.annotation ? h('span', { 'class': 'tag', text: String(r.annotation) }) : null]));
            return;
          }
          var v = c.raw(r);
          var td = h('td', { 'class': 'num' + (v === 0 ? ' zero' : '') + (c.bar ? ' barcol' : ''), title: typeof v === 'number' ? String(v) : null, text: c.cell(r) });
          if (c.bar) {
            var bar = h('span', { 'class': 'bar', 'aria-hidden': 'true' });
            bar.style.width = 'calc((100% - 20px) * ' + Math.max(0, Math.min(1, c.bar(r))).toFixed(4) + ')';
            td.appendChild(bar);
          }
          row.appendChild(td);
        });
        frag.appendChild(row);
      });
      tbody.appendChild(frag);
      if (!rows.length) {
        tbody.appendChild(h('tr', { 'class': 'emptyrow' }, [h('td', { colspan: cols.length, text: cur.match ? 'No function matches this filter.' : 'No functions.' })]));
      }
      var parts = [group3(t.functions_listed !== undefined ? t.functions_listed : rows.length) + ' of ' +
        group3(t.functions_total !== undefined ? t.functions_total : rows.length) + ' functions'];
      if (t.ordered_by) parts.push('ordered by ' + t.ordered_by + (cur.reverse ? ', reversed' : ''));
      if (p.kind === 'calls') parts.push(fmtCalls(t.total_calls, t.primitive_calls) + ' calls in ' + fmtW(p.unit, t.total_time, true));
      else parts.push(fmtW(p.unit, t.total_weight, true) + ' total');
      countEl.textContent = parts.join(' \u00b7 ');
    }
    // With strip_dirs the indexes are the merged table's: find the heaviest unstripped function it stands for.
    function openStripped(r) {
      shell.funcMap().then(function (fm) {
        var best = null;
        fm.rows.forEach(function (f) {
          if (basename(f.file) === String(r.file) && f.line === r.line && f.name === r.name) {
            var w = f.cumtime !== undefined ? f.cumtime : f.total;
            if (!best || w > (best.cumtime !== undefined ? best.cumtime : best.total)) best = f;
          }
        });
        if (best) go(sandwichUrl(shell.ref, best.index));
      }, function () { /* the table shows its own errors */ });
    }

    return {
      el: el,
      update: function (route) {
        var s = readParams(route.params);
        cur = s;
        if (doc.activeElement !== filter.input) filter.input.value = s.match;
        if (!LIMITS.some(function (l) { return l[0] === s.limit; })) limitSel.appendChild(h('option', { value: s.limit, text: group3(s.limit) + ' rows' }));
        limitSel.value = s.limit;
        strip.input.checked = s.strip;
        if (JSON.stringify(s) !== loadedKey) load();
      },
      focusSearch: function () { filter.input.focus(); filter.input.select(); },
      destroy: function () { typed.cancel(); seq++; }
    };
  }

  /* ------------------------------------------------------------------ */
  /* Icicle                                                              */
  /* ------------------------------------------------------------------ */

  // Maps between an icicle's meta function indexes and the profile's.
  function funcIndexer(meta) {
    var idx = meta.funcs && meta.funcs.index, rev = null;
    return {
      toProfile: function (f) { return idx ? idx[f] : f; },
      toMeta: function (pf) {
        if (!idx) return pf;
        if (!rev) { rev = new Map(); for (var i = 0; i < idx.length; i++) rev.set(idx[i], i); }
        var r = rev.get(pf);
        return r === undefined ? -1 : r;
      },
      name: function (f) { return meta.funcs && meta.funcs.name ? String(meta.funcs.name[f]) : '?'; },
      loc: function (f) {
        var fi = meta.funcs.file[f], file = meta.files ? meta.files[fi] : '';
        return locText(file, meta.funcs.line[f]);
      }
    };
  }
  // One frame of meta.root_path: {func (meta index), total} as docs/serve-api.md
  // says, or {index (profile index), name, file, line, total} as the server sends.
  function rootEntry(fx, e) {
    if (e.index !== undefined) return { index: e.index, name: String(e.name), loc: locText(e.file, e.line) };
    return { index: fx.toProfile(e.func), name: fx.name(e.func), loc: fx.loc(e.func) };
  }
  function parsePath(s) {
    if (!s) return [];
    var out = [];
    String(s).split(',').forEach(function (x) { var n = parseInt(x, 10); if (x.trim() !== '' && n >= 0) out.push(n); });
    return out;
  }
  function startsWith(a, prefix) {
    if (prefix.length > a.length) return false;
    for (var i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
    return true;
  }

  // The renderer's debug hook plus node details in profile indexes, for tests.
  function chartDebug(view, fx) {
    var d = Object.create(view.debug);
    d.meta = view.meta;
    d.nodeInfo = function (i) {
      var info = view.nodeInfo(i);
      if (info) { info.index = info.func >= 0 ? fx.toProfile(info.func) : -1; info.pathIndexes = info.path.map(fx.toProfile); }
      return info;
    };
    return d;
  }

  function icicleView(shell) {
    var el = h('section', { 'class': 'view icicleview', 'data-view': 'icicle' });
    var stackNav = h('nav', { 'class': 'stackpath', 'aria-label': 'Stack above this subtree', hidden: true });
    var note1 = h('span', { 'class': 'muted small depthnote' });
    var sel = h('div', { 'class': 'selinfo', 'aria-live': 'polite' });
    var host = h('div', { 'class': 'icihost' });
    var msg = h('div', { 'class': 'viewmsg' });
    var icibar = h('div', { 'class': 'icibar', hidden: true }, [stackNav, note1]);
    append(el, [icibar, msg, host]);
    var cur = null, seq = 0, pending = null, selected = null, depth = DEPTH;

    function isDepthCut(info) {
      return !!(cur && info && info.node > 0 && info.cut && info.leaf && typeof cur.meta.depth === 'number' &&
        info.depth >= cur.meta.depth && (cur.meta.depth_cut || 0) > 0);
    }
    function fullPath(info) {
      var rest = info.path.map(cur.fx.toProfile);
      if (!cur.rootPath.length) return rest;
      if (info.node === 0) return cur.rootPath.slice();
      return cur.rootPath.slice(0, -1).concat(rest);
    }
    function urlFor(path) {
      return profileUrl(shell.ref, 'icicle', [['path', path.length ? path.join(',') : null], ['depth', depth === DEPTH ? null : depth]]);
    }

    function showSel(info) {
      selected = info && info.func >= 0 ? info : null;
      if (!selected) {
        setKids(sel, [h('span', { 'class': 'muted small', text: 'Click a box to zoom; then s or the button opens its callers and callees.' })]);
        return;
      }
      var pf = cur.fx.toProfile(info.func);
      var unit = cur.meta.unit, tot = cur.api.model.total[0];
      setKids(sel, [
        h('span', { 'class': 'selname', text: info.name, title: info.location || null }),
        h('span', { 'class': 'muted small mono', text: info.location || '' }),
        h('span', { 'class': 'small' }, [h('b', { text: fmtW(unit, info.total, true) }), ' \u00b7 ' + fmtPct(info.total, tot) + ' of this chart']),
        navLink(sandwichUrl(shell.ref, pf), 'Callers & callees', 'btn small', { title: 'Open the sandwich of ' + info.name + ' (s)', 'data-act': 'sandwich' })]);
    }
    function onZoom(info) {
      if (!cur) return;
      if (isDepthCut(info)) {
        // Below the depth limit: fetch the subtree under this box.
        go(urlFor(fullPath(info)));
        return;
      }
      note(urlFor(fullPath(info)), false);
      showSel(info);
    }
    function onSelect(info) { if (!isDepthCut(info)) showSel(info); }

    function fillStack() {
      var rp = cur.meta.root_path || [];
      if (!rp.length) { stackNav.hidden = true; clear(stackNav); return; }
      stackNav.hidden = false;
      var kids = [navLink(urlFor([]), 'all', 'crumb', { title: 'The whole tree' })];
      rp.forEach(function (e, k) {
        kids.push(h('span', { 'class': 'sep', text: '\u203A' }));
        var re = rootEntry(cur.fx, e), name = re.name;
        var title = name + (re.loc ? '  ' + re.loc : '') + ' \u2014 ' + fmtW(cur.meta.unit, e.total, true);
        if (k === rp.length - 1) kids.push(h('span', { 'class': 'crumb current', text: name, title: title }));
        else kids.push(navLink(urlFor(cur.rootPath.slice(0, k + 1)), name, 'crumb', { title: title }));
      });
      setKids(stackNav, [h('span', { 'class': 'muted small', text: 'Subtree of ' }), h('span', { 'class': 'crumbs' }, kids)]);
    }

    // Fetches the tree for a stack: the whole tree (depth-limited) when the stack
    // can be in it, zoomed to the stack, else the stack's own subtree.
    function load(path, subtree) {
      var my = ++seq;
      pending = path;
      var whole = !subtree && path.length < depth;
      el.setAttribute('data-state', 'loading');
      host.classList.add('stale');
      if (!cur) setKids(msg, [loadingBox('Loading the call tree\u2026')]);
      withProfile(shell, el, function () {
        return api(P(shell.ref) + '/icicle', [['path', !whole && path.length ? path.join(',') : null], ['depth', depth]]).then(function (res) {
          if (my !== seq) return;
          clear(msg);
          if (!mount(res, path) && whole && path.length) { load(path, true); return; }
          el.setAttribute('data-state', 'ready');
        }, function (err) {
          if (my !== seq) return;
          host.classList.remove('stale');
          setKids(msg, [errorBox(err.status === 404 && path.length ? 'That stack is not in this profile' : 'Cannot load the call tree', err,
            path.length ? [navLink(urlFor([]), 'Show the whole tree', 'btn')] : [button('Retry', null, function () { load(path); })])]);
          el.setAttribute('data-state', 'error');
        });
      });
    }
    function mount(res, path) {
      if (cur && cur.api && cur.api.destroy) cur.api.destroy();
      clear(host);
      host.className = 'icihost';
      var meta = res.meta, fx = funcIndexer(meta);
      var rp = (meta.root_path || []).map(function (e) { return rootEntry(fx, e).index; });
      cur = { meta: meta, fx: fx, rootPath: rp, api: null };
      var view = PV.create(host, meta, bytesOf(res.nodes), { rootLabel: rp.length ? '\u2026' : 'all', onZoom: onZoom, onSelect: onSelect });
      if (view.error) { cur = null; setKids(msg, [errorBox('Cannot draw the call tree', { message: view.error })]); return; }
      cur.api = view;
      var header = host.querySelector('.pv-header');
      if (header) header.appendChild(sel);
      fillStack();
      var dn = [];
      if (meta.depth !== null && meta.depth !== undefined && meta.depth_cut > 0) {
        dn.push('Showing ' + group3(meta.depth) + ' levels: ' + group3(meta.depth_cut) + ' deeper boxes are folded into the boxes marked \u25E2; click one to load what is below it.');
      }
      note1.textContent = dn.join(' ');
      icibar.hidden = stackNav.hidden && !note1.textContent;
      // The subtree's own frame is the view's zoom.
      if (rp.length) {
        var n1 = view.nodeAtPath([fx.toMeta(rp[rp.length - 1])]);
        if (n1 > 0) { view.zoomTo(n1, false); view.select(n1); showSel(view.nodeInfo(n1)); }
      } else showSel(null);
      return path.length > rp.length ? zoomWithin(path, true) : true;
    }
    // Zooms the loaded tree to a stack inside it; false when it is not there (or cut).
    function zoomWithin(path, still) {
      if (!cur || !cur.api || !startsWith(path, cur.rootPath)) return false;
      var rest = cur.rootPath.length ? path.slice(cur.rootPath.length - 1) : path;
      if (cur.rootPath.length && !rest.length) rest = [cur.rootPath[cur.rootPath.length - 1]];
      var mp = rest.map(cur.fx.toMeta);
      if (mp.some(function (x) { return x < 0; })) return false;
      var node = cur.api.nodeAtPath(mp);
      if (node < 0) return false;
      var info = cur.api.nodeInfo(node);
      if (isDepthCut(info)) return false;
      if (cur.api.zoomed !== node) { cur.api.zoomTo(node, !still); cur.api.select(node); }
      showSel(info);
      return true;
    }
    var themed = function () { if (cur && cur.api && cur.api.refreshTheme) cur.api.refreshTheme(); };
    themeListeners.push(themed);

    return {
      el: el,
      update: function (route) {
        var path = parsePath(route.params.get('path'));
        var d = parseInt(route.params.get('depth'), 10);
        d = d >= 1 && d <= 10000 ? d : DEPTH;
        if (d !== depth) { depth = d; cur = cur && cur.api ? (cur.api.destroy(), null) : null; }
        if (cur && zoomWithin(path)) return;
        if (pending && JSON.stringify(pending) === JSON.stringify(path) && el.getAttribute('data-state') === 'loading') return;
        load(path);
      },
      key: function (ev) {
        if ((ev.key === 's' || ev.key === 'S') && selected) { go(sandwichUrl(shell.ref, cur.fx.toProfile(selected.func))); return true; }
        return false;
      },
      get debug() { return cur && cur.api ? chartDebug(cur.api, cur.fx) : null; },
      destroy: function () {
        seq++;
        if (cur && cur.api && cur.api.destroy) cur.api.destroy();
        cur = null;
        themeListeners.splice(themeListeners.indexOf(themed), 1);
      }
    };
  }

  /* ------------------------------------------------------------------ */
  /* Function picker (sandwich without a function)                      */
  /* ------------------------------------------------------------------ */

  function funcPicker(shell, profile, autofocus) {
    var search = searchInput('Find a function by name or file', 'Find a function', null);
    var list = h('ol', { 'class': 'picklist', role: 'list' });
    var info = h('p', { 'class': 'muted small' });
    var el = h('div', { 'class': 'picker' }, [h('h2', { text: 'Choose a function' }),
      h('p', { 'class': 'muted', text: 'The sandwich shows who calls a function (above) and what it calls (below), over every stack it is on.' }),
      search.el, info, list]);
    var rows = null, weight = profile.kind === 'calls' ? function (r) { return r.cumtime; } : function (r) { return r.total; };
    function fill() {
      if (!rows) return;
      var text = search.input.value.trim().toLowerCase();
      var hits = text ? rows.filter(function (r) { return funcText(r, profile.kind).toLowerCase().indexOf(text) >= 0; }) : rows;
      clear(list);
      var frag = doc.createDocumentFragment();
      hits.slice(0, 200).forEach(function (r) {
        frag.appendChild(h('li', null, [h('a', { href: sandwichUrl(shell.ref, r.index), 'class': 'pickitem' }, [
          funcLabel(r, profile.kind), h('span', { 'class': 'num muted', text: fmtW(profile.unit, weight(r), true) })])]));
      });
      list.appendChild(frag);
      info.textContent = hits.length > 200 ? 'The heaviest 200 of ' + group3(hits.length) + ' matches: refine the search.'
        : group3(hits.length) + (hits.length === 1 ? ' function' : ' functions') + (text ? ' match' : '') + ', heaviest first';
    }
    search.input.addEventListener('input', fill);
    search.input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown') { var a = list.querySelector('a'); if (a) { a.focus(); ev.preventDefault(); } }
      else if (ev.key === 'Enter') { var b = list.querySelector('a'); if (b) { ev.preventDefault(); b.click(); } }
    });
    list.addEventListener('keydown', function (ev) {
      var li = ev.target.closest('li');
      if (!li) return;
      if (ev.key === 'ArrowDown' && li.nextElementSibling) { li.nextElementSibling.querySelector('a').focus(); ev.preventDefault(); }
      else if (ev.key === 'ArrowUp') { if (li.previousElementSibling) li.previousElementSibling.querySelector('a').focus(); else search.input.focus(); ev.preventDefault(); }
    });
    info.textContent = 'Loading the functions\u2026';
    shell.funcMap().then(function (fm) {
      rows = fm.rows.slice().sort(function (a, b) { return weight(b) - weight(a); });
      fill();
      el.setAttribute('data-state', 'ready');
    }, function (err) { setKids(info, [errorBox('Cannot list the functions', err)]); });
    if (autofocus) setTimeout(function () { search.input.focus(); }, 0);
    return { el: el, focus: function () { search.input.focus(); } };
  }

  /* ------------------------------------------------------------------ */
  /* Sandwich                                                            */
  /* ------------------------------------------------------------------ */

  function edgeColumns(p) {
    var fmtTime = function (v) { return fmtW(p.unit, v); };
    if (p.kind === 'calls') {
      return [
        { label: 'ncalls', cell: function (e) { return e.count !== undefined && e.calls === undefined ? fmtCount(e.count) : fmtCalls(e.calls, e.primitive_calls); },
          raw: function (e) { return e.calls !== undefined ? e.calls : e.count; } },
        { label: 'tottime', cell: function (e) { return e.tottime !== undefined ? fmtTime(e.tottime) : '\u2014'; }, raw: function (e) { return e.tottime; } },
        { label: 'cumtime', cell: function (e) { return e.cumtime !== undefined ? fmtTime(e.cumtime) : '\u2014'; }, raw: function (e) { return e.cumtime; }, sort: true }];
    }
    return [
      { label: 'samples', cell: function (e) { return fmtCount(e.samples); }, raw: function (e) { return e.samples; } },
      { label: 'self', cell: function (e) { return fmtW(p.unit, e.self); }, raw: function (e) { return e.self; } },
      { label: 'total', cell: function (e) { return fmtW(p.unit, e.total); }, raw: function (e) { return e.total; }, sort: true }];
  }

  function sandwichView(shell) {
    var el = h('section', { 'class': 'view sandwichview', 'data-view': 'sandwich' });
    var cur = { func: null }, seq = 0, charts = [], picker = null;
    var themed = function () { charts.forEach(function (c) { if (c.refreshTheme) c.refreshTheme(); }); };
    themeListeners.push(themed);

    function destroyCharts() { charts.forEach(function (c) { if (c.destroy) c.destroy(); }); charts = []; }

    function showPicker(p) {
      destroyCharts();
      picker = funcPicker(shell, p, true);
      setKids(el, [picker.el]);
      el.setAttribute('data-state', 'picker');
    }
    function edgeTable(title, list, p, emptyText, dir) {
      var cols = edgeColumns(p);
      var sortCol = cols.filter(function (c) { return c.sort; })[0];
      var rows = (list || []).slice().sort(function (a, b) { return (sortCol.raw(b) || 0) - (sortCol.raw(a) || 0); });
      var thead = h('thead', null, [h('tr', null, [h('th', { 'class': 'fncol', scope: 'col', text: dir === 'callers' ? 'caller' : 'callee' })].concat(
        cols.map(function (c) { return h('th', { 'class': 'num', scope: 'col', text: c.label }); })))]);
      var tbody = h('tbody', { 'data-list': dir });
      rows.forEach(function (e) {
        var label = funcLabel(e, p.kind);
        var link = e.index !== undefined && e.index !== null ? h('a', { 'class': 'rowlink', href: sandwichUrl(shell.ref, e.index), title: funcText(e, p.kind) }, [label])
          : h('span', { title: funcText(e, p.kind) }, [label]);
        tbody.appendChild(h('tr', { 'data-index': e.index !== undefined ? e.index : null }, [h('td', { 'class': 'fncol' }, [link])].concat(
          cols.map(function (c) { var v = c.raw(e); return h('td', { 'class': 'num' + (v === 0 ? ' zero' : ''), text: c.cell(e), title: typeof v === 'number' ? String(v) : null }); }))));
      });
      if (!rows.length) tbody.appendChild(h('tr', { 'class': 'emptyrow' }, [h('td', { colspan: cols.length + 1, text: emptyText })]));
      rowKeys(tbody);
      rowClicks(tbody);
      return h('div', { 'class': 'edgebox' }, [h('h3', null, [title, h('span', { 'class': 'muted small', text: ' ' + group3(rows.length) })]),
        h('table', { 'class': 'grid edgegrid', 'data-dir': dir }, [thead, tbody])]);
    }

    function load(func) {
      var my = ++seq;
      el.setAttribute('data-state', 'loading');
      if (!charts.length) setKids(el, [loadingBox('Loading the sandwich\u2026')]);
      else el.classList.add('stale');
      withProfile(shell, el, function (p) {
        var fp = [['func', func]];
        return Promise.all([api(P(shell.ref) + '/sandwich', fp), api(P(shell.ref) + '/callers', fp), api(P(shell.ref) + '/callees', fp)])
          .then(function (r) {
            if (my !== seq) return;
            el.classList.remove('stale');
            build(p, r[0], r[1], r[2]);
            el.setAttribute('data-state', 'ready');
          }, function (err) {
            if (my !== seq) return;
            el.classList.remove('stale');
            destroyCharts();
            setKids(el, [errorBox(err.status === 404 ? 'No function ' + func + ' in this profile' : 'Cannot load the sandwich', err,
              [navLink(profileUrl(shell.ref, 'sandwich'), 'Choose a function', 'btn')])]);
            el.setAttribute('data-state', 'error');
          });
      });
    }
    function build(p, sw, callers, callees) {
      destroyCharts();
      var f = sw.function || {};
      var unit = p.unit, total = p.total;
      var fc = (callers.functions || [])[0] || {}, fe = (callees.functions || [])[0] || {};
      var selInfo = h('span', { 'class': 'selinfo small', 'aria-live': 'polite' });
      var stats = [
        p.kind === 'sampled' ? ['samples', fmtCount(f.calls)] : [p.kind === 'calls' ? 'calls' : 'opens', fmtCalls(f.calls, f.primitive_calls)],
        [p.kind === 'calls' ? 'tottime' : 'self', fmtW(unit, f.self, true) + ' \u00b7 ' + fmtPct(f.self, total)],
        [p.kind === 'calls' ? 'cumtime' : 'total', fmtW(unit, f.total, true) + ' \u00b7 ' + fmtPct(f.total, total)]];
      var head = h('div', { 'class': 'swhead' }, [
        h('div', { 'class': 'swtitle' }, [
          h('h2', { 'class': 'swname', text: String(f.name || '') }),
          h('span', { 'class': 'mono muted small', text: locText(f.file, f.line) })]),
        h('dl', { 'class': 'stats' }, [].concat.apply([], stats.map(function (s) { return [h('dt', { text: s[0] }), h('dd', { text: s[1] })]; }))),
        h('span', { 'class': 'spring' }),
        selInfo,
        button('Change function', { 'class': 'btn', title: 'Pick another function' }, function () { go(profileUrl(shell.ref, 'sandwich')); })]);
      var callersHost = h('div', { 'class': 'swchart', 'data-chart': 'callers' });
      var calleesHost = h('div', { 'class': 'swchart', 'data-chart': 'callees' });
      var body = h('div', { 'class': 'swbody' }, [
        h('div', { 'class': 'swcharts' }, [
          h('div', { 'class': 'swhalf' }, [callersHost]),
          h('div', { 'class': 'swhalf' }, [calleesHost])]),
        h('aside', { 'class': 'swside' }, [
          edgeTable('Callers', fc.callers, p, 'Nothing calls it: it is a root.', 'callers'),
          edgeTable('Callees', fe.callees, p, 'It calls nothing.', 'callees')])]);
      setKids(el, [head, body]);
      function onSelect(info) {
        if (!info || info.func < 0 || info.node <= 1) { clear(selInfo); return; }
        var pf = info.fx.toProfile(info.func);
        setKids(selInfo, [h('span', { text: info.name, 'class': 'selname' }), ' ',
          navLink(sandwichUrl(shell.ref, pf), 'Open its sandwich', 'btn small', { 'data-act': 'sandwich' })]);
      }
      var labels = {
        callers: h('div', { 'class': 'swlabel' }, [h('b', { text: 'Callers' }), h('span', { 'class': 'muted', text: ' \u2191 who calls it, up to the top of each stack' })]),
        callees: h('div', { 'class': 'swlabel' }, [h('b', { text: 'Callees' }), h('span', { 'class': 'muted', text: ' \u2193 what it calls' })])
      };
      [[sw.callers, callersHost, true, 'callers'], [sw.callees, calleesHost, false, 'callees']].forEach(function (c) {
        if (!c[0] || !c[0].meta) return;
        var fx = funcIndexer(c[0].meta);
        var v = PV.create(c[1], c[0].meta, bytesOf(c[0].nodes), {
          flame: c[2], keys: 'focus', rootLabel: c[3],
          onSelect: function (info) { info.fx = fx; onSelect(info); }
        });
        charts.push(v);
        c[1].setAttribute('data-nodes', String(c[0].meta.nodes));
        var nav = c[1].querySelector('.pv-crumbs');
        if (nav) nav.insertBefore(labels[c[3]], nav.firstChild);
      });
      charts.names = ['callers', 'callees'];
    }

    return {
      el: el,
      update: function (route) {
        var f = route.params.get('func');
        var func = f !== null && /^\d+$/.test(f) ? parseInt(f, 10) : null;
        if (func === null) {
          cur.func = null;
          withProfile(shell, el, showPicker);
          return;
        }
        if (func !== cur.func || !charts.length) { cur.func = func; load(func); }
      },
      get debug() {
        return { callers: charts[0] ? chartDebug(charts[0], funcIndexer(charts[0].meta)) : null,
          callees: charts[1] ? chartDebug(charts[1], funcIndexer(charts[1].meta)) : null };
      },
      focusSearch: function () { if (picker && cur.func === null) picker.focus(); },
      destroy: function () { seq++; destroyCharts(); themeListeners.splice(themeListeners.indexOf(themed), 1); }
    };
  }

  /* ------------------------------------------------------------------ */
  /* Call graph                                                          */
  /* ------------------------------------------------------------------ */

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var BAD_ELEMENTS = { script: 1, foreignobject: 1, iframe: 1, embed: 1, object: 1, style: 1, link: 1, meta: 1, animate: 1, set: 1, animatemotion: 1, animatetransform: 1, handler: 1, listener: 1 };

  // Parses Graphviz's SVG and drops anything active: scripts, foreign content,
  // event handlers, links that lead anywhere, style sheets and external images.
  function safeSvg(text) {
    var parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
    var root = parsed.documentElement;
    if (!root || root.nodeName.toLowerCase() !== 'svg' || parsed.getElementsByTagName('parsererror').length) {
      throw new ApiError(0, 'the call graph is not a readable SVG picture');
    }
    var all = root.getElementsByTagName('*'), doomed = [];
    for (var i = 0; i < all.length; i++) {
      var e = all[i], name = (e.localName || '').toLowerCase();
      if (BAD_ELEMENTS[name] || e.namespaceURI !== SVG_NS) { doomed.push(e); continue; }
      if (name === 'image' || name === 'use' || name === 'feimage') {
        var href = e.getAttribute('href') || e.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
        if (href.charAt(0) !== '#') { doomed.push(e); continue; }
      }
      scrubAttrs(e);
    }
    scrubAttrs(root);
    doomed.forEach(function (e) { if (e.parentNode) e.parentNode.removeChild(e); });
    return root;
  }
  function scrubAttrs(e) {
    for (var k = e.attributes.length - 1; k >= 0; k--) {
      var a = e.attributes[k], n = a.name.toLowerCase(), v = String(a.value).replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
      if (n.slice(0, 2) === 'on' || n === 'style' ||
          ((n === 'href' || n === 'xlink:href' || a.localName === 'href') && v.charAt(0) !== '#') ||
          v.indexOf('javascript:') >= 0 || v.indexOf('data:') === 0 || /url\(\s*['"]?\s*(?!#)/.test(v)) {
        e.removeAttributeNode(a);
      }
    }
  }

  var CG_DEFAULTS = { node_thres: '0.5', edge_thres: '0.1', root: '', leaf: '', depth: '', theme: 'color', color_by: 'total', strip_dirs: false };

  function callgraphView(shell) {
    var el = h('section', { 'class': 'view cgview', 'data-view': 'callgraph' });
    function numInput(name, label, step, title) {
      var i = h('input', { type: 'number', 'class': 'input num', min: '0', step: step, name: name, 'aria-label': label, title: title });
      return { input: i, el: h('label', { 'class': 'inline', title: title }, [h('span', { text: label }), i]) };
    }
    var nodeT = numInput('node_thres', 'nodes \u2265 %', '0.1', 'Hide functions below this % of the total');
    var edgeT = numInput('edge_thres', 'calls \u2265 %', '0.05', 'Hide calls below this % of the total');
    nodeT.input.max = '100'; edgeT.input.max = '100';
    var depth = numInput('depth', 'depth', '1', 'At most this many calls from a root (or to a leaf); empty: any');
    depth.input.min = '1';
    var rootIn = h('input', { type: 'text', 'class': 'input mono', name: 'root', placeholder: 'root regex', 'aria-label': 'Root: keep what functions matching this regex call', spellcheck: 'false', autocomplete: 'off' });
    var leafIn = h('input', { type: 'text', 'class': 'input mono', name: 'leaf', placeholder: 'leaf regex', 'aria-label': 'Leaf: keep what calls functions matching this regex', spellcheck: 'false', autocomplete: 'off' });
    var theme = selectBox([['color', 'color'], ['pink', 'pink'], ['gray', 'gray'], ['bw', 'black & white'], ['print', 'print']], 'color', 'Colour theme');
    var colorBy = selectBox([['total', 'by total'], ['self', 'by self']], 'total', 'Colour and size boxes by');
    var strip = checkbox('Strip dirs', false, 'Show files by base name');
    var ferr = h('span', { 'class': 'fielderr', role: 'alert', hidden: true });
    var form = h('form', { 'class': 'toolbar cgcontrols', autocomplete: 'off' }, [nodeT.el, edgeT.el,
      h('div', { 'class': 'field' }, [h('span', { 'class': 'inline' }, [rootIn, leafIn]), ferr]), depth.el,
      theme, colorBy, strip.el, h('button', { type: 'submit', 'class': 'btn', text: 'Apply' })]);
    var world = h('div', { 'class': 'cgworld' });
    var zoomLabel = h('span', { 'class': 'zoomlabel small muted' });
    var tools = h('div', { 'class': 'cgtools', role: 'toolbar', 'aria-label': 'Zoom' }, [
      button('\u2212', { 'class': 'btn icon', title: 'Zoom out (-)', 'aria-label': 'Zoom out' }, function () { zoomBy(1 / 1.25); }),
      zoomLabel,
      button('+', { 'class': 'btn icon', title: 'Zoom in (+)', 'aria-label': 'Zoom in' }, function () { zoomBy(1.25); }),
      button('Fit', { 'class': 'btn', title: 'Fit the graph to the window (0)' }, fit),
      button('1:1', { 'class': 'btn', title: 'Actual size (1)' }, function () { setScale(1); })]);
    var stage = h('div', { 'class': 'cgstage', tabindex: '0', 'aria-label': 'Call graph: drag to pan, wheel or +/- to zoom, 0 to fit, Enter on a box opens its sandwich' }, [world]);
    var msg = h('div', { 'class': 'viewmsg' });
    var noteEl = h('span', { 'class': 'muted small cgnote' });
    append(el, [form, msg, h('div', { 'class': 'cgwrap' }, [stage, tools, noteEl])]);
    var cur = null, loadedKey = null, seq = 0, svg = null, vw = 0, vh = 0;
    var view = { s: 1, x: 0, y: 0 };

    function readParams(params) {
      var s = {};
      Object.keys(CG_DEFAULTS).forEach(function (k) { s[k] = params.get(k) !== null ? params.get(k) : CG_DEFAULTS[k]; });
      s.strip_dirs = params.get('strip_dirs') === '1';
      return s;
    }
    function urlOf(s) {
      return profileUrl(shell.ref, 'callgraph', Object.keys(CG_DEFAULTS).map(function (k) {
        return [k, s[k] === CG_DEFAULTS[k] ? null : s[k]];
      }));
    }
    function fromForm() {
      return { node_thres: nodeT.input.value.trim() || CG_DEFAULTS.node_thres, edge_thres: edgeT.input.value.trim() || CG_DEFAULTS.edge_thres,
        root: rootIn.value, leaf: leafIn.value, depth: depth.input.value.trim(), theme: theme.value, color_by: colorBy.value,
        strip_dirs: strip.input.checked };
    }
    function apply() { go(urlOf(fromForm())); }
    form.addEventListener('submit', function (ev) { ev.preventDefault(); apply(); });
    [nodeT.input, edgeT.input, depth.input, theme, colorBy, strip.input, rootIn, leafIn].forEach(function (i) { i.addEventListener('change', apply); });

    function place() {
      world.style.transform = 'translate(' + view.x.toFixed(1) + 'px, ' + view.y.toFixed(1) + 'px) scale(' + view.s.toFixed(4) + ')';
      zoomLabel.textContent = Math.round(view.s * 100) + '%';
    }
    function setScale(s, cx, cy) {
      s = Math.max(0.02, Math.min(8, s));
      var r = stage.getBoundingClientRect();
      if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
      // keep the point under (cx, cy) still
      view.x = cx - (cx - view.x) * s / view.s;
      view.y = cy - (cy - view.y) * s / view.s;
      view.s = s;
      place();
    }
    function zoomBy(f, cx, cy) { setScale(view.s * f, cx, cy); }
    function fit() {
      if (!svg || !vw || !vh) return;
      var r = stage.getBoundingClientRect(), pad = 16;
      var s = Math.min((r.width - 2 * pad) / vw, (r.height - 2 * pad) / vh, 2);
      if (!(s > 0)) s = 1;
      view.s = s;
      view.x = (r.width - vw * s) / 2;
      view.y = Math.max(pad, (r.height - vh * s) / 2);
      place();
    }
    stage.addEventListener('wheel', function (ev) {
      if (!svg) return;
      ev.preventDefault();
      var r = stage.getBoundingClientRect();
      var dy = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
      if (ev.ctrlKey || ev.metaKey || !ev.shiftKey) zoomBy(Math.exp(-dy * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
      else { view.x -= ev.deltaX || dy; place(); }
    }, { passive: false });
    var drag = null;
    stage.addEventListener('pointerdown', function (ev) {
      if (ev.button !== 0 || !svg) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false, id: ev.pointerId };
    });
    stage.addEventListener('pointermove', function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
        drag.moved = true;
        stage.classList.add('dragging');
        try { stage.setPointerCapture(drag.id); } catch (e) { /* already released */ }
      }
      if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; place(); }
    });
    function endDrag(ev) {
      if (!drag) return;
      var d = drag;
      drag = null;
      stage.classList.remove('dragging');
      if (!d.moved && ev.type === 'pointerup') openNodeAt(ev.target);
    }
    stage.addEventListener('pointerup', endDrag);
    stage.addEventListener('pointercancel', endDrag);
    stage.addEventListener('keydown', function (ev) {
      var step = 60;
      switch (ev.key) {
        case '+': case '=': zoomBy(1.25); break;
        case '-': case '_': zoomBy(1 / 1.25); break;
        case '0': fit(); break;
        case '1': setScale(1); break;
        case 'ArrowLeft': view.x += step; place(); break;
        case 'ArrowRight': view.x -= step; place(); break;
        case 'ArrowUp': view.y += step; place(); break;
        case 'ArrowDown': view.y -= step; place(); break;
        case 'Enter': if (!openNodeAt(ev.target)) return; break;
        default: return;
      }
      ev.preventDefault();
      ev.stopPropagation();
    });
    function nodeIndex(g) {
      var m = /^pvf(\d+)$/.exec(g.getAttribute('id') || '');
      return m ? parseInt(m[1], 10) : null;
    }
    function openNodeAt(t) {
      var g = t && t.closest ? t.closest('g.node') : null;
      if (!g || !svg || !svg.contains(g)) return false;
      var i = nodeIndex(g);
      if (i === null) return false;
      if (cur.strip_dirs) {
        // Stripped indexes are the merged profile's: look the name up in the unstripped table.
        openStripped(g);
        return true;
      }
      go(sandwichUrl(shell.ref, i));
      return true;
    }
    function openStripped(g) {
      var a = g.querySelector('a');
      var text = a ? (a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') || a.getAttribute('title') || '') : '';
      shell.funcMap().then(function (fm) {
        var best = null;
        fm.rows.forEach(function (f) {
          var std = f.file === '~' ? f.stdname : basename(f.file) + ':' + f.line + '(' + f.name + ')';
          var disp = f.display ? f.display.replace(String(f.file), basename(f.file)) : '';
          if (std === text || disp === text || f.stdname === text) {
            var w = f.cumtime !== undefined ? f.cumtime : f.total;
            if (!best || w > (best.cumtime !== undefined ? best.cumtime : best.total)) best = f;
          }
        });
        if (best) go(sandwichUrl(shell.ref, best.index));
      });
    }

    function load() {
      var my = ++seq, s = cur;
      el.setAttribute('data-state', 'loading');
      stage.classList.add('stale');
      if (!svg) setKids(msg, [loadingBox('Laying out the call graph\u2026')]);
      withProfile(shell, el, function () {
        return apiText(P(shell.ref) + '/callgraph.svg', [['node_thres', s.node_thres], ['edge_thres', s.edge_thres], ['root', s.root],
          ['leaf', s.leaf], ['depth', s.depth], ['theme', s.theme], ['color_by', s.color_by], ['strip_dirs', s.strip_dirs]]).then(function (text) {
          if (my !== seq) return;
          var node;
          try { node = safeSvg(text); } catch (err) { return fail(err); }
          fieldError(rootIn, ferr, null);
          leafIn.removeAttribute('aria-invalid');
          clear(msg);
          mount(node);
          loadedKey = JSON.stringify(s);
          stage.classList.remove('stale');
          el.setAttribute('data-state', 'ready');
        }, fail);
        function fail(err) {
          if (my !== seq) return;
          stage.classList.remove('stale');
          // 400 a bad regex, 404 one that matches nothing, 422 one too costly to search
          if ((err.status === 400 || err.status === 404 || err.status === 422) && (s.root || s.leaf) &&
              /regex|regular|pattern|root|leaf/i.test(err.message)) {
            fieldError(rootIn, ferr, err.message);
            if (s.leaf) leafIn.setAttribute('aria-invalid', 'true');
            clear(msg);
            el.setAttribute('data-state', 'invalid');
            return;
          }
          var actions = [];
          if (err.status === 413) {
            var next = String(Math.min(100, Math.max(1, parseFloat(s.node_thres) * 2 || 1)));
            actions.push(navLink(urlOf(Object.assign({}, s, { node_thres: next })), 'Show nodes \u2265 ' + next + '%', 'btn primary'));
          }
          setKids(msg, [errorBox(err.status === 413 ? 'The call graph is too large to lay out' : 'Cannot draw the call graph', err, actions)]);
          clear(world);
          svg = null;
          loadedKey = null;
          tools.hidden = true;
          noteEl.textContent = '';
          el.setAttribute('data-state', 'error');
        }
      });
    }
    function mount(node) {
      clear(world);
      svg = doc.importNode(node, true);
      var vb = (svg.getAttribute('viewBox') || '').split(/[\s,]+/).map(parseFloat);
      vw = vb.length === 4 && vb[2] > 0 ? vb[2] : parseFloat(svg.getAttribute('width')) || 800;
      vh = vb.length === 4 && vb[3] > 0 ? vb[3] : parseFloat(svg.getAttribute('height')) || 600;
      svg.setAttribute('width', String(vw));
      svg.setAttribute('height', String(vh));
      svg.setAttribute('class', 'cgsvg');
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', 'Call graph');
      var nodes = svg.querySelectorAll('g.node');
      for (var i = 0; i < nodes.length; i++) {
        var g = nodes[i], idx = nodeIndex(g);
        if (idx === null) continue;
        var a = g.querySelector('a');
        var label = a ? (a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') || a.getAttribute('title') || '') : '';
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'link');
        g.setAttribute('aria-label', 'Open the sandwich of ' + (label || 'function ' + idx));
        g.classList.add('clickable');
      }
      world.appendChild(svg);
      tools.hidden = false;
      var notes = svg.querySelectorAll('g.graph > text');
      noteEl.textContent = notes.length ? Array.prototype.map.call(notes, function (t) { return t.textContent; }).join(' \u00b7 ') : '';
      fit();
    }
    var onResize = debounce(function () { if (svg) fit(); }, 150);
    global.addEventListener('resize', onResize);

    return {
      el: el,
      update: function (route) {
        var s = readParams(route.params);
        cur = s;
        nodeT.input.value = s.node_thres; edgeT.input.value = s.edge_thres; depth.input.value = s.depth;
        rootIn.value = s.root; leafIn.value = s.leaf; theme.value = s.theme; colorBy.value = s.color_by;
        strip.input.checked = s.strip_dirs;
        if (JSON.stringify(s) !== loadedKey) load();
      },
      get debug() { return { scale: view.s, x: view.x, y: view.y, nodes: svg ? svg.querySelectorAll('g.node').length : 0 }; },
      key: function (ev) {
        if (ev.key === '+' || ev.key === '=') { zoomBy(1.25); return true; }
        if (ev.key === '-') { zoomBy(1 / 1.25); return true; }
        if (ev.key === '0') { fit(); return true; }
        return false;
      },
      destroy: function () { seq++; global.removeEventListener('resize', onResize); onResize.cancel(); }
    };
  }

  /* ------------------------------------------------------------------ */
  /* Diff                                                                */
  /* ------------------------------------------------------------------ */

  var DIFF_FLAGS = [['strip_dirs', 'Strip dirs', 'Compare files by base name (profiles from different machines)'],
    ['ignore_lines', 'Ignore lines', 'Match functions without their line numbers'],
    ['match_names', 'Match names', 'Match what is left by function name alone'],
    ['normalize', 'Normalize', 'Compare shares of each total (runs of different length)']];

  function diffView(shell) {
    var el = h('section', { 'class': 'view diffview', 'data-view': 'diff' });
    var baseSel = h('select', { 'class': 'select basesel', 'aria-label': 'Base profile to compare against' });
    var swap = button('\u21C4 Swap', { 'class': 'btn', title: 'Swap base and new' }, function () {
      if (cur.base) go(compareUrl(shell.profile ? shell.profile.id : shell.ref, cur.base, paramsOf(cur)));
    });
    var filter = searchInput('Filter (regex)', 'Filter rows by regular expression', '/');
    filter.input.classList.add('mono');
    var ferr = h('span', { 'class': 'fielderr', role: 'alert', hidden: true });
    var limitSel = selectBox(LIMITS, String(DEFAULT_LIMIT), 'Rows to show');
    var flags = {};
    var flagEls = DIFF_FLAGS.map(function (f) { var c = checkbox(f[1], false, f[2]); flags[f[0]] = c.input; return c.el; });
    var newLabel = h('span', { 'class': 'strong' });
    var toolbar = h('div', { 'class': 'toolbar' }, [h('span', { 'class': 'inline' }, [h('span', { 'class': 'muted', text: 'Base' }), baseSel,
      h('span', { 'class': 'muted', text: '\u2192 new' }), newLabel, swap]),
      h('div', { 'class': 'field' }, [filter.el, ferr]), limitSel, h('span', { 'class': 'inline diffflags' }, flagEls)]);
    var sumText = h('span', { 'class': 'diffsumtext' });
    var summary = h('div', { 'class': 'diffsum' }, [sumText]);
    var iciHost = h('div', { 'class': 'icihost diffici' });
    var thead = h('thead'), tbody = h('tbody');
    var wrap = h('div', { 'class': 'tablewrap' }, [h('table', { 'class': 'grid diffgrid' }, [thead, tbody])]);
    var msg = h('div', { 'class': 'viewmsg' });
    var split = h('div', { 'class': 'diffsplit' }, [iciHost, h('div', { 'class': 'splitter', 'aria-hidden': 'true' }), wrap]);
    var cur = {}, seq = 0, loadedKey = null, iciKey = null, ici = null, profiles = null;
    var themed = function () { if (ici && ici.refreshTheme) ici.refreshTheme(); };
    themeListeners.push(themed);
    rowKeys(tbody);
    rowClicks(tbody);

    function readParams(route) {
      var p = route.params, s = { base: route.base || null, by: p.get('by') || null, match: p.get('match') || '',
        limit: p.get('limit') || String(DEFAULT_LIMIT) };
      DIFF_FLAGS.forEach(function (f) { s[f[0]] = p.get(f[0]) === '1'; });
      return s;
    }
    function paramsOf(s) {
      var out = [['by', s.by], ['match', s.match], ['limit', s.limit === String(DEFAULT_LIMIT) ? null : s.limit]];
      DIFF_FLAGS.forEach(function (f) { out.push([f[0], s[f[0]]]); });
      return out;
    }
    function urlOf(s) { return s.base ? compareUrl(s.base, shell.ref, paramsOf(s)) : profileUrl(shell.ref, 'diff', paramsOf(s)); }
    function change(patch, push) { go(urlOf(Object.assign({}, cur, patch)), !push); }

    baseSel.addEventListener('change', function () { if (baseSel.value) change({ base: baseSel.value }, true); });
    var typed = debounce(function () { change({ match: filter.input.value }, false); }, 300);
    filter.input.addEventListener('input', typed);
    filter.input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { typed.cancel(); change({ match: filter.input.value }, true); }
      else if (ev.key === 'Escape') { if (filter.input.value) { filter.input.value = ''; typed.cancel(); change({ match: '' }, true); } else filter.input.blur(); }
    });
    limitSel.addEventListener('change', function () { change({ limit: limitSel.value }, true); });
    DIFF_FLAGS.forEach(function (f) { flags[f[0]].addEventListener('change', function () { var o = {}; o[f[0]] = flags[f[0]].checked; change(o, true); }); });

    function fillProfiles(me) {
      var keep = cur.base;
      clear(baseSel);
      baseSel.appendChild(h('option', { value: '', text: 'choose a profile\u2026' }));
      (profiles || []).forEach(function (p) {
        if (me && p.id === me.id) return;
        baseSel.appendChild(h('option', { value: String(p.id), text: '#' + p.id + ' ' + profileTitle(p) + ' \u2014 ' + p.format + ', ' + fmtW(p.unit, p.total, true) }));
      });
      if (keep && !Array.prototype.some.call(baseSel.options, function (o) { return o.value === String(keep); })) {
        baseSel.appendChild(h('option', { value: String(keep), text: String(keep) }));
      }
      baseSel.value = keep ? String(keep) : '';
    }
    function chooser(me) {
      // No base yet: the list of profiles to compare against.
      var list = h('ol', { 'class': 'picklist' });
      (profiles || []).forEach(function (p) {
        if (me && p.id === me.id) return;
        var when = fmtWhen(p.imported_at);
        list.appendChild(h('li', null, [h('a', { 'class': 'pickitem', href: compareUrl(p.id, shell.ref) }, [
          h('span', null, [h('span', { 'class': 'strong', text: '#' + p.id + ' ' + profileTitle(p) }), h('span', { 'class': 'muted small', text: '  ' + p.format + ' \u00b7 ' + (KIND_TEXT[p.kind] || p.kind) + ' \u00b7 ' + when.text })]),
          h('span', { 'class': 'num muted', text: fmtW(p.unit, p.total, true) })])]));
      });
      if (!list.firstChild) list.appendChild(h('li', { 'class': 'muted', text: 'There is no other profile in the store to compare with.' }));
      return h('div', { 'class': 'picker' }, [h('h2', { text: 'Compare with\u2026' }),
        h('p', { 'class': 'muted', text: 'Choose the base (before) profile; this one is the new (after) one.' }), list]);
    }

    function cell(v, unit, cls) { return h('td', { 'class': 'num' + (cls ? ' ' + cls : '') + (v === 0 ? ' zero' : ''), text: fmtW(unit, v), title: typeof v === 'number' ? String(v) : null }); }
    function signCls(v) { return v > 0 ? 'up' : v < 0 ? 'down' : ''; }

    function fill(d) {
      var unitB = d.base.unit, unitN = d.new.unit, unit = unitN;
      var by = cur.by || 'cumtime';
      var groups = [['cumtime', d.base.kind === 'calls' ? 'cumtime' : 'total'], ['tottime', d.base.kind === 'calls' ? 'tottime' : 'self'], ['calls', 'calls']];
      var tr1 = h('tr', null, [h('th', { 'class': 'fncol', rowspan: '2', scope: 'col' })]);
      var sortState = { by: by, reverse: false, ascKeys: { name: 1 } };
      sortHeader(tr1.firstChild, 'function', 'name', sortState, function (k) { change({ by: k }, true); }, 'Sort by name');
      var tr2 = h('tr');
      groups.forEach(function (g) {
        tr1.appendChild(h('th', { 'class': 'group', colspan: '4', scope: 'colgroup', text: g[1] }));
        tr2.appendChild(h('th', { 'class': 'num', text: 'before' }));
        tr2.appendChild(h('th', { 'class': 'num', text: 'after' }));
        var t1 = h('th', { 'class': 'num' }), t2 = h('th', { 'class': 'num' });
        sortHeader(t1, '\u0394', g[0], sortState, function (k) { change({ by: k === 'cumtime' ? null : k }, true); }, 'Sort by the absolute change in ' + g[1]);
        sortHeader(t2, '%', g[0] + '%', sortState, function (k) { change({ by: k }, true); }, 'Sort by the relative change in ' + g[1]);
        tr2.appendChild(t1); tr2.appendChild(t2);
      });
      setKids(thead, [tr1, tr2]);
      clear(tbody);
      var frag = doc.createDocumentFragment();
      (d.functions || []).forEach(function (r) {
        var kind = r.status === 'added' ? d.new.kind : d.base.kind;
        var name = funcLabel(r, kind);
        var nameCell = h('td', { 'class': 'fncol' });
        var a = h('a', { 'class': 'rowlink', href: '#', title: funcText(r, kind) + (r.new_name !== undefined ? '  \u21D2  ' + funcText({ file: r.new_file, line: r.new_line, name: r.new_name }, d.new.kind) : '') }, [name]);
        a.addEventListener('click', function (ev) { ev.preventDefault(); openRow(r); });
        nameCell.appendChild(a);
        if (r.status === 'added') nameCell.appendChild(h('span', { 'class': 'badge added', text: 'new' }));
        if (r.status === 'removed') nameCell.appendChild(h('span', { 'class': 'badge removed', text: 'gone' }));
        if (r.match && r.match !== 'exact') nameCell.appendChild(h('span', { 'class': 'badge', text: r.match, title: 'matched by ' + r.match }));
        var row = h('tr', { 'class': 'st-' + r.status }, [nameCell]);
        groups.forEach(function (g) {
          var c = r[g[0]] || {}, u = g[0] === 'calls' ? 'none' : null;
          row.appendChild(cell(c.before, u || unitB));
          row.appendChild(cell(c.after, u || unitN));
          row.appendChild(h('td', { 'class': 'num delta ' + signCls(c.delta), text: g[0] === 'calls' ? fmtSignedW('none', c.delta) : fmtSignedW(unit, c.delta), title: String(c.delta) }));
          row.appendChild(h('td', { 'class': 'num pct ' + signCls(c.delta), text: r.status === 'added' ? 'new' : r.status === 'removed' ? 'gone' : c.pct === null || c.pct === undefined ? '\u2013' : fmtSignedPct(c.pct) }));
        });
        frag.appendChild(row);
      });
      tbody.appendChild(frag);
      if (!(d.functions || []).length) tbody.appendChild(h('tr', { 'class': 'emptyrow' }, [h('td', { colspan: '13', text: cur.match ? 'No row matches this filter.' : 'No functions.' })]));
      var t = d.total || {}, tt = t.time || {}, tc = t.calls || {};
      setKids(sumText, [
        h('span', null, ['total ', h('b', { text: fmtW(unitB, tt.before, true) }), ' \u2192 ', h('b', { text: fmtW(unitN, tt.after, true) }), ' ',
          h('span', { 'class': 'delta ' + signCls(tt.delta), text: fmtSignedW(unit, tt.delta) + (tt.pct !== null && tt.pct !== undefined ? ' (' + fmtSignedPct(tt.pct) + ')' : '') })]),
        h('span', null, [d.base.kind === 'calls' ? 'calls ' : 'samples ', fmtCount(tc.before), ' \u2192 ', fmtCount(tc.after), ' ',
          h('span', { 'class': 'delta ' + signCls(tc.delta), text: fmtSignedPct(tc.pct) })]),
        h('span', { text: group3(d.matched) + ' matched \u00b7 ' + group3(d.added) + ' added \u00b7 ' + group3(d.removed) + ' removed' }),
        d.normalized ? h('span', { 'class': 'tag', text: 'normalized \u00d7' + (+d.scale).toPrecision(4) }) : null,
        h('span', { 'class': 'muted', text: 'listed ' + group3(d.listed !== undefined ? d.listed : (d.functions || []).length) + ', ordered by ' + (d.ordered_by || by) })]);
    }
    // A row opens the sandwich of that function in the new profile (or the base, for removed ones).
    function openRow(r) {
      var inNew = r.status !== 'removed';
      var key = inNew && r.new_name !== undefined ? [r.new_file, r.new_line, r.new_name] : [r.file, r.line, r.name];
      var ref = inNew ? shell.ref : cur.base;
      if (inNew && r.new_index !== undefined) return go(sandwichUrl(ref, r.new_index));
      shell.funcMap(ref).then(function (fm) {
        var f = fm.byKey.get(key[0] + '\u0000' + key[1] + '\u0000' + key[2]);
        if (!f) {
          // stripped or line-less rows: the heaviest function with that name and base name
          fm.rows.forEach(function (x) {
            if (x.name === key[2] && basename(x.file) === basename(key[0]) && (!f || (x.cumtime || x.total || 0) > (f.cumtime || f.total || 0))) f = x;
          });
        }
        if (f) go(inNew ? sandwichUrl(ref, f.index) : profileUrl(ref, 'sandwich', [['func', f.index]]));
      });
    }

    function loadIcicle(s) {
      var key = JSON.stringify([s.base, s.normalize]);
      if (key === iciKey && ici) return Promise.resolve();
      return api('/api/diff/icicle', [['base', s.base], ['new', shell.ref], ['normalize', s.normalize]]).then(function (res) {
        if (ici && ici.destroy) ici.destroy();
        clear(iciHost);
        iciHost.className = 'icihost diffici';
        ici = PV.create(iciHost, res.meta, bytesOf(res.nodes), { keys: 'focus' });
        iciKey = key;
      });
    }
    function load() {
      var my = ++seq, s = cur;
      el.setAttribute('data-state', 'loading');
      split.classList.add('stale');
      withProfile(shell, el, function (me) {
        var lp = profiles ? Promise.resolve() : api('/api/profiles', [['limit', 1000]]).then(function (r) { profiles = r.profiles || []; });
        return lp.then(function () {
          if (my !== seq) return;
          fillProfiles(me);
          newLabel.textContent = '#' + me.id + ' ' + profileTitle(me);
          if (!s.base) {
            setKids(el, [chooser(me)]);
            el.setAttribute('data-state', 'picker');
            return;
          }
          if (!el.contains(toolbar)) setKids(el, [toolbar, summary, msg, split]);
          var q = [['base', s.base], ['new', shell.ref], ['by', s.by], ['match', s.match], ['limit', s.limit === 'all' ? null : s.limit]];
          DIFF_FLAGS.forEach(function (f) { q.push([f[0], s[f[0]]]); });
          return Promise.all([api('/api/diff', q), loadIcicle(s).catch(function (e) { return e; })]).then(function (r) {
            if (my !== seq) return;
            fieldError(filter.input, ferr, null);
            clear(msg);
            fill(r[0]);
            if (r[1] instanceof ApiError) setKids(iciHost, [errorBox('Cannot draw the differential icicle', r[1])]);
            loadedKey = JSON.stringify(s);
            split.classList.remove('stale');
            el.setAttribute('data-state', 'ready');
          });
        }).catch(function (err) {
          if (my !== seq) return;
          split.classList.remove('stale');
          if ((err.status === 400 || err.status === 422) && s.match) { fieldError(filter.input, ferr, err.message); el.setAttribute('data-state', 'invalid'); return; }
          setKids(msg, [errorBox(err.status === 404 ? 'No such profile' : 'Cannot compare the profiles', err, [button('Retry', null, load)])]);
          if (!el.contains(msg)) setKids(el, [toolbar, msg]);
          el.setAttribute('data-state', 'error');
        });
      });
    }

    return {
      el: el,
      update: function (route) {
        var s = readParams(route);
        if (route.base && !route.compare) { go(urlOf(s), true); return; }    // /p/N/diff?base=B -> /compare/B/N
        cur = s;
        if (doc.activeElement !== filter.input) filter.input.value = s.match;
        if (!LIMITS.some(function (l) { return l[0] === s.limit; })) limitSel.appendChild(h('option', { value: s.limit, text: group3(s.limit) + ' rows' }));
        limitSel.value = s.limit;
        DIFF_FLAGS.forEach(function (f) { flags[f[0]].checked = s[f[0]]; });
        if (profiles) fillProfiles(shell.profile);
        if (JSON.stringify(s) !== loadedKey) load();
      },
      get debug() { return ici && ici.debug ? chartDebug(ici, funcIndexer(ici.meta)) : null; },
      focusSearch: function () { filter.input.focus(); filter.input.select(); },
      destroy: function () {
        seq++; typed.cancel();
        if (ici && ici.destroy) ici.destroy();
        themeListeners.splice(themeListeners.indexOf(themed), 1);
      }
    };
  }

  /* ------------------------------------------------------------------ */
  /* The app                                                             */
  /* ------------------------------------------------------------------ */

  var app = { page: null, list: null, shell: null };

  function render() {
    var route = parseRoute(location);
    var main = doc.getElementById('main');
    var hadFocus = doc.activeElement && doc.activeElement !== doc.body && main.contains(doc.activeElement);
    if (route.page === 'list') {
      if (app.shell) { app.shell.destroy(); app.shell = null; }
      if (!app.list) { app.list = listPage(); setKids(main, [app.list.el]); }
      setKids(doc.getElementById('topcrumbs'), [h('span', { 'class': 'crumb current', text: 'Profiles' })]);
      doc.title = 'Profiles \u2014 profview';
      app.page = 'list';
      app.list.update(route);
    } else if (route.page === 'profile') {
      if (app.list) { app.list.destroy(); app.list = null; }
      if (!app.shell || app.shell.ref !== route.ref) {
        if (app.shell) app.shell.destroy();
        app.shell = profileShell(route.ref);
        setKids(main, [app.shell.el]);
      }
      app.page = 'profile';
      app.shell.show(route);
    } else {
      if (app.shell) { app.shell.destroy(); app.shell = null; }
      if (app.list) { app.list.destroy(); app.list = null; }
      app.page = 'notfound';
      setKids(main, [h('section', { 'class': 'page', 'data-view': 'notfound', 'data-state': 'ready' }, [
        errorBox('No such page', { message: 'Nothing lives at ' + location.pathname + '.' }, [navLink('/', 'All profiles', 'btn')])])]);
      doc.title = 'Not found \u2014 profview';
    }
    if (hadFocus && !main.contains(doc.activeElement)) main.focus({ preventScroll: true });
  }
  function currentView() { return app.page === 'list' ? app.list : app.shell ? app.shell.view : null; }

  // Same-origin links that are pages of this app navigate without a reload.
  doc.addEventListener('click', function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var a = ev.target.closest ? ev.target.closest('a[href]') : null;
    if (!a || a.target || a.hasAttribute('download')) return;
    var href = a.getAttribute('href');
    if (!href || href === '#') return;
    var u = new URL(a.href, location.href);
    if (u.origin !== location.origin || u.pathname.indexOf('/api/') === 0 || u.pathname.indexOf('/assets/') === 0) return;
    ev.preventDefault();
    go(u.pathname + u.search);
  });
  global.addEventListener('popstate', render);

  doc.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented || isTyping(ev.target)) return;
    var v = currentView();
    if (v && v.key && v.key(ev)) { ev.preventDefault(); return; }
    if (ev.key === 't') { toggleTheme(); ev.preventDefault(); return; }
    if (ev.key === '/' && v && v.focusSearch) { v.focusSearch(); ev.preventDefault(); return; }
    if (app.page === 'profile' && app.shell && /^[1-5]$/.test(ev.key)) {
      var tab = app.shell.el.querySelectorAll('.tab')[+ev.key - 1];
      if (tab) { ev.preventDefault(); tab.click(); }
    }
  });

  doc.getElementById('theme').addEventListener('click', toggleTheme);
  if (darkMq && darkMq.addEventListener) darkMq.addEventListener('change', applyTheme);
  global.addEventListener('storage', function (ev) { if (ev.key === THEME_KEY) applyTheme(); });
  applyTheme();

  // Read-only hook for tests and debugging.
  global.__pvApp = {
    get page() { return app.page; },
    get view() { return app.page === 'profile' && app.shell ? app.shell.viewId : app.page; },
    get busy() { return busy; },
    debug: function () { var v = currentView(); return v ? v.debug : null; },
    theme: effectiveTheme
  };

  if (!PV) {
    setKids(doc.getElementById('main'), [errorBox('The page is incomplete', { message: '/assets/icicle.js did not load.' })]);
  } else {
    render();
  }
})(window);
