// Asset page: the manifest in plain language, verification per check, moderation, approvals, restrictions,
// lifecycle + audit trail, prompt version with a diff against the previous one, evidence bundle download.
import { get, post, raw, enc, ApiError } from './api.js';
import {
  h, clear, problem, loading, status, outcome, facts, section, copyable, timeEl, short, humanize,
  parentRole, assetLink, lineageLink, saveBlob, toast, labelCells,
} from './ui.js';

export async function render(main, route, ctx) {
  const id = route.id;
  if (!id) { main.append(h('h1', 'Asset'), h('p', 'No asset id in the address. ', h('a', { href: '#/search' }, 'Search for one'), '.')); return; }
  main.append(loading(`Loading asset ${id}…`));
  const a = await get(`/v1/assets/${enc(id)}`);
  if (!ctx.alive()) return;
  clear(main);

  const dl = h('button.primary#download-evidence', { type: 'button', onclick: () => downloadEvidence(a.assetId, dl) },
    'Download evidence bundle');
  main.append(
    h('div.pagehead',
      h('div',
        h('p.crumbs', h('a', { href: '#/search' }, 'Search'), ' › Asset'),
        h('h1', a.title || a.assetId),
        h('p.sub', status(a.status), ' ', h('span.muted', 'Asset id '), copyable(a.assetId, { n: 40, label: 'asset id' }))),
      h('div.actions', lineageLink(a.assetId, h('span', h('span', { 'aria-hidden': 'true' }, '⎇ '), 'Open lineage explorer')), dl)));

  const grid = h('div.grid');
  main.append(grid);

  const verifyCard = section('Verification', loading('Verifying…'));
  verifyCard.id = 'verification';
  grid.append(verifyCard);
  grid.append(madeBy(a));
  const paramsCard = section('Generation parameters', loading());
  grid.append(paramsCard);
  grid.append(parentsCard(a));
  grid.append(restrictionsCard(a));
  grid.append(moderationCard(a));
  grid.append(approvalsCard(a));
  const promptCard = section('Prompt', a.prompt ? loading('Loading prompt…') : h('p.muted', 'No prompt version is recorded for this asset.'));
  promptCard.classList.add('wide');
  promptCard.id = 'prompt';
  grid.append(promptCard);
  const auditCard = section('Lifecycle and audit trail', loading('Loading audit trail…'));
  auditCard.classList.add('wide');
  auditCard.id = 'audit';
  grid.append(auditCard);

  const jump = route.query.get('section');
  if (jump && /^[a-z-]+$/.test(jump)) document.getElementById(jump)?.scrollIntoView();
  await Promise.all([
    fill(verifyCard, ctx, async () => verification(await post('/v1/verify', { assetId: a.assetId }))),
    fill(paramsCard, ctx, async () => parameters(await get(`/v1/assets/${enc(a.assetId)}/manifest`))),
    a.prompt ? fill(promptCard, ctx, () => prompt(a.prompt)) : null,
    fill(auditCard, ctx, async () => audit(a, await get(`/v1/assets/${enc(a.assetId)}/audit`))),
  ]);
}

/** Replaces a card's body (everything after its heading) with what build() returns, or a readable problem. */
async function fill(card, ctx, build) {
  let content;
  try { content = await build(); } catch (e) { content = problem(e); if (!(e instanceof ApiError)) console.error(e); }
  if (!ctx.alive()) return;
  while (card.children.length > 1) card.lastChild.remove();
  card.append(content);
}

const CHECK_NAMES = {
  hash: 'Content hash', signature: 'Manifest signature', lineage: 'Lineage',
  inclusion: 'Inclusion in the log (Merkle proof)', checkpoint: 'Epoch checkpoint signature',
};
function checkName(name) {
  if (name.startsWith('timestamp:')) return `Timestamp from ${name.slice('timestamp:'.length)}`;
  if (name.startsWith('tsa:')) return `Timestamp from ${name.slice(4)}`;
  return CHECK_NAMES[name] || humanize(name);
}

