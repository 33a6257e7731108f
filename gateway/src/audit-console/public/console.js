// The auditor's console. Everything it shows comes from /graphql (auditEvents, misuseSignals)
// under the auditor's own token, so each look is itself an audit record. Record text is caller
// text: it is only ever set as textContent, never parsed as HTML.
'use strict';

(function () {
  const EVENT_FIELDS = 'id at requestId user userName ori client purpose reason operationName outcome subjects deniedPaths errorCodes';
  const DAY = 86400000;
  const BASELINE_DAYS = 28;
  const WINDOW_DAYS = 7;
  let token = null;

  const $ = (sel) => document.querySelector(sel);
  const status = (text) => {
    $('#status').textContent = text;
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'on') for (const [event, fn] of Object.entries(v)) node.addEventListener(event, fn);
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  async function graphql(query, variables) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data;
  }

  const events = (filter) =>
    graphql(
      'query AuditConsoleEvents($subject: String, $user: String, $ori: String, $purpose: String, $outcome: AuditOutcome, $from: DateTime, $to: DateTime, $limit: Int) {' +
        ' auditEvents(subject: $subject, user: $user, ori: $ori, purpose: $purpose, outcome: $outcome, from: $from, to: $to, limit: $limit) { ' +
        EVENT_FIELDS +
        ' } }',
      filter,
    ).then((d) => d.auditEvents);

  /** A lookup, as `audit report` counts them: an operation that disclosed someone. */
  const isLookup = (e) => (e.outcome === 'ALLOWED' || e.outcome === 'PARTIAL') && e.subjects.length > 0;

  function subjectLink(subject) {
    return el(
      'a',
      {
        href: '?subject=' + encodeURIComponent(subject),
        on: {
          click: (ev) => {
            ev.preventDefault();
            openTimeline(subject);
          },
        },
      },
      subject,
    );
  }
  function userLink(user) {
    if (!user) return '—';
    return el(
      'a',
      {
        href: '?user=' + encodeURIComponent(user),
        on: {
          click: (ev) => {
            ev.preventDefault();
            openUser(user);
          },
        },
      },
      user,
    );
  }

  function eventsTable(list) {
    if (list.length === 0) return el('p', { className: 'empty' }, 'No records.');
    const head = el(
      'tr',
      {},
      ...['When (UTC)', 'User', 'Name', 'Agency', 'Purpose', 'Reason', 'Operation', 'Outcome', 'Subjects', 'Denied'].map((h) => el('th', {}, h)),
    );
    const rows = list.map((e) =>
      el(
        'tr',
        { 'data-id': e.id, className: 'outcome-' + e.outcome },
        el('td', {}, e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
        el('td', {}, userLink(e.user)),
        el('td', {}, e.userName || ''),
        el('td', {}, e.ori || ''),
        el('td', {}, e.purpose || ''),
        el('td', {}, e.reason || ''),
        el('td', {}, e.operationName || ''),
        el('td', {}, e.outcome),
        el('td', {}, ...e.subjects.slice(0, 5).flatMap((s) => [subjectLink(s), ' ']), e.subjects.length > 5 ? '+' + (e.subjects.length - 5) : ''),
        el('td', {}, e.deniedPaths.join(', ')),
      ),
    );
    return el('table', { className: 'events' }, el('thead', {}, head), el('tbody', {}, ...rows));
  }

  function show(view, params) {
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + view;
    for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t.dataset.view === view);
    const search = params ? '?' + new URLSearchParams(params).toString() : '';
    history.replaceState(null, '', '/audit/' + search);
    document.body.dataset.view = view;
  }

  const isoOrNull = (local) => (local ? new Date(local).toISOString() : null);
  const toLocalInput = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

  async function search(form) {
    const f = new FormData(form);
    const filter = {};
    for (const k of ['subject', 'user', 'ori', 'purpose', 'outcome']) if (f.get(k)) filter[k] = String(f.get(k)).trim();
    if (f.get('from')) filter.from = isoOrNull(f.get('from'));
    if (f.get('to')) filter.to = isoOrNull(f.get('to'));
    filter.limit = Number(f.get('limit') || 100);
    status('Searching…');
    const list = await events(filter);
    $('#search-results').replaceChildren(eventsTable(list));
    status(list.length + ' record(s)');
  }

  async function openTimeline(subject) {
    show('timeline', { subject });
    $('#timeline-form').subject.value = subject;
    status('Loading the timeline…');
    const list = await events({ subject, limit: 1000 });
    $('#timeline-title').textContent = 'Who looked at ' + subject;
    const byUser = new Map();
    for (const e of list) {
      const key = e.user || '(unauthenticated)';
      const entry = byUser.get(key) || { user: e.user, name: e.userName, ori: e.ori, count: 0, last: e.at };
      entry.count++;
      byUser.set(key, entry);
    }
    const who = [...byUser.values()].sort((a, b) => b.count - a.count);
    $('#timeline-who').replaceChildren(
      el(
        'table',
        { className: 'who' },
        el('thead', {}, el('tr', {}, ...['User', 'Name', 'Agency', 'Records', 'Latest (UTC)'].map((h) => el('th', {}, h)))),
        el(
          'tbody',
          {},
          ...who.map((w) =>
            el(
              'tr',
              { className: 'looker' },
              el('td', {}, userLink(w.user)),
              el('td', {}, w.name || ''),
              el('td', {}, w.ori || ''),
              el('td', {}, w.count),
              el('td', {}, w.last),
            ),
          ),
        ),
      ),
    );
    $('#timeline').replaceChildren(
      ...list.map((e) =>
        el(
          'li',
          { className: 'outcome-' + e.outcome, 'data-id': e.id },
          el('time', {}, e.at),
          ' ',
          el('strong', {}, e.userName || e.user || 'unknown caller'),
          ' (',
          e.ori || '—',
          ') ',
          e.outcome.toLowerCase(),
          ' · purpose ',
          e.purpose || '—',
          e.reason ? ' · ' + e.reason : '',
          e.operationName ? ' · ' + e.operationName : '',
          e.deniedPaths.length ? el('span', { className: 'denied' }, ' · denied ' + e.deniedPaths.join(', ')) : null,
        ),
      ),
    );
    status(list.length + ' record(s) name ' + subject);
  }

  async function findSignals(form) {
    const f = new FormData(form);
    const from = isoOrNull(f.get('from'));
    const to = isoOrNull(f.get('to'));
    show('signals', { from, to });
    status('Looking for misuse signals…');
    const data = await graphql(
      'query AuditConsoleSignals($from: DateTime!, $to: DateTime!) { misuseSignals(from: $from, to: $to) { signal user summary records { ' +
        EVENT_FIELDS +
        ' } } }',
      { from, to },
    );
    const signals = data.misuseSignals;
    $('#signal-title').textContent = '';
    $('#signal-records').replaceChildren();
    $('#signals').replaceChildren(
      ...signals.map((s) =>
        el(
          'li',
          { className: 'signal' },
          el('button', { type: 'button', 'data-signal': s.signal, on: { click: () => openSignal(s) } }, s.signal),
          ' ',
          s.user ? userLink(s.user) : '',
          ' — ',
          s.summary,
          ' (',
          s.records.length,
          ' record(s))',
        ),
      ),
    );
    status(signals.length + ' signal(s) from ' + from + ' to ' + to);
  }

  function openSignal(s) {
    $('#signal-title').textContent = s.signal + (s.user ? ' · ' + s.user : '') + ': the records behind it';
    $('#signal-records').replaceChildren(el('p', {}, s.summary), eventsTable(s.records));
  }

  // Charts: SVG drawn here, no library (two bar charts do not need one).
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }
  function barChart(title, labels, values, reference) {
    const width = 720,
      height = 220,
      left = 40,
      bottom = 40,
      top = 30;
    const max = Math.max(1, reference || 0, ...values);
    const step = (width - left - 10) / labels.length;
    const y = (v) => top + (height - top - bottom) * (1 - v / max);
    const chart = svg(
      'svg',
      { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': title, class: 'bars' },
      svg('text', { x: left, y: 18, class: 'title' }, title),
      svg('line', { x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom, class: 'axis' }),
      svg('text', { x: left - 6, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, max % 1 ? max.toFixed(1) : max),
      svg('text', { x: left - 6, y: height - bottom + 4, class: 'tick', 'text-anchor': 'end' }, 0),
    );
    values.forEach((v, i) => {
      const x = left + i * step + step * 0.15;
      chart.append(
        svg('rect', { x, y: y(v), width: step * 0.7, height: height - bottom - y(v), class: 'bar', 'data-value': v }, svg('title', {}, labels[i] + ': ' + v)),
      );
      if (labels.length <= 31 && (labels.length <= 12 || i % 2 === 0))
        chart.append(svg('text', { x: x + step * 0.35, y: height - bottom + 16, class: 'tick', 'text-anchor': 'middle' }, labels[i]));
    });
    if (reference !== undefined) {
      chart.append(svg('line', { x1: left, y1: y(reference), x2: width - 10, y2: y(reference), class: 'baseline' }));
      chart.append(
        svg('text', { x: width - 12, y: y(reference) - 4, class: 'tick baseline-label', 'text-anchor': 'end' }, 'baseline ' + reference.toFixed(1) + '/day'),
      );
    }
    return chart;
  }

  async function openUser(user) {
    show('user', { user });
    $('#user-form').user.value = user;
    status('Loading ' + user + '…');
    const now = Date.now();
    const windowStart = now - WINDOW_DAYS * DAY;
    const list = (await events({ user, from: new Date(windowStart - BASELINE_DAYS * DAY).toISOString(), limit: 1000 })).filter(isLookup);
    const inWindow = list.filter((e) => Date.parse(e.at) >= windowStart);
    const baseline = (list.length - inWindow.length) / BASELINE_DAYS;
    const days = [];
    for (let i = WINDOW_DAYS - 1; i >= 0; i--) days.push(new Date(now - i * DAY).toISOString().slice(0, 10));
    const perDay = days.map((d) => inWindow.filter((e) => e.at.slice(0, 10) === d).length);
    const byHour = Array.from({ length: 24 }, (_, h) => inWindow.filter((e) => new Date(e.at).getHours() === h).length);
    $('#user-title').textContent = user + ': ' + inWindow.length + ' lookup(s) in the last ' + WINDOW_DAYS + ' days';
    $('#user-per-day').replaceChildren(
      barChart(
        'Lookups per day (UTC) against the ' + BASELINE_DAYS + '-day baseline',
        days.map((d) => d.slice(5)),
        perDay,
        baseline,
      ),
    );
    $('#user-by-hour').replaceChildren(
      barChart(
        'Lookups by hour of day (this browser\u2019s time)',
        byHour.map((_, h) => String(h)),
        byHour,
      ),
    );
    status(list.length === 1000 ? 'Showing the newest 1,000 records only' : '');
  }

  async function signIn() {
    const config = await (await fetch('/audit/config')).json();
    if (config.signIn === 'sandbox') {
      const res = await fetch('/explorer/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ persona: 'auditor' }),
      });
      token = (await res.json()).token;
      $('#who').textContent = 'sandbox: signed in as the auditor persona';
      return;
    }
    $('#sign-in').hidden = false;
    await new Promise((resolve) =>
      $('#use-token').addEventListener('click', () => {
        token = $('#token')
          .value.trim()
          .replace(/^Bearer\s+/i, '');
        if (token) {
          $('#sign-in').hidden = true;
          $('#token').value = '';
          resolve();
        }
      }),
    );
    $('#who').textContent = 'signed in with a pasted token';
  }

  const guard =
    (fn) =>
    (...args) =>
      Promise.resolve(fn(...args)).catch((e) => status('Error: ' + e.message));

  function wire() {
    for (const t of document.querySelectorAll('.tab')) t.addEventListener('click', () => show(t.dataset.view));
    const onSubmit = (id, fn) =>
      $(id).addEventListener('submit', (ev) => {
        ev.preventDefault();
        guard(fn)(ev.target);
      });
    onSubmit('#search-form', search);
    onSubmit('#timeline-form', (f) => openTimeline(f.subject.value.trim()));
    onSubmit('#signals-form', findSignals);
    onSubmit('#user-form', (f) => openUser(f.user.value.trim()));
    const signalsForm = $('#signals-form');
    signalsForm.from.value = toLocalInput(new Date(Date.now() - WINDOW_DAYS * DAY));
    signalsForm.to.value = toLocalInput(new Date(Date.now() + 60000));
  }

  async function start() {
    wire();
    await signIn();
    const params = new URLSearchParams(location.search);
    if (params.get('subject')) await openTimeline(params.get('subject'));
    else if (params.get('user')) await openUser(params.get('user'));
    else show('search');
    document.body.dataset.ready = 'true';
  }

  guard(start)();
})();
