// HTTP access to the /v1 API with the key the user typed in (sessionStorage only: gone with the tab).
// Every error comes back as an ApiError carrying the RFC 9457 problem document, so pages can show it readably.

const KEY = 'provenance.apiKey';
const INFO = 'provenance.keyInfo';

export function getKey() { return sessionStorage.getItem(KEY) || ''; }
export function setKey(key) {
  sessionStorage.setItem(KEY, key.trim());
  sessionStorage.removeItem(INFO);
}
export function forgetKey() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(INFO); }

/** What we know about the key: { tenant, scopes: string[]|null, keyId } (scopes null when unknown). */
export function getKeyInfo() {
  try { return JSON.parse(sessionStorage.getItem(INFO) || 'null'); } catch { return null; }
}
function setKeyInfo(info) { sessionStorage.setItem(INFO, JSON.stringify(info)); }

export class ApiError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.problem = problem;
    this.status = problem.status;
    this.code = codeOf(problem);
  }
}

/** The stable code at the end of the problem type URI (https://provenance.dev/problems/<code>). */
export function codeOf(problem) {
  const t = problem && problem.type;
  if (!t || t === 'about:blank') return null;
  const i = t.lastIndexOf('/');
  return i >= 0 ? t.slice(i + 1) : t;
}

const STATUS_TEXT = {
  400: 'Bad request', 401: 'Not signed in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict',
  413: 'Too large', 429: 'Too many requests', 500: 'Server error', 502: 'Bad gateway', 503: 'Service unavailable',
};

async function toProblem(res) {
  let body = null;
  const type = res.headers.get('content-type') || '';
  try {
    if (type.includes('json')) body = await res.json();
    else {
      const text = await res.text();
      body = text ? { detail: text.slice(0, 500) } : null;
    }
  } catch { body = null; }
  const p = body && typeof body === 'object' ? { ...body } : {};
  p.status = p.status || res.status;
  p.title = p.title || STATUS_TEXT[res.status] || `HTTP ${res.status}`;
  return p;
}

function headers(extra) {
  const h = new Headers(extra || {});
  const key = getKey();
  if (key) h.set('Authorization', `Bearer ${key}`);
  h.set('Accept', h.get('Accept') || 'application/json, application/problem+json');
  return h;
}

/** fetch with the key; resolves to the Response when ok, rejects with ApiError otherwise. */
export async function raw(path, init = {}) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: headers(init.headers), credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError({ status: 0, title: 'Server unreachable', detail: `The request to ${path} did not reach the server (${e.message}).` });
  }
  if (!res.ok) {
    const problem = await toProblem(res);
    if (res.status === 401) window.dispatchEvent(new CustomEvent('pv:unauthenticated', { detail: problem }));
    throw new ApiError(problem);
  }
  return res;
}

export async function get(path) {
  const res = await raw(path);
  if (res.status === 204) return null;
  return res.json();
}

export async function post(path, body) {
  const res = await raw(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? '{}' : JSON.stringify(body),
  });
  if (res.status === 204 || res.status === 202) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Builds a query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/**
 * Learns what the key can do from GET /v1/me (any valid key may ask): its tenant, id and scopes.
 * A 401 propagates (the key is refused); anything else leaves the scopes unknown (null) and pages
 * handle a 403 readably.
 */
export async function probeKey() {
  const cached = getKeyInfo();
  if (cached) return cached;
  const info = { tenant: null, scopes: null, keyId: null };
  try {
    const me = await get('/v1/me');
    info.tenant = me.tenant || null;
    info.keyId = me.keyId || null;
    info.scopes = Array.isArray(me.scopes) ? me.scopes : null;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 401) throw e;
  }
  setKeyInfo(info);
  return info;
}

/** True/false when the key's scopes are known, null when not. */
export function hasScope(scope) {
  const info = getKeyInfo();
  if (!info) return null;
  if (info.missing && info.missing.includes(scope)) return false;
  if (Array.isArray(info.scopes)) return info.scopes.includes(scope);
  return null;
}

/** Records a scope learnt the hard way (a 403 on an action that needs it). */
export function noteMissingScope(scope) {
  const info = getKeyInfo() || { tenant: null, scopes: null };
  info.missing = Array.from(new Set([...(info.missing || []), scope]));
  setKeyInfo(info);
}
