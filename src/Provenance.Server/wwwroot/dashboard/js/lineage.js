// Lineage explorer: an SVG graph laid out in layers (ancestors above, descendants below the asset in focus),
// grown one level per expansion (depth=1) with cursor paging ("+N more" nodes), collapsible, with the path
// to the roots highlighted on request. Keyboard: arrows move between nodes, Enter expands/collapses,
// Space opens the asset page, R highlights the path to the roots, Escape clears the highlight.
import { get, qs, enc, ApiError } from './api.js';
import { h, s, clear, problem, loading, status, short, humanize, relationship, copyable, toast } from './ui.js';

const PAGE = 6;             // nodes per expansion page: bigger fan-outs get a "+N more" node
const W = 200, H = 66;      // node box
const GX = 26, GY = 74;     // gaps between boxes (vertical gap holds the edge labels)
const M = 24;               // margin

export async function render(main, route, ctx) {
  if (!route.id) return renderPicker(main);
  const pageSize = Math.max(1, Math.min(100, Number(route.query.get('page')) || PAGE));
  main.append(loading(`Loading lineage of ${route.id}…`));
  const a = await get(`/v1/assets/${enc(route.id)}`);
  if (!ctx.alive()) return;
  clear(main);
  const g = new Graph(a, pageSize, ctx);
  main.append(g.root);
  await g.start();
}

function renderPicker(main) {
  const input = h('input#lid', { name: 'id', required: true, autocomplete: 'off', placeholder: 'asset id' });
  main.append(h('h1', 'Lineage explorer'),
    h('form.card', { onsubmit: (ev) => { ev.preventDefault(); if (input.value.trim()) location.hash = `#/lineage/${enc(input.value.trim())}`; } },
      h('label', { for: 'lid' }, 'Asset id'), h('div.row', input, h('button.primary', { type: 'submit' }, 'Explore')),
      h('p.muted', 'Or find an asset with ', h('a', { href: '#/search' }, 'search'), ' and follow its “Lineage” link.')));
  input.focus();
}

function fromAsset(a) {
  return {
    assetId: a.assetId, contentHash: a.contentHash, redacted: false, title: a.title, mediaType: a.mediaType,
    status: a.status, model: a.model, prompt: a.prompt, creator: a.creator, parentCount: (a.parents || []).length, childCount: a.childCount ?? null,
  };
}

class Graph {
  constructor(asset, pageSize, ctx) {
    this.ctx = ctx;
    this.pageSize = pageSize;
    this.centerId = asset.assetId;
    this.nodes = new Map();   // id -> { id, dto, layer, via: edgeKey|null, open: {up, down}, busy }
    this.edges = new Map();   // 'parent\u0000child' -> { parent, child, rel }
    this.more = new Map();    // 'id\u0000dir' -> { owner, dir, cursor, remaining }
    this.hlNodes = new Set();
    this.hlEdges = new Set();
    this.focusId = asset.assetId;
    this.addNode(fromAsset(asset), 0, null);

    this.svgBox = h('div.graphwrap', { 'aria-describedby': 'graph-help' });
    this.panel = h('aside.card.nodepanel', { 'aria-label': 'Selected node' });
    this.live = h('p.sr', { role: 'status', 'aria-live': 'polite' });
    this.msg = h('div.graphmsg');
    this.root = h('div.lineage',
      h('div.pagehead',
        h('div',
          h('p.crumbs', h('a', { href: '#/search' }, 'Search'), ' › ', h('a', { href: `#/asset/${enc(asset.assetId)}` }, asset.title || asset.assetId), ' › Lineage'),
          h('h1', 'Lineage of ', asset.title || asset.assetId)),
        h('div.actions',
          h('button#hl-roots', { type: 'button', onclick: () => this.highlightRoots(this.focusId) }, 'Highlight path to roots'),
          h('button', { type: 'button', onclick: () => this.clearHighlight() }, 'Clear highlight'))),
      h('p#graph-help.muted.small',
        'Ancestors are above, descendants below. Click a node or press Enter to expand or collapse it; ',
        'arrow keys move between nodes; Space opens the asset page; R highlights the path to the roots; Escape clears it.'),
      legend(), this.msg,
      h('div.lineage-body', this.svgBox, this.panel), this.live);
    this.svgBox.addEventListener('keydown', (ev) => this.onKey(ev));
  }

