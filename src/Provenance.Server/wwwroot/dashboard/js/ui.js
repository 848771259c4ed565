// Small DOM helpers shared by the pages. Text always goes in as text nodes (never innerHTML), so whatever
// an asset title or a prompt contains is displayed, not executed.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** h('tag.class#id', {attrs}, ...children): children may be strings, nodes, arrays, null/false (skipped). */
export function h(spec, attrs, ...children) {
  return build(document.createElement(tagOf(spec)), spec, attrs, children);
}
/** The same for SVG elements. */
export function s(spec, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tagOf(spec)), spec, attrs, children);
}
function tagOf(spec) { return spec.split(/[.#]/)[0] || 'div'; }
function build(el, spec, attrs, children) {
  for (const m of spec.matchAll(/([.#])([^.#]+)/g)) {
    if (m[1] === '.') el.classList.add(m[2]); else el.id = m[2];
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', [el.getAttribute('class'), v].filter(Boolean).join(' '));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

/** Outcome → icon + words: colour is never the only carrier. */
const OUTCOMES = {
  pass: { icon: '✓', text: 'Pass', cls: 'ok' },
  fail: { icon: '✗', text: 'Fail', cls: 'bad' },
  pending: { icon: '◷', text: 'Pending', cls: 'wait' },
  notApplicable: { icon: '–', text: 'Not applicable', cls: 'na' },
  granted: { icon: '✓', text: 'Granted', cls: 'ok' },
  failed: { icon: '✗', text: 'Failed', cls: 'bad' },
  verified: { icon: '✓', text: 'Verified', cls: 'ok' },
  'partially-verified': { icon: '◐', text: 'Partially verified', cls: 'wait' },
  unknown: { icon: '?', text: 'Unknown', cls: 'na' },
};

/** A badge like "✓ Pass" with role=img-free text (screen readers read the words, the icon is aria-hidden). */
export function outcome(value, label) {
  const o = OUTCOMES[value] || { icon: '•', text: humanize(value || 'unknown'), cls: 'na' };
  return h('span.badge', { class: `b-${o.cls}`, 'data-outcome': value || 'unknown' },
    h('span.icon', { 'aria-hidden': 'true' }, o.icon), ' ', label || o.text);
}

const STATUS = {
  requested: ['◷', 'wait'], generated: ['●', 'info'], moderated: ['◆', 'info'], approved: ['✓', 'ok'],
  rejected: ['✗', 'bad'], published: ['✓', 'ok'], revoked: ['⊘', 'bad'], failed: ['✗', 'bad'],
  retrying: ['↻', 'wait'], repaired: ['✓', 'ok'],
  draft: ['✎', 'info'], deprecated: ['↓', 'wait'], blocked: ['⊘', 'bad'],
  sealed: ['◆', 'wait'], timestamped: ['✓', 'ok'],
};
/** Lifecycle / prompt / epoch status as icon + word. */
export function status(value) {
  const [icon, cls] = STATUS[value] || ['•', 'na'];
  return h('span.badge', { class: `b-${cls}`, 'data-status': value || 'unknown' },
    h('span.icon', { 'aria-hidden': 'true' }, icon), ' ', humanize(value || 'unknown'));
}

/** camelCase / kebab-case → "Words like this". */
export function humanize(v) {
  const t = String(v).replace(/[-_]/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Edge label read from parent to child, in the manifest's own words: "A — parent of → B". */
export const RELATIONSHIP = { parentOf: 'parent of', componentOf: 'component of', inputTo: 'input to' };
export function relationship(r) { return RELATIONSHIP[r] || (r ? humanize(r).toLowerCase() : 'parent of'); }
/** What a parent is to this asset, for lists of parents: "Parent", "Component", "Input". */
export const PARENT_ROLE = { parentOf: 'Parent', componentOf: 'Component', inputTo: 'Input' };
export function parentRole(r) { return PARENT_ROLE[r] || 'Parent'; }

/** sha256:abcdef… shortened for display; the full value stays in the title/copy. */
export function short(hash, n = 10) {
  if (!hash) return '';
  const str = String(hash);
  const i = str.indexOf(':');
  const body = i >= 0 ? str.slice(i + 1) : str;
  if (body.length <= n + 2) return str;
  return `${i >= 0 ? str.slice(0, i + 1) : ''}${body.slice(0, n)}…`;
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}
export function timeEl(iso) {
  return iso ? h('time', { datetime: iso, title: iso }, time(iso)) : '—';
}
export function num(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
export function seconds(s) {
  if (s === null || s === undefined) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${num(s, 1)} s`;
  return `${num(s / 60, 1)} min`;
}

/** Shows a hash/id shortened with a button that copies the full value. */
export function copyable(value, { n = 10, label = 'value' } = {}) {
  if (!value) return h('span', '—');
  const btn = h('button.copy', {
    type: 'button', 'aria-label': `Copy ${label} ${value}`, title: 'Copy to clipboard',
    onclick: async () => {
      try { await navigator.clipboard.writeText(value); toast(`Copied ${label}`); }
      catch {
        // Clipboard API refused (http, permissions): select the text so Ctrl+C works.
        const r = document.createRange(); r.selectNodeContents(code);
        const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
        toast('Press Ctrl+C to copy the selected text');
      }
    },
  }, 'Copy');
  const code = h('code.hash', { title: value, 'data-full': value }, short(value, n));
  return h('span.copyable', code, btn);
}

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  if (!t) return;
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 2500);
}

/** An RFC 9457 problem shown for humans: title, what happened, which field, the code and trace id for support. */
export function problem(err, { context } = {}) {
  const p = (err && err.problem) || { title: 'Something went wrong', detail: err && err.message ? err.message : String(err) };
  const hint = HINTS[p.status];
  const code = err && err.code;
  return h('div.problem', { role: 'alert', 'data-status': p.status || 0, 'data-code': code || '' },
    h('p.ptitle', h('span.icon', { 'aria-hidden': 'true' }, '⚠'), ' ', context ? `${context}: ` : '', p.title || 'Error',
      p.status ? h('span.pstatus', ` (HTTP ${p.status})`) : null),
    p.detail ? h('p', p.detail) : null,
    p.field ? h('p', 'Field: ', h('code', p.field)) : null,
    hint ? h('p.phint', hint) : null,
    (code || p.traceId) ? h('p.pmeta', code ? ['Code: ', h('code', code)] : null, code && p.traceId ? ' · ' : null,
      p.traceId ? ['Trace id: ', h('code', p.traceId)] : null) : null);
}
const HINTS = {
  401: 'The API key was not accepted (unknown or revoked). Enter another key with “Change key”.',
  403: 'This API key does not have the scope this needs. Ask an administrator for a key with that scope.',
  404: 'It does not exist, or it belongs to another tenant and is not visible with this key.',
  503: 'A dependency of the server (the database) is down. Try again shortly.',
};

export function loading(text = 'Loading…') {
  return h('p.loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), ' ', text);
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  const dl = h('dl.facts');
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('dt', k), h('dd', v));
  }
  return dl;
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section.card', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function assetLink(id, text) { return h('a', { href: `#/asset/${encodeURIComponent(id)}` }, text || id); }
export function lineageLink(id, text) { return h('a', { href: `#/lineage/${encodeURIComponent(id)}` }, text || 'Lineage'); }

/** Saves a Blob as a file via a temporary object URL. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

/** Copies each column header into data-label on its cells, so narrow screens can show rows as labelled cards. */
export function labelCells(table) {
  const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((td, i) => { if (heads[i] && !td.dataset.label) td.dataset.label = heads[i]; });
  }
  return table;
}
