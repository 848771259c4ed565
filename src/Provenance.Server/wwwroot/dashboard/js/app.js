// Entry point: API key gate, header, hash router (#/search?q=, #/asset/ID, #/lineage/ID, #/epochs, #/runtime).
import { getKey, setKey, forgetKey, probeKey, getKeyInfo, ApiError } from './api.js';
import { h, clear, problem } from './ui.js';
import * as search from './search.js';
import * as asset from './asset.js';
import * as lineage from './lineage.js';
import * as epochs from './epochs.js';
import * as runtime from './runtime.js';

const main = document.getElementById('main');
const keybox = document.getElementById('keybox');
let cleanup = null;
let generation = 0;

/** Parses location.hash into { page, id, query }. */
export function parseRoute(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(p => { try { return decodeURIComponent(p); } catch { return p; } });
  return { page: parts[0] || 'search', id: parts.slice(1).join('/') || null, query: new URLSearchParams(query) };
}

const PAGES = { search, asset, lineage, epochs, runtime };
const TITLES = { search: 'Search', asset: 'Asset', lineage: 'Lineage explorer', epochs: 'Epochs', runtime: 'Runtime' };

async function route() {
  const gen = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } cleanup = null; }
  const r = parseRoute();
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === r.page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  clear(main);
  if (!getKey()) { renderKeyForm(); return; }
  if (!getKeyInfo()) { await refreshKeyInfo(); if (gen !== generation || !getKey()) return; }
  const mod = PAGES[r.page];
  if (!mod) {
    main.append(h('h1', 'Page not found'), h('p', 'There is no page called ', h('code', r.page), '. ', h('a', { href: '#/search' }, 'Go to search'), '.'));
    return;
  }
  document.title = `${TITLES[r.page]}${r.id ? ` ${r.id}` : ''} · Provenance dashboard`;
  const ctx = { alive: () => gen === generation, route: r };
  try {
    const c = await mod.render(main, r, ctx);
    if (gen === generation) cleanup = typeof c === 'function' ? c : null;
    else if (typeof c === 'function') c();
  } catch (e) {
    if (gen !== generation) return;
    main.append(problem(e));
    if (!(e instanceof ApiError)) console.error(e);
  }
}

function renderKeyForm(message) {
  clear(main);
  const input = h('input#apikey', {
    type: 'password', name: 'apikey', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'apikey-help', placeholder: 'API key',
  });
  const form = h('form.card.keyform', {
    'aria-labelledby': 'key-title',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      setKey(v);
      await refreshKeyInfo();
      if (getKey()) route();
    },
  },
  h('h1#key-title', 'Enter your API key'),
  message ? h('div', message) : null,
  h('label', { for: 'apikey' }, 'API key'),
  h('div.row', input, h('button.primary', { type: 'submit' }, 'Use this key')),
  h('p#apikey-help.muted', 'The key is kept in this browser tab only (session storage) and is sent to this server as ',
    h('code', 'Authorization: Bearer …'), '. Closing the tab forgets it.'));
  main.append(form);
  renderKeybox();
  input.focus();
}

async function refreshKeyInfo() {
  try { await probeKey(); }
  catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetKey();
      renderKeyForm(problem(e, { context: 'That key was refused' }));
      return;
    }
  }
  renderKeybox();
}

function renderKeybox() {
  clear(keybox);
  if (!getKey()) { keybox.append(h('span.muted', 'No API key')); return; }
  const info = getKeyInfo();
  const scopes = info && Array.isArray(info.scopes) ? (info.scopes.join(', ') || 'none') : 'unknown';
  keybox.append(
    h('span.keyinfo', { 'data-tenant': info && info.tenant ? info.tenant : '' },
      h('span.sr', 'Signed in. '),
      'Tenant: ', h('strong', info && info.tenant ? info.tenant : 'unknown'),
      h('span.sep', { 'aria-hidden': 'true' }, ' · '), 'Scopes: ', h('strong.scopes', scopes)),
    h('button.linkish', { type: 'button', onclick: () => { forgetKey(); renderKeyForm(); } }, 'Change key'));
}

window.addEventListener('pv:unauthenticated', (ev) => {
  forgetKey();
  renderKeyForm(problem(new ApiError(ev.detail), { context: 'The server refused the API key' }));
});
window.addEventListener('hashchange', route);

(async () => {
  if (getKey()) await refreshKeyInfo(); else renderKeybox();
  if (getKey()) route(); else renderKeyForm();
})();