function verification(v) {
  const checks = v.checks || [];
  return h('div',
    h('p.verdict', { 'data-verdict': v.verdict }, 'Verdict: ', outcome(v.verdict)),
    h('ul.checks', { 'aria-label': 'Verification checks' }, checks.map(c =>
      h('li.check', { 'data-check': c.name, 'data-outcome': c.outcome },
        outcome(c.outcome), ' ', h('strong', checkName(c.name)),
        c.detail ? h('span.detail', ` — ${c.detail}`) : null))),
    checks.length ? null : h('p.muted', 'The server returned no checks.'));
}

function madeBy(a) {
  const tool = a.tool ? `${a.tool.name}${a.tool.version ? ` ${a.tool.version}` : ''}` : null;
  const model = a.model ? `${a.model}${a.modelVersion ? ` (version ${a.modelVersion})` : ''}` : null;
  const summary = [
    a.creator ? `Made by ${a.creator}` : 'Creator not recorded',
    tool ? ` with ${tool}` : '',
    model ? `, using the model ${model}` : '',
    a.provider ? ` from ${a.provider}` : '',
    '.',
  ].join('');
  return section('Who made it and how',
    h('p.summary', summary),
    facts([
      ['Creator', a.creator],
      ['Tool', tool],
      ['Provider', a.provider],
      ['Model', a.model],
      ['Model version', a.modelVersion],
      ['Prompt', a.prompt ? `${a.prompt.familyId} version ${a.prompt.version}` : null],
      ['Project', a.project],
      ['Tenant', a.tenant],
      ['Media type', a.mediaType],
      ['Tags', (a.tags || []).length ? h('span', a.tags.map(t => h('a.tag', { href: `#/search?q=${enc(t)}&in=tag` }, t))) : null],
      ['Content hash', copyable(a.contentHash, { label: 'content hash' })],
      ['Manifest hash', copyable(a.manifestHash, { label: 'manifest hash' })],
      ['Signing key', a.signingKeyId ? h('code', a.signingKeyId) : null],
      ['Log index', a.logIndex ?? 'not yet sequenced'],
      ['Registered', timeEl(a.createdAt)],
      ['Last change', timeEl(a.updatedAt)],
    ]));
}

function findParameters(m) {
  if (!m || typeof m !== 'object') return null;
  for (const k of ['generationParameters', 'parameters']) if (m[k] && typeof m[k] === 'object') return m[k];
  for (const v of Object.values(m)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of ['generationParameters', 'parameters']) if (v[k] && typeof v[k] === 'object') return v[k];
    }
  }
  return null;
}

function parameters(signed) {
  const p = findParameters(signed && signed.manifest);
  const entries = p ? Object.entries(p) : [];
  return h('div',
    entries.length
      ? h('table.kv', h('caption.sr', 'Generation parameters'), h('tbody', entries.map(([k, v]) =>
        h('tr', h('th', { scope: 'row' }, humanize(k)), h('td', typeof v === 'object' ? h('code', JSON.stringify(v)) : String(v))))))
      : h('p.muted', 'No generation parameters were recorded.'),
    h('p.muted.small', 'From the signed manifest (key ', h('code', signed.keyId || '?'), ').'));
}

function parentsCard(a) {
  const parents = a.parents || [];
  return section('Made from',
    parents.length
      ? h('ul.plain', parents.map(p => h('li', { 'data-asset-id': p.assetId },
        h('span.rel', `${parentRole(p.relationship)}:`), ' ',
        p.redacted
          ? h('span', h('code', p.assetId), ' ', h('span.tag.redacted-tag', 'redacted'), h('span.muted', ' (another tenant) '), h('code', { title: p.contentHash }, short(p.contentHash)))
          : assetLink(p.assetId))))
      : h('p.muted', 'This is an original: it has no parents.'));
}

