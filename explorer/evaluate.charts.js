// The Evaluate view's two charts, as inline SVG (no chart library): a bar per category,
// and a histogram of per-sample IoU in ten bins. Sizes are in viewBox units; the page's
// stylesheet (evaluate.css) colours them, so they follow the light and dark themes.

const SVG = 'http://www.w3.org/2000/svg';

/** IoU bins: [0, 0.1), [0.1, 0.2), …, [0.9, 1]; an IoU of exactly 1 belongs to the last. */
export const IOU_BINS = 10;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  node.append(...children);
  return node;
}

const titled = (text) => svg('title', {}, text);

/** How many of `ious` fall in each bin; a null IoU (the published formula's 0/0) counts as 0. */
export function iouBins(ious) {
  const bins = new Array(IOU_BINS).fill(0);
  for (const iou of ious) bins[Math.min(IOU_BINS - 1, Math.max(0, Math.floor((iou ?? 0) * IOU_BINS)))]++;
  return bins;
}

const LABEL_WIDTH = 150;
const VALUE_WIDTH = 70;
const CHART_WIDTH = 640;
const ROW = 22;

/**
 * Horizontal bars, one per item ({key, label, value, text, title}); a null value draws no
 * bar and says so. `max` is the value of a full-length bar.
 */
export function barChart(items, { max, description }) {
  const barSpace = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(1, items.length) * ROW + 4;
  const chart = svg('svg', { class: 'bar-chart', viewBox: `0 0 ${CHART_WIDTH} ${height}`, width: CHART_WIDTH, height, role: 'img', 'aria-label': description });
  items.forEach((item, i) => {
    const y = i * ROW + 2;
    const length = item.value === null || !(max > 0) ? 0 : Math.max(1, (Math.min(item.value, max) / max) * barSpace);
    chart.append(
      svg(
        'g',
        { class: 'bar', 'data-key': item.key, 'data-value': item.value ?? '' },
        titled(item.title),
        svg('text', { class: 'bar-label', x: LABEL_WIDTH - 8, y: y + ROW / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, item.label),
        svg('rect', { x: LABEL_WIDTH, y: y + 3, width: length, height: ROW - 6, rx: 2 }),
        svg('text', { class: 'bar-value', x: LABEL_WIDTH + length + 6, y: y + ROW / 2, 'dominant-baseline': 'central' }, item.text),
      ),
    );
  });
  return chart;
}

const HIST_WIDTH = 640;
const HIST_HEIGHT = 220;
const HIST_AXIS = 36;
const HIST_TOP = 18;

/** Ten vertical bars of sample counts by IoU, each bin labelled by its lower bound. */
export function iouHistogram(bins, { description }) {
  const most = Math.max(1, ...bins);
  const slot = HIST_WIDTH / bins.length;
  const plot = HIST_HEIGHT - HIST_AXIS - HIST_TOP;
  const chart = svg('svg', { class: 'histogram', viewBox: `0 0 ${HIST_WIDTH} ${HIST_HEIGHT}`, width: HIST_WIDTH, height: HIST_HEIGHT, role: 'img', 'aria-label': description });
  chart.append(svg('line', { class: 'axis', x1: 0, x2: HIST_WIDTH, y1: HIST_TOP + plot, y2: HIST_TOP + plot }));
  bins.forEach((count, i) => {
    const low = i / bins.length;
    const high = (i + 1) / bins.length;
    const range = `${low.toFixed(1)}–${high.toFixed(1)}`;
    const h = (count / most) * plot;
    const x = i * slot;
    chart.append(
      svg(
        'g',
        { class: 'bin', 'data-bin': i, 'data-count': count },
        titled(`IoU ${i === bins.length - 1 ? `${low.toFixed(1)}–1.0 (1.0 included)` : `${range} (upper bound excluded)`}: ${count} ${count === 1 ? 'sample' : 'samples'}`),
        svg('rect', { x: x + 4, y: HIST_TOP + plot - h, width: slot - 8, height: h, rx: 2 }),
        svg('text', { class: 'bin-count', x: x + slot / 2, y: HIST_TOP + plot - h - 4, 'text-anchor': 'middle' }, String(count)),
        svg('text', { class: 'bin-label', x: x + slot / 2, y: HIST_HEIGHT - HIST_AXIS / 2 + 2, 'text-anchor': 'middle' }, range),
      ),
    );
  });
  return chart;
}