  async start() {
    await Promise.all([this.expand(this.centerId, 'up'), this.expand(this.centerId, 'down')]);
    this.draw(true);
  }

  addNode(dto, layer, via) {
    let n = this.nodes.get(dto.assetId);
    if (!n) {
      n = { id: dto.assetId, dto, layer, via, open: { up: false, down: false }, busy: false, order: this.nodes.size };
      this.nodes.set(dto.assetId, n);
    } else if (!n.dto.title && dto.title) n.dto = { ...n.dto, ...dto };
    return n;
  }

  addEdge(parent, child, rel) {
    const key = `${parent}\u0000${child}`;
    if (!this.edges.has(key)) this.edges.set(key, { parent, child, rel });
    return key;
  }

  naturalDir(n) { return n.layer < 0 ? 'up' : n.layer > 0 ? 'down' : 'both'; }
  count(n, dir) {
    let c = 0;
    for (const e of this.edges.values()) if ((dir === 'up' ? e.child : e.parent) === n.id) c++;
    return c;
  }

  /** Loads one page of parents (up) or children (down) of a node; cursor continues a previous page. */
  async expand(id, dir, cursor) {
    const n = this.nodes.get(id);
    if (!n || n.dto.redacted && dir === 'up' && n.dto.parentCount === 0) return;
    n.busy = true;
    if (!cursor) this.draw();
    try {
      const path = dir === 'up' ? 'ancestors' : 'descendants';
      const page = await get(`/v1/assets/${enc(id)}/${path}${qs({ depth: 1, limit: this.pageSize, cursor })}`);
      if (!this.ctx.alive()) return;
      n.open[dir] = true;
      const nodes = (page.nodes || []).filter(x => x.assetId !== id);
      for (const x of nodes) {
        const via = x.viaAssetId || id;
        const layer = (this.nodes.get(via) || n).layer + (dir === 'up' ? -1 : 1);
        const key = dir === 'up' ? `${x.assetId}\u0000${via}` : `${via}\u0000${x.assetId}`;
        this.addNode(x, layer, key);
        if (dir === 'up') this.addEdge(x.assetId, via, x.relationship);
        else this.addEdge(via, x.assetId, x.relationship);
      }
      // Once the last page is in, the total is known even where the first answer did not say (the centre).
      if (!page.nextCursor) n.dto = { ...n.dto, [dir === 'up' ? 'parentCount' : 'childCount']: this.count(n, dir) };
      const mk = `${id}\u0000${dir}`;
      if (page.nextCursor) {
        const total = dir === 'up' ? n.dto.parentCount : n.dto.childCount;
        const loaded = this.count(n, dir);
        this.more.set(mk, { owner: id, dir, cursor: page.nextCursor, remaining: Number.isFinite(total) && total > loaded ? total - loaded : null });
      } else this.more.delete(mk);
      const shown = this.count(n, dir);
      const noun = dir === 'up' ? (shown === 1 ? 'parent' : 'parents') : (shown === 1 ? 'child' : 'children');
      this.say(shown ? `Showing ${shown} ${noun} of ${label(n.dto)}${page.nextCursor ? ', more to load' : ''}.`
        : `${label(n.dto)} has no ${dir === 'up' ? 'parents (it is a root)' : 'children'}.`);
    } catch (e) {
      if (!this.ctx.alive()) return;
      this.showProblem(e, `Loading ${dir === 'up' ? 'parents' : 'children'} of ${id} failed`);
    } finally {
      n.busy = false;
    }
  }

