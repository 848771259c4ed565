// Epochs: anchor status, the list of sealed epochs with their TSA timestamps, a chart of epoch sizes and
// time to timestamp, and the "Trigger epoch" action for keys with the anchor scope.
import { get, post, qs, hasScope, noteMissingScope, ApiError } from './api.js';
import { h, s, clear, problem, loading, status, outcome, facts, section, copyable, timeEl, seconds, num, toast, labelCells } from './ui.js';

const LIMIT = 20;

export async function render(main, route, ctx) {
  const head = h('div.pagehead', h('div', h('h1', 'Epochs'),
    h('p.muted', 'Each epoch seals the log at a size with a signed checkpoint, then collects RFC 3161 timestamps from every configured authority.')));
  const actions = h('div.actions');
  head.append(actions);
  const statusBox = section('Anchor status', loading());
  const chartBox = section('Epoch sizes and time to timestamp', loading());
  const listBox = h('section.card.wide', { 'aria-labelledby': 'epochs-title' }, h('h2#epochs-title', 'Sealed epochs'), loading());
  const triggerMsg = h('div#trigger-msg', { 'aria-live': 'polite' });
  main.append(head, triggerMsg, h('div.grid', statusBox, chartBox, listBox));

  const anchor = hasScope('anchor');
  if (anchor === false) {
    actions.append(h('p.muted.small#no-anchor', 'Triggering an epoch needs a key with the anchor scope.'));
  } else {
    const btn = h('button.primary#trigger-epoch', { type: 'button' }, 'Trigger epoch');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      clear(triggerMsg).append(loading('Sealing an epoch…'));
      try {
        const r = await post('/v1/epochs/trigger');
        if (!ctx.alive()) return;
        clear(triggerMsg).append(h('p.note#trigger-result', { role: 'status' }, h('span', { 'aria-hidden': 'true' }, '✓ '),
          r.created ? `Epoch ${r.epoch} sealed.` : `Joined epoch ${r.epoch}, which another trigger had just started.`,
          r.epochInfo ? ` It covers the log up to ${num(r.epochInfo.checkpoint?.treeSize)} entries.` : ''));
        toast(`Epoch ${r.epoch} ${r.created ? 'sealed' : 'joined'}`);
        await load();
      } catch (e) {
        if (!ctx.alive()) return;
        if (e instanceof ApiError && e.status === 403) {
          noteMissingScope('anchor');
          btn.remove();
          actions.append(h('p.muted.small#no-anchor', 'Triggering an epoch needs a key with the anchor scope.'));
        }
        clear(triggerMsg).append(problem(e, { context: 'The epoch could not be triggered' }));
      } finally { btn.disabled = false; }
    });
    actions.append(btn);
  }

  let epochs = [];
  const load = async () => {
    const [st, list] = await Promise.allSettled([get('/v1/anchor/status'), get(`/v1/epochs${qs({ limit: LIMIT })}`)]);
    if (!ctx.alive()) return;
    replaceBody(statusBox, st.status === 'fulfilled' ? anchorStatus(st.value) : problem(st.reason));
    if (list.status === 'fulfilled') {
      epochs = list.value || [];
      replaceBody(listBox, table(epochs), more(listBox, () => epochs, (x) => { epochs = epochs.concat(x); replaceBody(chartBox, chart(epochs)); }));
      replaceBody(chartBox, chart(epochs));
    } else {
      replaceBody(listBox, problem(list.reason));
      replaceBody(chartBox, h('p.muted', 'No data.'));
    }
  };
  await load();
}

function replaceBody(card, ...content) {
  while (card.children.length > 1) card.lastChild.remove();
  for (const c of content) if (c) card.append(c);
}

function anchorStatus(a) {
  const iv = a.interval ? `every ${duration(a.interval)}` : null;
  return facts([
    ['Log size', `${num(a.logSize)} entries`],
    ['Waiting for the next epoch', `${num(a.pendingEntries)} entries`],
    ['Last epoch', a.lastEpoch ?? 'none yet'],
    ['Last sealed', a.lastSealedAt ? timeEl(a.lastSealedAt) : null],
    ['Interval', iv],
    ['Size threshold', a.pendingThreshold ? `${num(a.pendingThreshold)} entries` : null],
    ['Next scheduled', a.nextScheduledAt ? timeEl(a.nextScheduledAt) : null],
    ['Epochs awaiting a timestamp', a.epochsAwaitingTimestamp ? h('span', outcome('pending', `${a.epochsAwaitingTimestamp} pending`)) : h('span', outcome('pass', 'none'))],
  ]);
}

function more(listBox, current, addMore) {
  const list = current();
  if (list.length < LIMIT) return null;
  const btn = h('button', { type: 'button' }, 'Older epochs');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const all = current();
      const older = await get(`/v1/epochs${qs({ limit: LIMIT, before: all[all.length - 1].epoch })}`);
      addMore(older || []);
      const tbody = listBox.querySelector('tbody');
      for (const e of older || []) tbody.append(row(e));
      labelCells(listBox.querySelector('table'));
      if (!older || older.length < LIMIT) btn.remove(); else btn.disabled = false;
    } catch (e) { btn.replaceWith(problem(e)); }
  });
  return btn;
}