function restrictionsCard(a) {
  const own = a.restrictions || [];
  const inherited = a.inheritedRestrictions || [];
  return section('Restrictions',
    !own.length && !inherited.length ? h('p', h('span', { 'aria-hidden': 'true' }, '✓ '), 'No restrictions apply.') : null,
    own.length ? h('div', h('h3', 'Set on this asset'), h('ul.plain', own.map(r => h('li', h('span.tag.warn', r))))) : null,
    inherited.length ? h('div#inherited', h('h3', 'Inherited from ancestors'), h('ul.plain', inherited.map(r =>
      h('li', { 'data-restriction': r.restriction }, h('span.tag.warn', r.restriction), ' from ', assetLink(r.fromAssetId))))) : null);
}

function moderationCard(a) {
  const m = a.moderation || [];
  return section('Moderation',
    m.length ? h('ul.plain', m.map(x => h('li.mod',
      decision(x.decision), ' ', x.reviewer ? `by ${x.reviewer} ` : '', timeEl(x.at),
      (x.rules || []).length ? h('div.small', 'Rules: ', x.rules.map(r => h('span.tag', r))) : null,
      x.scores && Object.keys(x.scores).length ? h('div.small', 'Scores: ', Object.entries(x.scores).map(([k, v]) => `${k} ${Number(v).toFixed(2)}`).join(', ')) : null)))
      : h('p.muted', 'Not moderated yet.'));
}

function decision(d) {
  const v = String(d || '').toLowerCase();
  const ok = ['pass', 'passed', 'approve', 'approved', 'allow', 'allowed', 'clean', 'ok'].includes(v);
  const bad = ['fail', 'failed', 'reject', 'rejected', 'block', 'blocked', 'deny', 'denied', 'flagged'].includes(v);
  return h('span.badge', { class: ok ? 'b-ok' : bad ? 'b-bad' : 'b-info' }, h('span.icon', { 'aria-hidden': 'true' }, ok ? '✓' : bad ? '✗' : '•'), ' ', humanize(d || 'unknown'));
}

function approvalsCard(a) {
  const ap = a.approvals || [];
  return section('Approvals',
    ap.length ? h('ul.plain', ap.map(x => h('li',
      h('span.badge.b-ok', h('span.icon', { 'aria-hidden': 'true' }, '✓'), ' ', `Approved for ${x.scope}`), ' by ', h('strong', x.approver), ' ', timeEl(x.at),
      x.reason ? h('div.small', `Reason: ${x.reason}`) : null,
      (x.lifts || []).length ? h('div.small', 'Lifts: ', x.lifts.map(r => h('span.tag', r))) : null)))
      : h('p.muted', 'No approvals.'));
}

