// Runtime view (Orleans-dashboard-like): GET /v1/runtime every 2 s; calls per second are the difference of the
// cumulative call counters between two samples divided by the time between them.
import { get, ApiError } from './api.js';
import { h, s, clear, problem, loading, num, outcome, labelCells } from './ui.js';

const EVERY_MS = 2000;
const HISTORY = 60;

export async function render(main, route, ctx) {
  const summary = h('div.tiles', { 'aria-live': 'off' });
  const spark = h('div.spark');
  const tableBox = h('div.tablewrap');
  const msg = h('div', { 'aria-live': 'polite' });
  const stamp = h('span.muted.small#runtime-at');
  const pauseBtn = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  main.append(
    h('div.pagehead', h('div', h('h1', 'Runtime'), h('p.muted', 'Grain activations, call rates, latencies and calls in progress on this silo, refreshed every 2 seconds. ', stamp)),
      h('div.actions', h('a#orleans-dashboard-link', { href: '/orleans/', title: 'Orleans\u2019 own dashboard; signs in with an admin key' }, 'Orleans dashboard'), ' ', pauseBtn)),
    msg, summary, h('section.card', { 'aria-labelledby': 'rt-rate' }, h('h2#rt-rate', 'Calls per second (all grain types, last 2 minutes)'), spark),
    h('section.card', { 'aria-labelledby': 'rt-types' }, h('h2#rt-types', 'Grain types'), tableBox));
  summary.append(loading());

  let prev = null;
  const history = [];
  let timer = null;
  let paused = false;
  let stopped = false;

  const tick = async () => {
    timer = null;
    if (stopped || !ctx.alive()) return;
    try {
      const st = await get('/v1/runtime');
      if (stopped || !ctx.alive()) return;
      clear(msg);
      const rates = rateOf(prev, st);
      prev = st;
      const total = rates ? [...rates.values()].reduce((a, b) => a + b, 0) : null;
      if (total !== null) { history.push(total); if (history.length > HISTORY) history.shift(); }
      stamp.textContent = `Last sample: ${new Date(st.at || Date.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`;
      renderTiles(summary, st, total);
      clear(spark).append(sparkline(history));
      clear(tableBox).append(table(st, rates));
    } catch (e) {
      if (stopped || !ctx.alive()) return;
      clear(msg).append(problem(e, { context: 'Runtime statistics unavailable' }));
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) {
        clear(summary); stamp.textContent = '';
        msg.append(h('p.muted', 'The runtime view needs a key with the admin scope. Polling stopped.'));
        return;   // no point asking again every 2 s
      }
    }
    if (!paused && !stopped) timer = setTimeout(tick, EVERY_MS);
  };
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume' : 'Pause';
    pauseBtn.setAttribute('aria-pressed', String(paused));
    if (!paused && !timer) tick();
    else if (paused && timer) { clearTimeout(timer); timer = null; }
  });
  await tick();
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}

function rateOf(prev, cur) {
  if (!prev) return null;
  const dt = (new Date(cur.at) - new Date(prev.at)) / 1000;
  if (!(dt > 0)) return null;
  const before = new Map((prev.grainTypes || []).map(g => [g.grainType, g.calls]));
  const out = new Map();
  for (const g of cur.grainTypes || []) {
    const p = before.get(g.grainType);
    out.set(g.grainType, p === undefined ? 0 : Math.max(0, g.calls - p) / dt);   // a restart resets counters: clamp
  }
  return out;
}

function tile(label, value, extra) {
  return h('div.tile', h('div.tlabel', label), h('div.tvalue', value), extra ? h('div.small', extra) : null);
}

function renderTiles(box, st, total) {
  const types = st.grainTypes || [];
  const sum = (f) => types.reduce((a, g) => a + (g[f] || 0), 0);
  clear(box).append(
    tile('Active activations', num(sum('activeActivations'))),
    tile('Calls per second', total === null ? 'measuring…' : num(total, 1), `${num(sum('calls'))} calls in total`),
    tile('Failed calls', num(sum('failedCalls'))),
    tile('Calls in progress', num(sum('queueLength'))),
    tile('Storage errors', h('span', outcome(st.storageErrors ? 'fail' : 'pass', num(st.storageErrors)))),
    tile('TSA failures', h('span', outcome(st.tsaFailures ? 'fail' : 'pass', num(st.tsaFailures))),
      st.tsaLatencyMsP50 !== null && st.tsaLatencyMsP50 !== undefined ? `TSA latency p50 ${num(st.tsaLatencyMsP50, 1)} ms` : null));
}

function table(st, rates) {
  const types = [...(st.grainTypes || [])].sort((a, b) => a.grainType.localeCompare(b.grainType));
  if (!types.length) return h('p.muted', 'No grain has been activated yet.');
  return labelCells(h('table.runtime',
    h('thead', h('tr', ['Grain type', 'Active', 'Calls/s', 'Calls', 'Failed', 'Queue', 'p50 ms', 'p95 ms', 'p99 ms'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', types.map(g => h('tr', { 'data-grain-type': g.grainType },
      h('th', { scope: 'row' }, g.grainType),
      h('td.num', num(g.activeActivations)),
      h('td.num', rates ? num(rates.get(g.grainType) || 0, 1) : '…'),
      h('td.num', num(g.calls)), h('td.num', g.failedCalls ? h('span', outcome('fail', num(g.failedCalls))) : '0'),
      h('td.num', num(g.queueLength)),
      h('td.num', num(g.latencyMsP50, 2)), h('td.num', num(g.latencyMsP95, 2)), h('td.num', num(g.latencyMsP99, 2)))))));
}

function sparkline(values) {
  const W = 600, H = 70;
  if (values.length < 2) return h('p.muted.small', 'Collecting samples…');
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * W},${H - (v / max) * (H - 6) - 2}`).join(' ');
  const last = values[values.length - 1];
  return h('div',
    s('svg.sparkline', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `Calls per second over the last ${values.length} samples; now ${num(last, 1)}, peak ${num(max, 1)}` },
      s('polyline', { points: pts, class: 'line', 'vector-effect': 'non-scaling-stroke' })),
    h('p.small.muted', `Now ${num(last, 1)} calls/s, peak ${num(max, 1)} calls/s over the last ${values.length} samples.`));
}