function table(list) {
  if (!list.length) return h('p.muted', 'No epoch has been sealed yet.');
  return h('div.tablewrap', labelCells(h('table.epochs',
    h('thead', h('tr', ['Epoch', 'Status', 'New entries', 'Log size', 'Root hash', 'Sealed', 'Timestamps', 'Time to timestamp'].map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', list.map(row)))));
}

function row(e) {
  const cp = e.checkpoint || {};
  return h('tr', { 'data-epoch': e.epoch },
    h('th', { scope: 'row' }, `#${e.epoch}`),
    h('td', status(e.status)),
    h('td.num', num(e.entries)),
    h('td.num', num(cp.treeSize)),
    h('td', copyable(cp.rootHash, { n: 12, label: `root hash of epoch ${e.epoch}` })),
    h('td', timeEl(cp.sealedAt)),
    h('td', (e.timestamps || []).length ? h('ul.plain.tsa', e.timestamps.map(t => h('li', { 'data-tsa': t.tsa, 'data-state': t.state },
      outcome(t.state), ' ', h('span.tsaname', t.tsa),
      t.state === 'granted' && t.genTime ? h('span.muted.small', ' at ', timeEl(t.genTime)) : null,
      t.state !== 'granted' ? h('div.small.muted', `${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`,
        t.lastError ? `; last error: ${t.lastError}` : '', t.nextAttemptAt ? ['; next try ', timeEl(t.nextAttemptAt)] : '') : null)))
      : h('span.muted', 'no authority configured')),
    h('td.num', seconds(e.secondsToTimestamp)));
}

/** Two small bar charts sharing the epoch axis: new entries per epoch and seconds from seal to timestamp. */
function chart(list) {
  const data = [...list].sort((a, b) => a.epoch - b.epoch).slice(-30);
  if (!data.length) return h('p.muted', 'Nothing to chart yet.');
  const W = 640, PH = 120, PAD = 36, GAP = 28;
  const bw = Math.max(4, Math.min(28, (W - PAD - 10) / data.length - 4));
  const maxN = Math.max(1, ...data.map(d => d.entries || 0));
  const maxT = Math.max(0.001, ...data.map(d => d.secondsToTimestamp || 0));
  const x = (i) => PAD + i * ((W - PAD - 10) / data.length) + 2;
  const panel = (y0, title, value, max, fmt, cls) => s('g', { class: `panel ${cls}` },
    s('text.ct', { x: 0, y: y0 - 8 }, title),
    s('line.axis', { x1: PAD - 4, y1: y0 + PH, x2: W - 6, y2: y0 + PH }),
    s('text.cl', { x: PAD - 8, y: y0 + 10, 'text-anchor': 'end' }, fmt(max)),
    s('text.cl', { x: PAD - 8, y: y0 + PH, 'text-anchor': 'end' }, '0'),
    data.map((d, i) => {
      const v = value(d);
      const hgt = v === null || v === undefined ? 0 : Math.max(1, (v / max) * PH);
      return s('g', {},
        v === null || v === undefined
          ? s('text.cl', { x: x(i) + bw / 2, y: y0 + PH - 4, 'text-anchor': 'middle' }, '?')
          : s('rect', { x: x(i), y: y0 + PH - hgt, width: bw, height: hgt, class: 'bar' }, s('title', `Epoch ${d.epoch}: ${fmt(v)}`)),
        s('text.cl', { x: x(i) + bw / 2, y: y0 + PH + 13, 'text-anchor': 'middle' }, data.length <= 15 || i % 2 === 0 ? String(d.epoch) : ''));
    }));
  const total = 2 * PH + GAP + 60;
  const svg = s('svg.chart', { viewBox: `0 0 ${W} ${total}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc' },
    s('title#chart-title', 'Epoch sizes and time to timestamp'),
    s('desc#chart-desc', data.map(d => `Epoch ${d.epoch}: ${d.entries} new entries, ${d.secondsToTimestamp == null ? 'not timestamped yet' : `${seconds(d.secondsToTimestamp)} to timestamp`}`).join('. ')),
    panel(18, 'New entries per epoch', d => d.entries, maxN, v => num(v), 'p-size'),
    panel(18 + PH + GAP + 12, 'Seconds from seal to timestamp (? = still pending)', d => d.secondsToTimestamp, maxT, v => num(v, v < 10 ? 2 : 0), 'p-time'));
  return h('figure.chartfig', svg, h('figcaption.muted.small', `Last ${data.length} epoch${data.length === 1 ? '' : 's'}, oldest left. The table below has the exact values.`));
}

/** "00:05:00" / "1.02:00:00" (TimeSpan) → "5 min" / "1 d 2 h"; anything else as given. */
function duration(v) {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(String(v));
  if (!m) return String(v);
  const [d, hh, mm, ss] = [Number(m[1] || 0), Number(m[2]), Number(m[3]), Number(m[4])];
  const parts = [d && `${d} d`, hh && `${hh} h`, mm && `${mm} min`, ss && `${ss} s`].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 s';
}