function semverCmp(x, y) {
  const pa = String(x).split(/[.+-]/).map(n => (Number.isNaN(+n) ? n : +n));
  const pb = String(y).split(/[.+-]/).map(n => (Number.isNaN(+n) ? n : +n));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const p = pa[i] ?? 0; const q = pb[i] ?? 0;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

async function prompt(ref) {
  const fam = await get(`/v1/prompts/${enc(ref.familyId)}`);
  const versions = [...(fam.versions || [])].sort((x, y) => semverCmp(x.version, y.version));
  const i = versions.findIndex(v => v.version === ref.version);
  const cur = versions[i];
  const prev = i > 0 ? versions[i - 1] : null;
  const out = h('div');
  out.append(h('p', 'Family ', h('strong', ref.familyId), ', version ', h('strong', ref.version), ' ',
    cur ? status(cur.status) : h('span.muted', '(version not found in the family)'),
    cur && cur.approvedBy ? h('span.muted', ` approved by ${cur.approvedBy} `) : null, cur && cur.approvedAt ? timeEl(cur.approvedAt) : null));
  if (cur) {
    out.append(facts([
      ['System prompt', cur.systemPrompt ? h('pre.prompt', cur.systemPrompt) : null],
      ['User prompt', cur.userPrompt ? h('pre.prompt', cur.userPrompt) : null],
      ['Negative prompt', cur.negativePrompt ? h('pre.prompt', cur.negativePrompt) : null],
      ['Owner', cur.owner],
      ['Prompt hash', copyable(cur.contentHash, { label: 'prompt hash' })],
    ]));
  }
  out.append(h('p.small', 'All versions: ', versions.map((v, k) => [k ? ', ' : '', h('span', { 'aria-current': v.version === ref.version ? 'true' : null, class: v.version === ref.version ? 'current' : null }, v.version, ` (${humanize(v.status)})`)])));
  const diffBox = h('div.diff#prompt-diff');
  out.append(h('h3', prev ? `Changes from version ${prev.version} to ${ref.version}` : 'Changes'), diffBox);
  if (!prev) diffBox.append(h('p.muted', 'This is the first version of the family: nothing to compare with.'));
  else {
    try {
      const d = await get(`/v1/prompts/${enc(ref.familyId)}/diff?from=${enc(prev.version)}&to=${enc(ref.version)}`);
      diffBox.append(renderDiff(d));
    } catch (e) { diffBox.append(problem(e, { context: 'The diff could not be loaded' })); }
  }
  return out;
}

function renderDiff(d) {
  const fields = (d.fields || []).filter(f => f.change !== 'unchanged' && f.change !== 'equal');
  if (!fields.length) return h('p', 'No differences.');
  return h('div', fields.map(f => h('div.field', { 'data-field': f.field },
    h('h4', humanize(f.field), ' ', h('span.muted', `(${humanize(f.change)})`)),
    f.lines && f.lines.length
      ? h('table.difflines', h('caption.sr', `Line changes in ${humanize(f.field)}`),
        h('thead.sr', h('tr', h('th', { scope: 'col' }, 'Old line'), h('th', { scope: 'col' }, 'New line'), h('th', { scope: 'col' }, 'Change'), h('th', { scope: 'col' }, 'Text'))),
        h('tbody', f.lines.map(l => h('tr', { class: `d-${l.op}` },
          h('td.ln', l.oldLine ?? ''), h('td.ln', l.newLine ?? ''),
          h('td.op', h('span', { 'aria-hidden': 'true' }, l.op === 'insert' ? '+' : l.op === 'delete' ? '−' : ' '), h('span.sr', l.op === 'insert' ? 'added' : l.op === 'delete' ? 'removed' : 'unchanged')),
          h('td.txt', l.op === 'insert' ? h('ins', l.text) : l.op === 'delete' ? h('del', l.text) : l.text)))))
      : h('p', h('del', f.old ?? '(none)'), ' → ', h('ins', f.new ?? '(none)')))));
}

function audit(a, records) {
  const rows = [...(records || [])].sort((x, y) => x.sequence - y.sequence);
  return h('div',
    h('p', 'Current status: ', status(a.status)),
    rows.length ? h('div.tablewrap', labelCells(h('table.audit',
      h('caption.sr', 'Audit trail, oldest first'),
      h('thead', h('tr', ['#', 'What happened', 'By', 'When', 'Reason', 'State hash'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', rows.map(r => h('tr', { 'data-action': r.action },
        h('td', r.sequence), h('td', humanize(r.action)), h('td', r.actor), h('td', timeEl(r.at)), h('td', r.reason || '—'),
        h('td', h('code', { title: `before ${r.beforeHash || '—'}\nafter ${r.afterHash}` }, short(r.afterHash, 8)))))))))
      : h('p.muted', 'No audit records.'));
}

async function downloadEvidence(id, btn) {
  btn.disabled = true;
  const old = btn.lastChild.textContent;
  btn.lastChild.textContent = 'Preparing bundle…';
  const slot = document.getElementById('download-problem') || h('div#download-problem');
  clear(slot);
  try {
    const res = await raw(`/v1/assets/${enc(id)}/evidence`, { headers: { Accept: 'application/zip' } });
    const blob = await res.blob();
    const cd = res.headers.get('content-disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    const name = m ? decodeURIComponent(m[1]) : `evidence-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.zip`;
    saveBlob(blob, name);
    toast(`Saved ${name} (${Math.max(1, Math.round(blob.size / 1024))} KiB)`);
  } catch (e) {
    slot.append(problem(e, { context: 'The evidence bundle could not be downloaded' }));
    btn.closest('.pagehead').after(slot);
  } finally {
    btn.disabled = false;
    btn.lastChild.textContent = old;
  }
}