  collapse(id, dir) {
    const n = this.nodes.get(id);
    if (!n) return;
    n.open[dir] = false;
    this.more.delete(`${id}\u0000${dir}`);
    for (const [k, e] of this.edges) {
      if (k === n.via) continue;   // keep the link that ties this node to the rest of the graph
      if ((dir === 'up' && e.child === id) || (dir === 'down' && e.parent === id)) this.edges.delete(k);
    }
    this.prune();
    this.say(`Collapsed ${dir === 'up' ? 'parents' : 'children'} of ${label(n.dto)}.`);
  }

  /** Drops everything no longer connected to the asset in focus. */
  prune() {
    const adj = new Map();
    for (const e of this.edges.values()) {
      (adj.get(e.parent) || adj.set(e.parent, []).get(e.parent)).push(e.child);
      (adj.get(e.child) || adj.set(e.child, []).get(e.child)).push(e.parent);
    }
    const seen = new Set([this.centerId]);
    const stack = [this.centerId];
    while (stack.length) for (const m of adj.get(stack.pop()) || []) if (!seen.has(m)) { seen.add(m); stack.push(m); }
    for (const id of [...this.nodes.keys()]) if (!seen.has(id)) this.nodes.delete(id);
    for (const [k, e] of this.edges) if (!seen.has(e.parent) || !seen.has(e.child)) this.edges.delete(k);
    for (const [k, m] of this.more) if (!seen.has(m.owner)) this.more.delete(k);
    for (const id of [...this.hlNodes]) if (!seen.has(id)) this.hlNodes.delete(id);
    for (const k of [...this.hlEdges]) if (!this.edges.has(k)) this.hlEdges.delete(k);
    if (!this.nodes.has(this.focusId)) this.focusId = this.centerId;
  }

  async toggle(id) {
    const n = this.nodes.get(id);
    if (!n || n.busy) return;
    if (n.dto.redacted) {
      this.focusId = id;
      this.say('This asset belongs to another tenant: its lineage is not visible.');
      toast('Redacted asset of another tenant: its own lineage is not visible.');
      return;
    }
    const dir = this.naturalDir(n);
    if (dir === 'both') {
      if (n.open.up || n.open.down) { this.collapse(id, 'up'); this.collapse(id, 'down'); }
      else await Promise.all([this.expand(id, 'up'), this.expand(id, 'down')]);
    } else if (n.open[dir]) this.collapse(id, dir);
    else await this.expand(id, dir);
    this.focusId = id;
    this.draw(true);
  }

  async loadMore(key) {
    const m = this.more.get(key);
    if (!m) return;
    this.focusId = m.owner;
    await this.expand(m.owner, m.dir, m.cursor);
    // Keep the keyboard where it was: on the next "more" node if there is one, else on the owner.
    this.focusId = this.more.has(key) ? `more:${key}` : m.owner;
    this.draw(true);
  }

