// The explorer's Evaluate view (#evaluate): choose a dataset, split and task, drop or
// choose a predictions file, and see the report POST /evaluate makes of it: the headline
// numbers, a bar per category, the IoU histogram, and the worst cases drawn with the
// prediction over the ground truth (renders' overlayBox / overlayReport). The file is
// posted as it is; the worst cases come from GraphQL's evaluation(id) by the report's id.

import { DATASETS_QUERY, graphiqlUrl, graphql } from './api.js';
import { barChart, iouBins, iouHistogram } from './evaluate.charts.js';
import { el } from './dom.js';

const EVALUATE_ENDPOINT = '/evaluate';
const WORST_COUNT = 12;
const THUMB_SIZE = 240;

export const WORST_CASES_QUERY = `query ExplorerWorstCases($id: ID!, $first: Int!, $orderBy: EvaluationSampleOrder!, $mode: RenderMode!, $maxSize: Int!) {
  evaluation(id: $id) {
    samples(first: $first, orderBy: $orderBy) {
      edges {
        node {
          index
          sentId
          refId
          iou
          hit
          cider
          predictedBox
          predictedSentence
          ref {
            renderUrl(mode: $mode, maxSize: $maxSize)
            categories { name }
            sentences { sentId sent }
            image { width height }
          }
        }
      }
    }
  }
}`;

/** Per task: how worst cases are ordered and drawn, and how a category is summed up. */
const TASKS = {
  boxes: {
    label: 'Comprehension (boxes)',
    order: 'IOU_ASC',
    mode: 'BOX',
    category: { name: 'accuracy (IoU ≥ 0.5)', value: (c) => c.given.accuracy['0.5'], percent: true },
  },
  masks: {
    label: 'Segmentation (masks)',
    order: 'IOU_ASC',
    mode: 'SEG',
    category: { name: 'mIoU', value: (c) => c.given.mIoU, percent: false },
  },
  expressions: {
    label: 'Generation (expressions)',
    order: 'CIDER_ASC',
    mode: 'SEG',
    category: { name: 'CIDEr', value: (c) => c.CIDEr, percent: false },
  },
};

/** Words of a file name that name a task (the golden files' and the papers' names). */
const TASK_WORDS = { boxes: ['boxes', 'box', 'bbox'], masks: ['masks', 'mask', 'seg', 'segmentation'], expressions: ['expressions', 'captions', 'sents', 'generation'] };

const numbers = new Intl.NumberFormat('en');
const percent = (v) => `${(v * 100).toFixed(2)}%`;
const decimal = (v) => v.toFixed(4);

/** The headline numbers of a report: [key (its path in the report, parts joined by '/'), label, value, format, why null]. */
function headline(report) {
  const { overall } = report;
  if (report.task === 'boxes') {
    const thresholds = Object.keys(overall.given.accuracy).filter((t) => t !== '0.5');
    return [
      ['overall/accuracy', 'Accuracy (IoU ≥ 0.5)', overall.accuracy, percent],
      ['overall/given/mean_iou', 'Mean IoU', overall.given.mean_iou, decimal],
      ...thresholds.map((t) => [`overall/given/accuracy/${t}`, `Accuracy at IoU ≥ ${t}`, overall.given.accuracy[t], percent]),
      ['overall/accuracy_all', 'Accuracy over the whole split (missing counted wrong)', overall.accuracy_all, percent],
    ];
  }
  if (report.task === 'masks') {
    return [
      ['overall/mIoU', 'mIoU', overall.mIoU, decimal],
      ['overall/oIoU', 'oIoU', overall.oIoU, decimal, 'the union of every sample is empty'],
      ...Object.keys(overall.given.precision).map((t) => [`overall/given/precision/${t}`, `Pr@${t}`, overall.given.precision[t], percent]),
    ];
  }
  const unavailable = overall.unavailable ?? {};
  return ['Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4', 'ROUGE_L', 'CIDEr', 'METEOR'].map((name) => [`overall/${name}`, name.replace('_', '-'), overall[name], decimal, unavailable[name]]);
}

