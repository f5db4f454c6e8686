// The explorer: pick a dataset/splitBy and split, page through its refs or search their
// expressions, and open a ref to see it drawn (Ref.renderUrl) with its expressions, its
// category and the other refs of its image. Everything comes from POST /graphql; the
// page's state lives in its URL (?pair=&split=&text=&ref=&mode=), so a view can be linked.
// #evaluate shows the Evaluate view (evaluate.js) in place of the browser.

import { DATASETS_QUERY, graphiqlUrl, graphql, REF_QUERY, REFS_QUERY, RENDER_SIZE } from './api.js';
import { showEvaluateView } from './evaluate.js';
import { el } from './dom.js';

const PAGE_SIZE = 20;
const MODES = { SEG: 'segmentation', BOX: 'box', MASK: 'mask' };
const RENDER_FIELDS = { SEG: 'segRender', BOX: 'boxRender', MASK: 'maskRender' };
const numbers = new Intl.NumberFormat('en');

const $ = (id) => document.getElementById(id);
const ui = {
  filters: $('filters'),
  pair: $('pair'),
  split: $('split'),
  text: $('text'),
  status: $('status'),
  refs: $('refs'),
  prev: $('prev'),
  next: $('next'),
  pageInfo: $('page-info'),
  listGraphiql: $('list-graphiql'),
  detail: $('detail'),
  empty: $('detail-empty'),
  ref: $('ref'),
  refTitle: $('ref-title'),
  refGraphiql: $('ref-graphiql'),
  render: $('render'),
  renderCaption: $('render-caption'),
  sentences: $('sentences'),
  facts: $('facts'),
  siblings: $('siblings'),
  detailError: $('detail-error'),
  browse: document.querySelector('section.browse'),
  evaluate: $('evaluate'),
  viewBrowse: $('view-browse'),
  viewEvaluate: $('view-evaluate'),
};

const state = {
  datasets: [],
  pair: '',
  split: '',
  text: '',
  /** The `after` cursor of each page seen so far: page n starts after cursors[n]. */
  cursors: [null],
  page: 0,
  refId: null,
  mode: 'SEG',
  /** The open ref, as REF_QUERY returned it. */
  ref: null,
};

// Answers that arrive after a newer request was made are dropped.
let listRequest = 0;
let refRequest = 0;

function splitPair(pair) {
  const slash = pair.indexOf('/');
  return { name: pair.slice(0, slash), splitBy: pair.slice(slash + 1) };
}

/** The searched words, as the `text` filter matches them: whole words, any case. */
function searchWords() {
  return new Set(state.text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean));
}