  async highlightRoots(id) {
    const n = this.nodes.get(id);
    if (!n) return;
    this.clearHighlight(false);
    clear(this.msg).append(loading('Finding the path to the roots…'));
    try {
      const roots = await get(`/v1/assets/${enc(id)}/roots`);
      if (!this.ctx.alive()) return;
      clear(this.msg);
      const list = (roots || []).filter(r => r.assetId !== id);
      if (!list.length) {
        this.hlNodes.add(id);
        this.say(`${label(n.dto)} is a root: it has no parents.`);
        this.msg.append(h('p.note', h('span', { 'aria-hidden': 'true' }, '★ '), `${label(n.dto)} is a root (an original): it has no parents.`));
      }
      for (const r of list.slice(0, 8)) {
        const p = await get(`/v1/lineage/path${qs({ from: id, to: r.assetId })}`);
        if (!this.ctx.alive()) return;
        if (!p.found) continue;
        let chain = (p.path || []).slice();
        if (chain.length && chain[0].assetId === r.assetId && chain[chain.length - 1].assetId !== r.assetId) chain.reverse();
        if (!chain.length || chain[0].assetId !== id) chain = [n.dto, ...chain];
        this.hlNodes.add(id);
        for (let i = 1; i < chain.length; i++) {
          const child = this.nodes.get(chain[i - 1].assetId);
          const x = chain[i];
          const key = `${x.assetId}\u0000${child.id}`;
          this.addNode(x, child.layer - 1, key);
          this.addEdge(x.assetId, child.id, x.relationship ?? (chain[i - 1].viaAssetId === x.assetId ? chain[i - 1].relationship : undefined));
          this.hlNodes.add(x.assetId);
          this.hlEdges.add(key);
        }
      }
      // A node whose parents are now all on screen counts as expanded upwards.
      for (const m of this.nodes.values()) if (m.dto.parentCount > 0 && this.count(m, 'up') >= m.dto.parentCount) m.open.up = true;
      if (list.length) {
        this.say(`Highlighted the path from ${label(n.dto)} to ${list.length} root${list.length === 1 ? '' : 's'}.`);
        this.msg.append(h('p.note', h('span', { 'aria-hidden': 'true' }, '★ '), `Path to ${list.length === 1 ? 'the root' : `${list.length} roots`} highlighted: `,
          list.map((r, i) => [i ? ', ' : '', r.redacted ? `${r.assetId} (redacted)` : h('a', { href: `#/asset/${enc(r.assetId)}` }, label(r))])));
      }
    } catch (e) {
      if (!this.ctx.alive()) return;
      this.showProblem(e, 'Finding the path to the roots failed');
    }
    this.draw(true);
  }

  clearHighlight(redraw = true) {
    this.hlNodes.clear();
    this.hlEdges.clear();
    clear(this.msg);
    if (redraw) this.draw(true);
  }

  showProblem(e, context) {
    clear(this.msg).append(problem(e, { context }));
    if (!(e instanceof ApiError)) console.error(e);
  }

  say(text) { this.live.textContent = text; }

  // ---- layout ----------------------------------------------------------------------------------

  layout() {
    const items = [];
    for (const n of this.nodes.values()) items.push({ kind: 'node', id: n.id, layer: n.layer, n, order: n.order });
    for (const [k, m] of this.more) {
      const o = this.nodes.get(m.owner);
      if (o) items.push({ kind: 'more', id: `more:${k}`, key: k, layer: o.layer + (m.dir === 'up' ? -1 : 1), m, owner: o, order: 1e9 });
    }
    const layers = new Map();
    for (const it of items) (layers.get(it.layer) || layers.set(it.layer, []).get(it.layer)).push(it);
    const keys = [...layers.keys()].sort((a, b) => a - b);
    for (const k of keys) layers.get(k).sort((a, b) => a.order - b.order);
    const pos = new Map();
    const place = (k) => layers.get(k).forEach((it, i) => pos.set(it.id, i));
    keys.forEach(place);
    const nbrs = (it, towardLayer) => {
      if (it.kind === 'more') return [{ id: it.owner.id, bias: 0.49 }];
      const out = [];
      for (const e of this.edges.values()) {
        const other = e.parent === it.id ? e.child : e.child === it.id ? e.parent : null;
        if (other && this.nodes.get(other) && this.nodes.get(other).layer === towardLayer) out.push({ id: other, bias: 0 });
      }
      return out;
    };
    // Barycentre sweeps outwards from the asset in focus (layer 0), twice, so siblings sit under their parent.
    for (let sweep = 0; sweep < 2; sweep++) {
      for (const k of keys.filter(x => x > 0)) this.reorder(layers.get(k), (it) => nbrs(it, k - 1), pos);
      for (const k of keys.filter(x => x < 0).reverse()) this.reorder(layers.get(k), (it) => nbrs(it, k + 1), pos);
      keys.forEach(place);
    }
    const widest = Math.max(...keys.map(k => layers.get(k).length));
    const width = Math.max(widest * (W + GX) - GX + 2 * M, W + 2 * M);
    const minLayer = keys[0];
    const coords = new Map();
    for (const k of keys) {
      const row = layers.get(k);
      const rowW = row.length * (W + GX) - GX;
      const x0 = (width - rowW) / 2;
      row.forEach((it, i) => coords.set(it.id, { x: x0 + i * (W + GX), y: M + (k - minLayer) * (H + GY), it }));
    }
    const height = M * 2 + (keys[keys.length - 1] - minLayer) * (H + GY) + H;
    return { coords, width, height, layers, keys };
  }