// The view's fixed parts; what a report fills in is built per report.
const SKELETON = `
  <header class="evaluate-head">
    <h2 id="evaluate-title" tabindex="-1">Evaluate predictions</h2>
    <p class="muted">Scores a predictions file on a split with the published metrics (the same report as <code>POST /evaluate</code>). The file stays as it is: a JSON array, one prediction per sentence or ref.</p>
  </header>
  <form id="evaluate-form" class="evaluate-form" aria-label="Evaluation">
    <label><span>Dataset</span><select id="evaluate-pair" required></select></label>
    <label><span>Split</span><select id="evaluate-split" required></select></label>
    <label><span>Task</span><select id="evaluate-task" required></select></label>
    <div id="evaluate-drop" class="drop-zone">
      <label for="evaluate-file">Predictions file (JSON)</label>
      <input id="evaluate-file" type="file" accept=".json,application/json" aria-describedby="evaluate-file-hint" />
      <span id="evaluate-file-hint" class="muted">Choose a file, or drop one here.</span>
    </div>
    <button type="submit" id="evaluate-run">Evaluate</button>
  </form>
  <p id="evaluate-status" class="status" role="status" aria-live="polite">Choose a predictions file.</p>
  <p id="evaluate-error" class="error" role="alert" hidden></p>
  <div id="evaluate-results" class="evaluate-results" hidden>
    <h3>Overall</h3>
    <dl id="evaluate-overall" class="metrics"></dl>
    <p id="evaluate-counts" class="muted"></p>
    <div class="charts">
      <figure class="chart">
        <figcaption id="evaluate-categories-title">Per category</figcaption>
        <div id="evaluate-categories"></div>
      </figure>
      <figure class="chart" id="evaluate-histogram-figure">
        <figcaption id="evaluate-histogram-title">IoU of each sample</figcaption>
        <div id="evaluate-histogram"></div>
      </figure>
    </div>
    <div class="worst-head">
      <h3 id="evaluate-worst-title">Worst cases</h3>
      <a id="evaluate-graphiql" href="/graphql">These samples in GraphiQL</a>
    </div>
    <p class="muted" id="evaluate-worst-legend">The ground truth as the explorer draws it; the prediction in cyan.</p>
    <ol id="evaluate-worst" class="worst" aria-labelledby="evaluate-worst-title" aria-busy="false"></ol>
  </div>`;

let view;

/** Shows the view, building it on first use; `pair` (dataset/splitBy) is the one chosen first. */
export function showEvaluateView(section, pair) {
  if (!view) view = buildView(section, pair);
  return view;
}

