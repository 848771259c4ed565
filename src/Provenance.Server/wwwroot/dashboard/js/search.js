// Search page: one box for asset id, content hash, title, tag, prompt text or model.
import { get, qs, enc, ApiError } from './api.js';
import { h, clear, problem, loading, status, short, assetLink, lineageLink, labelCells } from './ui.js';

const HASH_RE = /^sha256:[0-9a-f]{64}$/i;
const HEX_RE = /^[0-9a-f]{64}$/i;

export async function render(main, route, ctx) {
  const q = route.query.get('q') || '';
  const field = route.query.get('in') || 'any';
  const input = h('input#q', { type: 'search', name: 'q', value: q, 'aria-describedby': 'q-help', placeholder: 'asset id, sha256:…, title, tag, prompt text, model', autocomplete: 'off' });
  const select = h('select#in', { name: 'in' },
    [['any', 'Anything'], ['tag', 'Tag'], ['model', 'Model'], ['hash', 'Content hash']].map(([v, t]) =>
      h('option', { value: v, selected: v === field }, t)));
  const results = h('div#results', { 'aria-live': 'polite' });
  main.append(
    h('h1', 'Search assets'),
    h('form.card.search', {
      role: 'search',
      onsubmit: (ev) => {
        ev.preventDefault();
        const params = new URLSearchParams();
        if (input.value.trim()) params.set('q', input.value.trim());
        if (select.value !== 'any') params.set('in', select.value);
        const target = `#/search${params.toString() ? `?${params}` : ''}`;
        if (location.hash === target) render2(); else location.hash = target;
      },
    },
    h('label', { for: 'q' }, 'Find'),
    h('div.row', input, h('label.sr', { for: 'in' }, 'Search in'), select, h('button.primary', { type: 'submit' }, 'Search')),
    h('p#q-help.muted', 'Paste an asset id or a content hash to jump to it; words search titles, tags, prompt texts and models.')),
    results);
  const render2 = () => run(results, input.value.trim(), select.value, ctx);
  if (q) await run(results, q, field, ctx);
  else input.focus();
}

async function run(results, q, field, ctx) {
  clear(results).append(loading('Searching…'));
  const params = { limit: 50 };
  let hash = null;
  if (field === 'hash' || HASH_RE.test(q)) hash = HEX_RE.test(q) ? `sha256:${q.toLowerCase()}` : q;
  else if (field === 'tag') params.tag = q;
  else if (field === 'model') params.model = q;
  else params.q = q;
  if (hash) params.hash = hash;

  // An exact asset id is the most common support request: look it up directly as well.
  const exact = (field === 'any' && q && !hash && /^[A-Za-z0-9._:-]{1,128}$/.test(q))
    ? get(`/v1/assets/${enc(q)}`).catch(e => (e instanceof ApiError && (e.status === 404 || e.status === 400) ? null : Promise.reject(e)))
    : Promise.resolve(null);
  try {
    // When the text is an exact id, a refused word search (ids are not single words) must not hide the hit.
    const [found, searched] = await Promise.all([exact, get(`/v1/search${qs(params)}`).then(p => ({ p }), e => ({ e }))]);
    if (!ctx.alive()) return;
    if (searched.e && !found) throw searched.e;
    const page = searched.p || { items: [], nextCursor: null };
    clear(results);
    if (found) {
      results.append(h('div.card.exact', h('h2', 'Asset with this id'), table([toNode(found)])));
    }
    const items = (page && page.items) || [];
    const rest = found ? items.filter(i => i.assetId !== found.assetId) : items;
    results.append(h('h2', { class: 'results-title' }, `${rest.length}${page && page.nextCursor ? '+' : ''} result${rest.length === 1 ? '' : 's'}`));
    if (!rest.length && !found) results.append(h('p.muted', 'Nothing matched. Try a shorter word, a tag or a model name.'));
    else if (rest.length) {
      const tbl = table(rest);
      results.append(tbl);
      if (page.nextCursor) results.append(moreButton(tbl, params, page.nextCursor, ctx));
    }
  } catch (e) {
    if (!ctx.alive()) return;
    clear(results).append(problem(e, { context: 'Search failed' }));
  }
}

function moreButton(tbl, params, cursor, ctx) {
  const btn = h('button', {
    type: 'button',
    onclick: async () => {
      btn.disabled = true;
      try {
        const page = await get(`/v1/search${qs({ ...params, cursor })}`);
        if (!ctx.alive()) return;
        const body = tbl.querySelector('tbody');
        for (const n of page.items || []) body.append(row(n));
        labelCells(tbl.querySelector('table'));
        if (page.nextCursor) { cursor = page.nextCursor; btn.disabled = false; } else btn.remove();
      } catch (e) { btn.replaceWith(problem(e, { context: 'Loading more failed' })); }
    },
  }, 'Load more results');
  return btn;
}

function toNode(a) {
  return { assetId: a.assetId, contentHash: a.contentHash, title: a.title, mediaType: a.mediaType, status: a.status, model: a.model, creator: a.creator, prompt: a.prompt, redacted: false };
}

function table(items) {
  return h('div.tablewrap', labelCells(h('table.results',
    h('thead', h('tr', ['Asset', 'Status', 'Model', 'Creator', 'Content hash', ''].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', items.map(row)))));
}

function row(n) {
  if (n.redacted) {
    return h('tr.redacted', { 'data-asset-id': n.assetId },
      h('td', h('code', n.assetId), ' ', h('span.tag', 'redacted')), h('td', '—'), h('td', '—'), h('td', '—'),
      h('td', h('code', { title: n.contentHash }, short(n.contentHash))), h('td', lineageLink(n.assetId)));
  }
  return h('tr', { 'data-asset-id': n.assetId },
    h('td', assetLink(n.assetId, n.title || n.assetId), n.title ? h('div.muted.small', h('code', n.assetId)) : null),
    h('td', n.status ? status(n.status) : '—'),
    h('td', n.model || '—'),
    h('td', n.creator || '—'),
    h('td', h('code', { title: n.contentHash }, short(n.contentHash))),
    h('td', lineageLink(n.assetId, 'Lineage')));
}