  reorder(row, neighbours, pos) {
    const score = new Map();
    row.forEach((it, i) => {
      const ns = neighbours(it).filter(x => pos.has(x.id));
      score.set(it.id, ns.length ? ns.reduce((s2, x) => s2 + pos.get(x.id) + x.bias, 0) / ns.length : i);
    });
    row.sort((a, b) => score.get(a.id) - score.get(b.id) || a.order - b.order);
  }

  // ---- drawing ---------------------------------------------------------------------------------

  draw(keepFocus = false) {
    const L = layoutSafe(this);
    this.lastLayout = L;
    const svg = s('svg.graph', {
      width: L.width, height: L.height, viewBox: `0 0 ${L.width} ${L.height}`, role: 'group',
      'aria-label': `Lineage graph of ${label(this.nodes.get(this.centerId).dto)}: ${this.nodes.size} assets, ${this.edges.size} links`,
    },
    s('defs',
      s('pattern#hatch', { width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        s('rect', { width: 8, height: 8, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 8, class: 'hatch-line' })),
      s('marker#arrow', { viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
    const edgeLayer = s('g.edges', { 'aria-hidden': 'true' });
    const labelLayer = s('g.edgelabels', { 'aria-hidden': 'true' });
    const nodeLayer = s('g.nodes');
    svg.append(edgeLayer, labelLayer, nodeLayer);

    const outDeg = new Map(), inDeg = new Map();
    for (const e of this.edges.values()) {
      outDeg.set(e.parent, (outDeg.get(e.parent) || 0) + 1);
      inDeg.set(e.child, (inDeg.get(e.child) || 0) + 1);
    }
    for (const [k, e] of this.edges) {
      const p = L.coords.get(e.parent), c = L.coords.get(e.child);
      if (!p || !c) continue;
      const hl = this.hlEdges.has(k);
      const x1 = p.x + W / 2, y1 = p.y + H, x2 = c.x + W / 2, y2 = c.y;
      const my = (y1 + y2) / 2;
      // Arrow points from parent to child: "this was made from that" reads downwards.
      edgeLayer.append(s('path', {
        d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 2}`, class: `edge${hl ? ' hl' : ''}`, 'marker-end': 'url(#arrow)',
        'data-parent': e.parent, 'data-child': e.child,
      }));
      const text = relationship(e.rel);
      // Put the label where siblings are far apart: near the child under a fan-out, near the parent when a
      // child has several parents, so labels of neighbouring edges do not sit on top of each other.
      const fanOut = outDeg.get(e.parent) > 1, fanIn = inDeg.get(e.child) > 1;
      const t = fanOut && !fanIn ? 0.72 : fanIn && !fanOut ? 0.28 : 0.5;
      const u = 1 - t;
      const lx = (u * u * u + 3 * u * u * t) * x1 + (3 * u * t * t + t * t * t) * x2;
      const ly = u * u * u * y1 + (3 * u * u * t + 3 * u * t * t) * my + t * t * t * y2;
      const tw = text.length * 6.4 + 10;
      labelLayer.append(s('g', { class: `elabel${hl ? ' hl' : ''}`, 'data-parent': e.parent, 'data-child': e.child },
        s('rect', { x: lx - tw / 2, y: ly - 9, width: tw, height: 17, rx: 8 }),
        s('text', { x: lx, y: ly + 4, 'text-anchor': 'middle' }, text)));
    }
    for (const { x, y, it } of L.coords.values()) nodeLayer.append(it.kind === 'more' ? this.moreNode(it, x, y) : this.nodeEl(it.n, x, y));

    clear(this.svgBox).append(svg);
    this.renderPanel();
    if (keepFocus) {
      const el = this.findEl(this.focusId) || this.findEl(this.centerId);
      if (el) el.focus({ preventScroll: false });
    }
  }

  findEl(id) {
    for (const el of this.svgBox.querySelectorAll('[data-node-id]')) if (el.dataset.nodeId === id) return el;
    return null;
  }

  nodeEl(n, x, y) {
    const d = n.dto;
    const center = n.id === this.centerId;
    const hl = this.hlNodes.has(n.id);
    const dir = this.naturalDir(n);
    const open = dir === 'both' ? (n.open.up || n.open.down) : n.open[dir];
    const cls = ['node', d.redacted ? 'redacted' : '', center ? 'center' : '', hl ? 'hl' : '', n.busy ? 'busy' : ''].filter(Boolean).join(' ');
    const counts = [];
    if (!d.redacted || d.parentCount) counts.push(`${d.parentCount ?? 0} parent${d.parentCount === 1 ? '' : 's'}`);
    if (d.childCount !== null && d.childCount !== undefined) counts.push(`${d.childCount} child${d.childCount === 1 ? '' : 'ren'}`);
    const aria = [
      d.redacted ? `Redacted asset of another tenant, id ${d.assetId}, hash ${short(d.contentHash, 12)}` : `${d.title || d.assetId}${d.title ? `, id ${d.assetId}` : ''}`,
      d.status ? `status ${humanize(d.status)}` : null,
      center ? 'asset in focus' : n.layer < 0 ? `ancestor, ${-n.layer} level${n.layer === -1 ? '' : 's'} up` : `descendant, ${n.layer} level${n.layer === 1 ? '' : 's'} down`,
      counts.join(', ') || null,
      hl ? 'on the highlighted path to the roots' : null,
      n.busy ? 'loading' : open ? 'expanded' : 'collapsed',
    ].filter(Boolean).join('; ');
    const g = s('g', {
      class: cls, tabindex: n.id === this.focusId ? 0 : -1, role: 'button', 'aria-label': aria,
      'aria-expanded': d.redacted ? null : open ? 'true' : 'false', 'data-node-id': n.id, 'data-asset-id': n.id, 'data-layer': n.layer,
      'data-redacted': d.redacted ? 'true' : 'false', transform: `translate(${x},${y})`,
    });
    g.addEventListener('click', () => { this.focusId = n.id; this.toggle(n.id); });
    g.addEventListener('focus', () => { if (this.focusId !== n.id) { this.focusId = n.id; this.rovingTabindex(); this.renderPanel(); } });
    g.append(s('title', aria));
    g.append(s('rect.ring', { x: -5, y: -5, width: W + 10, height: H + 10, rx: 12 }));
    g.append(s('rect.box', { width: W, height: H, rx: 8 }));
    if (d.redacted) {
      g.append(
        s('text.t1', { x: 10, y: 20 }, '⊘ redacted'),
        s('text.t2', { x: 10, y: 38 }, trunc(d.assetId, 28)),
        s('text.t3', { x: 10, y: 56 }, trunc(short(d.contentHash, 16), 30)));
    } else {
      g.append(
        s('text.t1', { x: 10, y: 20 }, `${hl ? '★ ' : ''}${trunc(d.title || d.assetId, hl ? 19 : 21)}`),
        s('text.t2', { x: 10, y: 38 }, trunc([d.status ? humanize(d.status) : null, d.model].filter(Boolean).join(' · ') || d.mediaType || '', 30)),
        s('text.t3', { x: 10, y: 56 }, trunc(counts.join(' · ') || d.assetId, 30)));
    }
    // Expand/collapse indicator in words-as-symbols: + to expand, − to collapse, … while loading.
    const nothing = (dir === 'up' && d.parentCount === 0) || (dir === 'down' && d.childCount === 0);
    const sym = d.redacted || (nothing && !open) ? '' : n.busy ? '…' : open ? '−' : '+';
    g.append(s('text.toggle', { x: W - 12, y: 20, 'text-anchor': 'middle', 'aria-hidden': 'true' }, sym));
    return g;
  }

  moreNode(it, x, y) {
    const m = it.m;
    const what = m.dir === 'up' ? 'parents' : 'children';
    const text = m.remaining ? `+${m.remaining} more ${what}` : `+ more ${what}`;
    const aria = `${text} of ${label(it.owner.dto)}; press Enter to load the next page`;
    const g = s('g', {
      class: 'node more', tabindex: it.id === this.focusId ? 0 : -1, role: 'button', 'aria-label': aria,
      'data-node-id': it.id, 'data-more-of': m.owner, 'data-layer': it.layer, transform: `translate(${x},${y})`,
    });
    g.addEventListener('click', () => this.loadMore(it.key));
    g.addEventListener('focus', () => { this.focusId = it.id; this.rovingTabindex(); });
    g.append(s('title', aria), s('rect.ring', { x: -5, y: -5, width: W + 10, height: H + 10, rx: 12 }), s('rect.box', { width: W, height: H, rx: 8 }),
      s('text.t1', { x: W / 2, y: 30, 'text-anchor': 'middle' }, text),
      s('text.t3', { x: W / 2, y: 50, 'text-anchor': 'middle' }, 'load next page'));
    return g;
  }

  rovingTabindex() {
    for (const el of this.svgBox.querySelectorAll('[data-node-id]')) el.setAttribute('tabindex', el.dataset.nodeId === this.focusId ? '0' : '-1');
  }

  renderPanel() {
    const n = this.nodes.get(this.focusId);
    clear(this.panel);
    if (!n) {
      const m = [...this.more.entries()].find(([k]) => `more:${k}` === this.focusId);
      this.panel.append(h('h2', 'More to load'), h('p', 'Press Enter or click to load the next page.'));
      if (m) this.panel.append(h('button', { type: 'button', onclick: () => this.loadMore(m[0]) }, 'Load next page'));
      return;
    }
    const d = n.dto;
    this.panel.append(h('h2', d.redacted ? 'Redacted asset' : (d.title || d.assetId)));
    if (d.redacted) {
      this.panel.append(h('p', h('span.tag.redacted-tag', 'redacted'), ' This asset belongs to another tenant: only its id and content hash are visible.'));
    }
    const dl = h('dl.facts',
      h('dt', 'Asset id'), h('dd', copyable(d.assetId, { n: 24, label: 'asset id' })),
      h('dt', 'Content hash'), h('dd', copyable(d.contentHash, { label: 'content hash' })));
    if (!d.redacted) {
      if (d.status) dl.append(h('dt', 'Status'), h('dd', status(d.status)));
      if (d.model) dl.append(h('dt', 'Model'), h('dd', d.model));
      if (d.creator) dl.append(h('dt', 'Creator'), h('dd', d.creator));
      if (d.prompt) dl.append(h('dt', 'Prompt'), h('dd', `${d.prompt.familyId} ${d.prompt.version}`));
      const links = [...this.edges.values()].filter(e => e.parent === n.id || e.child === n.id).slice(0, 4);
      if (links.length) {
        const name = (id) => { const x = this.nodes.get(id); return x ? label(x.dto) : id; };
        dl.append(h('dt', 'Links'), h('dd', h('ul.plain', links.map(e => h('li', name(e.parent), h('span.rel', ` ${relationship(e.rel)} `), name(e.child))))));
      }
    }
    this.panel.append(dl);
    const btns = h('div.btns');
    for (const dir of ['up', 'down']) {
      const open = n.open[dir];
      btns.append(h('button', {
        type: 'button', 'data-action': `${open ? 'hide' : 'show'}-${dir}`, disabled: n.busy || null,
        onclick: async () => { if (open) this.collapse(n.id, dir); else await this.expand(n.id, dir); this.draw(true); },
      }, `${open ? 'Hide' : 'Show'} ${dir === 'up' ? 'parents' : 'children'}`));
    }
    btns.append(h('button', { type: 'button', onclick: () => this.highlightRoots(n.id) }, 'Path to roots'));
    if (!d.redacted) {
      btns.append(
        h('a.button', { href: `#/asset/${enc(n.id)}` }, 'Open asset page'),
        h('a.button', { href: `#/asset/${enc(n.id)}?section=verification`, 'data-action': 'evidence' }, 'Evidence and checks'));
      if (n.id !== this.centerId) btns.append(h('a.button', { href: `#/lineage/${enc(n.id)}` }, 'Centre graph here'));
    }
    this.panel.append(btns);
  }

  onKey(ev) {
    const el = ev.target.closest && ev.target.closest('[data-node-id]');
    if (!el) return;
    const id = el.dataset.nodeId;
    const L = this.lastLayout;
    const here = L.coords.get(id);
    if (!here) return;
    const go = (target) => {
      if (!target) return;
      ev.preventDefault();
      this.focusId = target.it.id;
      this.rovingTabindex();
      const t = this.findEl(target.it.id);
      if (t) t.focus();
      this.renderPanel();
    };
    const inLayer = (layer) => [...L.coords.values()].filter(c => c.it.layer === layer).sort((a, b) => a.x - b.x);
    switch (ev.key) {
      case 'ArrowLeft':
      case 'ArrowRight': {
        const row = inLayer(here.it.layer);
        const i = row.findIndex(c => c.it.id === id);
        go(row[i + (ev.key === 'ArrowLeft' ? -1 : 1)]);
        break;
      }
      case 'ArrowUp':
      case 'ArrowDown': {
        const ks = L.keys;
        const idx = ks.indexOf(here.it.layer) + (ev.key === 'ArrowUp' ? -1 : 1);
        if (idx < 0 || idx >= ks.length) { ev.preventDefault(); break; }
        const row = inLayer(ks[idx]);
        // Prefer a node linked to this one, else the nearest by position.
        const linked = row.filter(c => [...this.edges.values()].some(e => (e.parent === id && e.child === c.it.id) || (e.child === id && e.parent === c.it.id)));
        const pool = linked.length ? linked : row;
        go(pool.reduce((b, c) => (Math.abs(c.x - here.x) < Math.abs(b.x - here.x) ? c : b)));
        break;
      }
      case 'Home': go(L.coords.get(this.centerId)); break;
      case 'Enter':
        ev.preventDefault();
        if (here.it.kind === 'more') this.loadMore(here.it.key); else this.toggle(id);
        break;
      case ' ':
      case 'Spacebar':
        ev.preventDefault();
        if (here.it.kind === 'more') this.loadMore(here.it.key);
        else if (here.it.n.dto.redacted) toast('This asset belongs to another tenant: it has no page you can open.');
        else location.hash = `#/asset/${enc(id)}`;
        break;
      case 'r':
      case 'R':
        if (here.it.kind === 'node') { ev.preventDefault(); this.highlightRoots(id); }
        break;
      case 'Escape':
        ev.preventDefault();
        this.clearHighlight();
        break;
      default:
    }
  }
}

function layoutSafe(g) { return g.layout(); }

function label(d) { return d.redacted ? `redacted asset ${d.assetId}` : (d.title || d.assetId); }
function trunc(t, n) { t = String(t ?? ''); return t.length > n ? `${t.slice(0, n - 1)}…` : t; }

function legend() {
  const sw = (cls, text) => h('li', s('svg', { width: 28, height: 18, 'aria-hidden': 'true' },
    s('rect', { x: 1, y: 1, width: 26, height: 16, rx: 4, class: `lg ${cls}` })), ' ', text);
  return h('ul.legend', { 'aria-label': 'Legend' },
    sw('lg-node', 'asset'), sw('lg-center', 'asset in focus (thick border)'),
    sw('lg-redacted', 'redacted: another tenant (hatched, dashed, says “redacted”)'),
    sw('lg-hl', '★ on the path to a root'), sw('lg-more', '+N more: loads the next page'));
}