function buildView(section, preferredPair) {
  section.innerHTML = SKELETON;
  const $ = (id) => section.querySelector(`#${id}`);
  const ui = {
    form: $('evaluate-form'),
    pair: $('evaluate-pair'),
    split: $('evaluate-split'),
    task: $('evaluate-task'),
    drop: $('evaluate-drop'),
    file: $('evaluate-file'),
    status: $('evaluate-status'),
    error: $('evaluate-error'),
    results: $('evaluate-results'),
    overall: $('evaluate-overall'),
    counts: $('evaluate-counts'),
    categoriesTitle: $('evaluate-categories-title'),
    categories: $('evaluate-categories'),
    histogramFigure: $('evaluate-histogram-figure'),
    histogram: $('evaluate-histogram'),
    graphiql: $('evaluate-graphiql'),
    legend: $('evaluate-worst-legend'),
    worst: $('evaluate-worst'),
  };
  const state = { datasets: [], file: null, request: 0 };

  ui.task.replaceChildren(...Object.entries(TASKS).map(([value, t]) => el('option', { value }, t.label)));

  const pairOf = (d) => `${d.name}/${d.splitBy}`;
  function fillSplits() {
    const dataset = state.datasets.find((d) => pairOf(d) === ui.pair.value);
    const splits = dataset?.splits ?? [];
    const kept = ui.split.value;
    ui.split.replaceChildren(...splits.map((s) => el('option', { value: s.name }, `${s.name} (${numbers.format(s.counts.refs)} refs)`)));
    const names = splits.map((s) => s.name);
    ui.split.value = names.includes(kept) ? kept : names.includes('val') ? 'val' : (names[0] ?? '');
  }

  function showStatus(text) {
    ui.status.textContent = text;
  }
  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = false;
  }

  async function loadDatasets() {
    try {
      state.datasets = (await graphql(DATASETS_QUERY)).datasets;
    } catch (e) {
      showError(`Could not load the datasets: ${e.message}`);
      return;
    }
    ui.pair.replaceChildren(...state.datasets.map((d) => el('option', { value: pairOf(d) }, pairOf(d))));
    const pairs = state.datasets.map(pairOf);
    ui.pair.value = pairs.includes(preferredPair) ? preferredPair : pairs.includes('refcoco/unc') ? 'refcoco/unc' : (pairs[0] ?? '');
    fillSplits();
  }

  /** Posts the chosen file as it is and shows the report, or the server's words on what is wrong. */
  async function evaluate() {
    if (!state.file) {
      showStatus('Choose a predictions file first.');
      ui.file.focus();
      return;
    }
    const dataset = state.datasets.find((d) => pairOf(d) === ui.pair.value);
    if (!dataset) {
      showError('No dataset to evaluate on: the server has none loaded, or the list could not be read.');
      return;
    }
    const request = ++state.request;
    const asked = { dataset: dataset.name, splitBy: dataset.splitBy, split: ui.split.value, task: ui.task.value };
    ui.error.hidden = true;
    ui.results.setAttribute('aria-busy', 'true');
    showStatus(`Scoring ${state.file.name} on ${ui.pair.value} ${asked.split} (${asked.task})…`);
    let response;
    let body;
    try {
      response = await fetch(`${EVALUATE_ENDPOINT}?${new URLSearchParams(asked)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: state.file });
      body = await response.json();
    } catch (e) {
      if (request !== state.request) return;
      ui.results.setAttribute('aria-busy', 'false');
      ui.results.hidden = true;
      showStatus('');
      showError(`${state.file.name}: ${EVALUATE_ENDPOINT} gave no report (${response ? `${response.status} ${response.statusText}` : e.message}).`);
      return;
    }
    if (request !== state.request) return;
    ui.results.setAttribute('aria-busy', 'false');
    if (!response.ok) {
      ui.results.hidden = true;
      showStatus('');
      showError(`${state.file.name} was not scored: ${body.error ?? `${response.status} ${response.statusText}`}`);
      return;
    }
    showReport(body, asked);
    showStatus(`${state.file.name}: ${numbers.format(body.counts.evaluated)} scored on ${ui.pair.value} ${asked.split}.`);
    void showWorst(body, asked, request);
  }

  function showReport(report, asked) {
    ui.results.hidden = false;
    ui.overall.replaceChildren(
      ...headline(report).flatMap(([key, label, value, format, whyNull]) => [
        el('dt', {}, label),
        el('dd', { 'data-metric': key, 'data-value': value === null ? 'null' : String(value), title: value === null ? whyNull : null }, value === null ? (whyNull ?? 'not computed') : format(value)),
      ]),
    );
    const c = report.counts;
    ui.counts.replaceChildren(
      `${numbers.format(c.evaluated)} of ${numbers.format(c.universe)} in ${asked.split} scored; `,
      `${numbers.format(c.missing)} missing, ${numbers.format(c.duplicates)} repeated (the last one counts), ${numbers.format(c.unknown)} outside the split (ignored). `,
      `${numbers.format(c.entries)} predictions in the file.`,
    );
    if (c.evaluated === 0 && c.unknown > 0) ui.counts.append(` None of its ids are in ${asked.split}: choose the split the predictions were made on.`);
    for (const [key, value] of Object.entries(c)) ui.counts.dataset[key] = String(value);

    const { category } = TASKS[report.task];
    const values = report.per_category.map(category.value);
    const max = category.percent ? 1 : Math.max(1, ...values.filter((v) => v !== null));
    const format = category.percent ? percent : decimal;
    ui.categoriesTitle.textContent = `Per category: ${category.name}`;
    ui.categories.replaceChildren(
      barChart(
        report.per_category.map((row, i) => {
          const n = row.given?.n ?? row.n;
          const text = values[i] === null ? 'none' : format(values[i]);
          return { key: String(row.category_id), label: row.name, value: values[i], text, title: `${row.name}: ${category.name} ${text} over ${numbers.format(n)} ${n === 1 ? 'sample' : 'samples'}` };
        }),
        { max, description: `${category.name} of each of the ${report.per_category.length} categories` },
      ),
    );

    ui.histogramFigure.hidden = report.task === 'expressions';
    if (report.task !== 'expressions') {
      const bins = iouBins(report.per_sample.map((row) => row.iou));
      ui.histogram.replaceChildren(iouHistogram(bins, { description: `How many of the ${report.per_sample.length} samples have an IoU in each tenth from 0 to 1: ${bins.join(', ')}` }));
    }
  }

  /** The first samples worst first, each drawn with its prediction over the ground truth. */
  async function showWorst(report, asked, request) {
    const task = TASKS[report.task];
    const variables = { id: report.id, first: WORST_COUNT, orderBy: task.order, mode: task.mode, maxSize: THUMB_SIZE };
    ui.graphiql.href = graphiqlUrl(WORST_CASES_QUERY, variables, `The worst cases of evaluation ${report.id}, as the explorer shows them`);
    ui.legend.textContent =
      report.task === 'expressions' ? 'The ref as the explorer draws it, with the generated expression and the ground truth ones.' : 'The ground truth as the explorer draws it; the prediction in cyan.';
    ui.worst.setAttribute('aria-busy', 'true');
    let samples;
    try {
      samples = (await graphql(WORST_CASES_QUERY, variables)).evaluation?.samples.edges.map((e) => e.node);
    } catch (e) {
      if (request === state.request) ui.worst.replaceChildren(el('li', { class: 'error' }, `Could not load the worst cases: ${e.message}`));
      return;
    } finally {
      if (request === state.request) ui.worst.setAttribute('aria-busy', 'false');
    }
    if (request !== state.request) return;
    if (!samples) {
      ui.worst.replaceChildren(el('li', { class: 'muted' }, 'The server no longer holds this report: evaluate the file again.'));
      return;
    }
    ui.worst.replaceChildren(...(samples.length ? samples.map((s) => worstCase(s, report, asked)) : [el('li', { class: 'muted' }, 'No sample was scored.')]));
  }

  function worstCase(sample, report, asked) {
    const { ref } = sample;
    const url = new URL(ref.renderUrl, location.href);
    if (report.task === 'boxes' && sample.predictedBox) url.searchParams.set('overlayBox', sample.predictedBox.join(','));
    if (report.task === 'masks') {
      url.searchParams.set('overlayReport', report.id);
      url.searchParams.set('sample', String(sample.index));
    }
    // The render's own size (the server scales as here), so the page does not move as thumbnails load.
    const longest = Math.max(ref.image.width, ref.image.height);
    const side = (pixels) => (longest <= THUMB_SIZE ? pixels : Math.max(1, Math.round((pixels * THUMB_SIZE) / longest)));
    const sentence = ref.sentences.find((s) => s.sentId === sample.sentId) ?? ref.sentences[0];
    const others = sample.sentId === null ? ref.sentences.length - 1 : 0;
    const category = ref.categories.map((c) => c.name).join(', ') || 'no target';
    const score =
      report.task === 'expressions'
        ? `CIDEr ${sample.cider === null ? 'none' : decimal(sample.cider)}`
        : `IoU ${sample.iou === null ? 'undefined (an empty union)' : decimal(sample.iou)}${sample.hit ? ' · hit' : ' · miss'}`;
    const browse = `?${new URLSearchParams({ pair: `${asked.dataset}/${asked.splitBy}`, ref: String(sample.refId), ...(report.task === 'boxes' ? { mode: 'BOX' } : {}) })}`;
    return el(
      'li',
      { class: 'worst-case', 'data-index': sample.index, 'data-ref-id': sample.refId },
      el(
        'a',
        { href: browse, 'aria-label': `Ref ${sample.refId} (${category}): ${score}. Open it in the browser view.` },
        el('img', { src: url.pathname + url.search, alt: `Ref ${sample.refId}, ${category}, with the ${report.task === 'expressions' ? 'ground truth drawn' : 'prediction drawn over the ground truth'}`, width: side(ref.image.width), height: side(ref.image.height) }),
      ),
      el('p', { class: 'worst-sent' }, sentence ? `“${sentence.sent}”` : '(no expression)', others > 0 ? el('span', { class: 'muted' }, ` +${others} more`) : null),
      report.task === 'expressions' ? el('p', { class: 'worst-pred' }, `Generated: “${sample.predictedSentence ?? ''}”`) : null,
      el('p', { class: 'worst-score' }, `#${sample.refId} ${category} · ${score}`),
    );
  }
  // ---- wiring ----------------------------------------------------------------------------

  /**
   * Files are usually named after what they score (refcoco_unc_testA_boxes.json): the
   * dataset, split and task that the name spells as whole words are chosen for it; the
   * others stay as the user set them.
   */
  function chooseFromFileName(name) {
    const words = name.replace(/\.json$/i, '').split(/[^A-Za-z0-9+]+/);
    const pair = state.datasets.map(pairOf).find((p) => p.split('/').every((part) => words.includes(part)));
    if (pair && pair !== ui.pair.value) {
      ui.pair.value = pair;
      fillSplits();
    }
    const split = [...ui.split.options].map((o) => o.value).find((value) => words.includes(value));
    if (split) ui.split.value = split;
    const task = Object.keys(TASK_WORDS).find((t) => TASK_WORDS[t].some((w) => words.includes(w)));
    if (task) ui.task.value = task;
  }

  function chooseFile(file) {
    state.file = file ?? null;
    if (!state.file) return;
    chooseFromFileName(state.file.name);
    void evaluate();
  }
  ui.pair.addEventListener('change', fillSplits);
  ui.file.addEventListener('change', () => chooseFile(ui.file.files[0]));
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void evaluate();
  });
  // Dropping anywhere on the zone; the class only shows where a drop would land.
  ui.drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    ui.drop.classList.add('dragging');
  });
  ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('dragging'));
  ui.drop.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.drop.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) chooseFile(file);
  });

  const ready = loadDatasets();
  return { ready, focus: () => $('evaluate-title').focus() };
}