/** A sentence with the searched words marked. */
function highlighted(sentence, words) {
  if (words.size === 0) return document.createTextNode(sentence);
  const fragment = document.createDocumentFragment();
  for (const part of sentence.split(/([\p{L}\p{N}']+)/u)) {
    fragment.append(words.has(part.toLowerCase()) ? el('mark', {}, part) : part);
  }
  return fragment;
}

// ---- the URL -----------------------------------------------------------------------------

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.pair = params.get('pair') ?? '';
  state.split = params.get('split') ?? '';
  state.text = params.get('text') ?? '';
  const ref = Number.parseInt(params.get('ref') ?? '', 10);
  state.refId = Number.isInteger(ref) ? ref : null;
  const mode = params.get('mode');
  state.mode = mode in MODES ? mode : 'SEG';
}

function writeUrl() {
  const params = new URLSearchParams({ pair: state.pair });
  if (state.split) params.set('split', state.split);
  if (state.text) params.set('text', state.text);
  if (state.refId !== null) params.set('ref', String(state.refId));
  if (state.mode !== 'SEG') params.set('mode', state.mode);
  // The hash is the view (#evaluate): kept.
  history.replaceState(null, '', `?${params}${location.hash}`);
}

// ---- datasets and splits -----------------------------------------------------------------

function fillPairs() {
  ui.pair.replaceChildren(
    ...state.datasets.map((d) => {
      const pair = `${d.name}/${d.splitBy}`;
      return el('option', { value: pair }, `${pair} (${numbers.format(d.counts.refs)} refs)`);
    }),
  );
  const pairs = state.datasets.map((d) => `${d.name}/${d.splitBy}`);
  if (!pairs.includes(state.pair)) state.pair = pairs.includes('refcoco/unc') ? 'refcoco/unc' : (pairs[0] ?? '');
  ui.pair.value = state.pair;
}

function fillSplits() {
  const dataset = state.datasets.find((d) => `${d.name}/${d.splitBy}` === state.pair);
  const splits = dataset?.splits ?? [];
  ui.split.replaceChildren(
    el('option', { value: '' }, 'all splits'),
    ...splits.map((s) => el('option', { value: s.name }, `${s.name} (${numbers.format(s.counts.refs)} refs)`)),
  );
  if (!splits.some((s) => s.name === state.split)) state.split = '';
  ui.split.value = state.split;
}

// ---- the list of refs --------------------------------------------------------------------

function listVariables() {
  return { ...splitPair(state.pair), split: state.split || null, text: state.text || null, first: PAGE_SIZE, after: state.cursors[state.page] };
}

function showStatus(message, isError = false) {
  ui.status.textContent = message;
  ui.status.classList.toggle('error', isError);
}

async function loadRefs() {
  const request = ++listRequest;
  const variables = listVariables();
  ui.listGraphiql.href = graphiqlUrl(REFS_QUERY, variables, `Refs of ${state.pair}, as the explorer lists them`);
  ui.refs.setAttribute('aria-busy', 'true');
  showStatus('Loading refs…');
  let refs;
  try {
    refs = (await graphql(REFS_QUERY, variables)).dataset.refs;
  } catch (e) {
    if (request !== listRequest) return;
    ui.refs.replaceChildren();
    showStatus(`Could not load the refs: ${e.message}`, true);
    return;
  } finally {
    if (request === listRequest) ui.refs.setAttribute('aria-busy', 'false');
  }
  if (request !== listRequest) return;
  showRefs(refs);
}

function showRefs({ totalCount, pageInfo, edges }) {
  const words = searchWords();
  ui.refs.replaceChildren(
    ...edges.map(({ node }) => {
      // With a search, the expression that matched it (the filter matches whole words).
      const shown = node.sentences.find((s) => s.sent.split(' ').some((w) => words.has(w))) ?? node.sentences[0];
      const others = node.sentences.length - 1;
      return el(
        'li',
        {},
        el(
          'button',
          { type: 'button', class: 'ref-item', 'data-ref-id': node.refId, 'aria-current': node.refId === state.refId ? 'true' : null, onclick: () => openRef(node.refId) },
          el('span', { class: 'ref-id' }, `#${node.refId}`),
          el('span', { class: 'category' }, refLabel(node)),
          el('span', { class: 'split-label' }, node.split),
          el('span', { class: 'sent' }, shown ? highlighted(shown.sent, words) : '(no expression)', others > 0 ? el('span', { class: 'more' }, ` +${others} more`) : null),
        ),
      );
    }),
  );
  const start = state.page * PAGE_SIZE;
  const where = `${state.pair}${state.split ? ` ${state.split}` : ''}`;
  const matching = state.text ? ` matching “${state.text}”` : '';
  if (totalCount === 0) {
    showStatus(`No refs${matching} in ${where}.`);
    ui.pageInfo.textContent = '';
  } else {
    showStatus(`${numbers.format(totalCount)} ${totalCount === 1 ? 'ref' : 'refs'}${matching} in ${where}.`);
    ui.pageInfo.textContent = `${numbers.format(start + 1)}–${numbers.format(start + edges.length)} of ${numbers.format(totalCount)}`;
  }
  state.cursors[state.page + 1] = pageInfo.hasNextPage ? pageInfo.endCursor : undefined;
  ui.prev.disabled = state.page === 0;
  ui.next.disabled = !pageInfo.hasNextPage;
}

/** A new list: from its first page. */
function restartList() {
  state.cursors = [null];
  state.page = 0;
  writeUrl();
  void loadRefs();
}

function markCurrent() {
  for (const button of ui.refs.querySelectorAll('.ref-item')) {
    if (Number(button.dataset.refId) === state.refId) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

// ---- one ref -----------------------------------------------------------------------------

async function openRef(refId, { focus = true } = {}) {
  const request = ++refRequest;
  state.refId = refId;
  writeUrl();
  markCurrent();
  const variables = { ...splitPair(state.pair), refId, maxSize: RENDER_SIZE };
  ui.detail.setAttribute('aria-busy', 'true');
  ui.detailError.hidden = true;
  let ref;
  try {
    ref = (await graphql(REF_QUERY, variables)).dataset.ref;
  } catch (e) {
    if (request !== refRequest) return;
    ui.detail.setAttribute('aria-busy', 'false');
    ui.ref.hidden = true;
    ui.empty.hidden = true;
    ui.detailError.textContent = `Could not load ref ${refId}: ${e.message}`;
    ui.detailError.hidden = false;
    return;
  }
  if (request !== refRequest) return;
  state.ref = ref;
  showRef(ref, variables);
  ui.detail.setAttribute('aria-busy', 'false');
  if (focus) ui.refTitle.focus();
}

/** What a ref names: its categories (gRefCOCO refs may name several objects), or plainly no target. */
function refLabel(ref) {
  return ref.noTarget ? 'no target' : ref.categories.map((c) => c.name).join(', ');
}

function showRef(ref, variables) {
  const words = searchWords();
  ui.empty.hidden = true;
  ui.ref.hidden = false;
  ui.refTitle.textContent = `Ref ${ref.refId} · ${refLabel(ref)}`;
  ui.refGraphiql.href = graphiqlUrl(REF_QUERY, variables, `Ref ${ref.refId} of ${state.pair}, as the explorer shows it`);
  showRender();

  ui.sentences.replaceChildren(...ref.sentences.map((s) => el('li', { 'data-sent-id': s.sentId, title: s.raw }, highlighted(s.sent, words))));

  const { image } = ref;
  const fact = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  ui.facts.replaceChildren(
    ...(ref.noTarget ? fact('Target', 'no target: the expression names no object in this image') : ref.categories.flatMap((c) => fact('Category', `${c.name} `, el('span', { class: 'muted' }, `(${c.supercategory}, id ${c.categoryId})`)))),
    ...fact('Split', ref.split),
    ...ref.boxes.flatMap((box) => fact('Box', `[${box.map((v) => numbers.format(v)).join(', ')}]`, el('span', { class: 'muted' }, ' x, y, w, h'))),
    ...(ref.noTarget ? [] : fact(ref.annotations.length > 1 ? 'Annotations' : 'Annotation', ref.annotations.map((a) => String(a.annId)).join(', '))),
    ...fact(
      'Image',
      `${image.imageId} · ${image.fileName} · ${image.width}×${image.height} `,
      image.url ? el('a', { href: image.url }, 'open the file') : el('span', { class: 'muted' }, '(file not under the data root)'),
    ),
  );

  const others = image.refs.filter((r) => r.refId !== ref.refId);
  ui.siblings.replaceChildren(
    ...(others.length
      ? others.map((r) =>
          el(
            'li',
            {},
            el(
              'button',
              { type: 'button', class: 'ref-item', 'data-ref-id': r.refId, onclick: () => openRef(r.refId) },
              el('span', { class: 'ref-id' }, `#${r.refId}`),
              el('span', { class: 'category' }, refLabel(r)),
              el('span', { class: 'sent' }, r.sentences[0]?.sent ?? '(no expression)'),
            ),
          ),
        )
      : [el('li', { class: 'muted' }, 'None: this is the only ref of its image.')]),
  );
}

/** No ref open (another dataset was chosen). */
function closeRef() {
  refRequest++;
  state.refId = null;
  state.ref = null;
  ui.ref.hidden = true;
  ui.detailError.hidden = true;
  ui.empty.hidden = false;
}

/** The open ref drawn in the chosen mode. */
function showRender() {
  const { ref, mode } = state;
  if (!ref) return;
  for (const input of document.querySelectorAll('input[name="mode"]')) input.checked = input.value === mode;
  const { image } = ref;
  const url = ref[RENDER_FIELDS[mode]];
  ui.render.alt = `Ref ${ref.refId}, ${refLabel(ref)}, drawn as its ${MODES[mode]} on image ${image.fileName}`;
  ui.render.width = image.width;
  ui.render.height = image.height;
  ui.render.parentElement.setAttribute('aria-busy', 'true');
  ui.render.classList.remove('failed');
  ui.renderCaption.textContent = image.fileExists ? `${image.fileName}, ${image.width}×${image.height}` : `${image.fileName} is not under the data root: drawn on a gray canvas of its size (${image.width}×${image.height}).`;
  if (ui.render.getAttribute('src') !== url) ui.render.src = url;
  else ui.render.parentElement.setAttribute('aria-busy', 'false');
}

// ---- views -------------------------------------------------------------------------------

/** The browser, or the Evaluate view when the URL's hash is #evaluate. */
function showView({ focus = false } = {}) {
  const evaluating = location.hash === '#evaluate';
  ui.browse.hidden = evaluating;
  ui.detail.hidden = evaluating;
  ui.evaluate.hidden = !evaluating;
  for (const [link, current] of [[ui.viewBrowse, !evaluating], [ui.viewEvaluate, evaluating]]) {
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (evaluating) {
    const view = showEvaluateView(ui.evaluate, state.pair);
    if (focus) view.focus();
  }
}
window.addEventListener('hashchange', () => showView({ focus: true }));

// ---- wiring ------------------------------------------------------------------------------

ui.render.addEventListener('load', () => ui.render.parentElement.setAttribute('aria-busy', 'false'));
ui.render.addEventListener('error', () => {
  ui.render.parentElement.setAttribute('aria-busy', 'false');
  ui.render.classList.add('failed');
  ui.renderCaption.textContent = 'The render could not be loaded.';
});

/** The search box is the search: what it holds now, submitted or not, is what a new list filters by. */
function readSearchBox() {
  state.text = ui.text.value.trim();
}

ui.pair.addEventListener('change', () => {
  state.pair = ui.pair.value;
  state.split = '';
  readSearchBox();
  closeRef();
  fillSplits();
  restartList();
});
ui.split.addEventListener('change', () => {
  state.split = ui.split.value;
  readSearchBox();
  restartList();
});
// Emptying the box (typing it away, or its clear button) drops the search at once.
ui.text.addEventListener('input', () => {
  if (ui.text.value.trim() === '' && state.text !== '') {
    readSearchBox();
    restartList();
  }
});
ui.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  readSearchBox();
  restartList();
});
/** Another page of the same list, shown from its top. */
async function turnPage(step) {
  state.page += step;
  await loadRefs();
  ui.status.scrollIntoView({ block: 'nearest' });
}
ui.prev.addEventListener('click', () => {
  if (state.page > 0) void turnPage(-1);
});
ui.next.addEventListener('click', () => {
  if (state.cursors[state.page + 1] !== undefined) void turnPage(1);
});
for (const input of document.querySelectorAll('input[name="mode"]')) {
  input.addEventListener('change', () => {
    state.mode = input.value;
    writeUrl();
    showRender();
  });
}

async function start() {
  readUrl();
  showView();
  ui.text.value = state.text;
  try {
    state.datasets = (await graphql(DATASETS_QUERY)).datasets;
  } catch (e) {
    showStatus(`Could not load the datasets: ${e.message}`, true);
    return;
  }
  if (state.datasets.length === 0) {
    showStatus('The server has no dataset loaded.', true);
    return;
  }
  fillPairs();
  fillSplits();
  writeUrl();
  void loadRefs();
  if (state.refId !== null) void openRef(state.refId, { focus: false });
}

void start();
