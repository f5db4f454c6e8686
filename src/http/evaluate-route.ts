/**
 * POST /evaluate?dataset=refcoco&splitBy=unc&split=testA&task=boxes|masks|expressions
 * (optional &iou=published|continuous &boxFormat=xywh|xyxy &boxScale=pixels|1|1000
 * &thresholds=0.5,0.75): score a predictions file (the body, a JSON array; gzip with
 * Content-Encoding: gzip) on a split, with the published code's metrics (src/eval/).
 *
 *   200 the report: {counts, overall, per_category, per_split, per_sample, …, id}; the
 *       report is kept in the app's EvaluationReports under `id`
 *   400 a bad parameter or bad predictions: {"error": "…"} naming the prediction and the problem
 *   404 a dataset/splitBy that is not loaded
 *   413 a body over 256 MB (after decompression) or over 1,000,000 predictions
 *   405 a method other than POST
 *
 * The body is parsed element by element as it streams in; parsing, scoring and writing the
 * report run in slices (src/eval/steps.ts) with event-loop turns between them, so other
 * requests are served meanwhile.
 */
import type { Plugin } from 'graphql-yoga';
import type { Catalog } from '../core/catalog';
import { DataError, NotFoundError } from '../core/errors';
import type { EvaluationRequest, ParsedPredictions } from '../eval/evaluate';
import type { PredictionReader } from '../eval/predictions';
import type { EvaluationReports } from '../eval/report-store';
import { performance } from 'node:perf_hooks';
import type { Responses } from './responses';

// The evaluation code is required by the first POST /evaluate, not when the server starts
// (issue 8 §2): most servers never evaluate, and every start would load it.
const evaluateModule = () => require('../eval/evaluate') as typeof import('../eval/evaluate');
const jsonArrayStream = () => require('../eval/json-array-stream') as typeof import('../eval/json-array-stream');
const reportJson = () => require('../eval/report-json') as typeof import('../eval/report-json');
const sliceMs = () => (require('../eval/steps') as typeof import('../eval/steps')).SLICE_MS;

const PATH = '/evaluate';
export const MAX_EVALUATE_BYTES = 256 * 1024 * 1024;
export const MAX_PREDICTIONS = 1_000_000;
const SOURCE = 'POST /evaluate body';
/** Characters handed to the element parser at once: a few ms of work. */
const PARSE_PIECE = 16 * 1024;
/**
 * Bytes decoded from UTF-8 at once: a chunk can be the whole body (a string body, a fast
 * client), and decoding 20 MB in one call stalls the event loop for 50-130 ms.
 */
const DECODE_PIECE = 512 * 1024;

class TooLarge extends Error {}

function jsonError(fetchAPI: Responses, status: number, message: string, headers: Record<string, string> = {}): Response {
  return new fetchAPI.Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function requestOf(query: URLSearchParams): EvaluationRequest {
  const param = (name: string, required: boolean): string | undefined => {
    const values = query.getAll(name);
    if (values.length > 1) throw new DataError(`give ${name} at most once`);
    if (required && values.length === 0) throw new DataError(`missing ${name}: use ${PATH}?dataset=refcoco&splitBy=unc&split=testA&task=boxes|masks|expressions`);
    return values[0];
  };
  const thresholds = param('thresholds', false);
  return {
    dataset: param('dataset', true)!,
    splitBy: param('splitBy', true)!,
    split: param('split', true)!,
    task: param('task', true)!,
    iou: param('iou', false),
    boxFormat: param('boxFormat', false),
    boxScale: param('boxScale', false),
    thresholds: thresholds?.split(',').map((t) => {
      if (!/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(t)) throw new DataError(`thresholds must be comma-separated numbers in [0, 1], got ${JSON.stringify(t)}`);
      return Number(t);
    }),
  };
}

/**
 * The body's predictions, parsed element by element as the bytes arrive, each element
 * read into its task's typed entry at once (`reader`).
 */
async function readPredictions(request: Request, reader: PredictionReader<ParsedPredictions>): Promise<ParsedPredictions> {
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new DataError(`Content-Encoding ${JSON.stringify(encoding)} is not supported: send the JSON plain or gzip`);
  if (!request.body) throw new DataError(`${SOURCE}: empty body: expected a JSON array of predictions`);
  const bytes = encoding === 'gzip' ? request.body.pipeThrough(new DecompressionStream('gzip')) : request.body;
  let count = 0;
  const SLICE_MS = sliceMs();
  const parser = new (jsonArrayStream().JsonArrayStream)(SOURCE, (value) => {
    if (count++ >= MAX_PREDICTIONS) throw new TooLarge(`more than ${MAX_PREDICTIONS} predictions`);
    reader.add(value);
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let total = 0;
  let sliceStart = performance.now();
  // A chunk can be the whole body (a string body, a fast client): it is parsed in pieces,
  // with an event-loop turn whenever a slice of work is done.
  const pushInSlices = async (text: string) => {
    for (let at = 0; at < text.length; at += PARSE_PIECE) {
      parser.push(text.slice(at, at + PARSE_PIECE));
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  };
  // Read by hand, not with `for await`: leaving that loop on an error cancels the body,
  // which destroys the request's socket before the 400 naming the prediction is written.
  const body = bytes.getReader();
  try {
    for (let read = await body.read(); !read.done; read = await body.read()) {
      const chunk = read.value;
      total += chunk.byteLength;
      if (total > MAX_EVALUATE_BYTES) throw new TooLarge(`a body of more than ${MAX_EVALUATE_BYTES} bytes`);
      // The decoder in stream mode carries a character split between two pieces over.
      for (let at = 0; at < chunk.byteLength; at += DECODE_PIECE) await pushInSlices(decoder.decode(chunk.subarray(at, at + DECODE_PIECE), { stream: true }));
    }
    await pushInSlices(decoder.decode());
  } catch (e) {
    if (e instanceof TooLarge || e instanceof DataError) throw e;
    throw new DataError(`${SOURCE}: cannot be read (${encoding === 'gzip' ? 'not valid gzip, or ' : ''}not UTF-8): ${(e as Error).message}`);
  } finally {
    body.releaseLock();
  }
  parser.end();
  return reader.finish();
}

/** The report's JSON, produced in slices with an event-loop turn before each (a big report takes a while to write). */
function reportStream(report: Record<string, unknown>): ReadableStream<Uint8Array> {
  const SLICE_MS = sliceMs();
  const pieces = reportJson().reportJsonPieces(report);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const start = performance.now();
      let text = '';
      for (;;) {
        const next = pieces.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += next.value;
        if (performance.now() - start >= SLICE_MS) break;
      }
      controller.enqueue(encoder.encode(text));
    },
  });
}

async function evaluateResponse(catalog: Catalog, reports: EvaluationReports, request: Request, url: URL, fetchAPI: Responses): Promise<Response> {
  try {
    const asked = requestOf(url.searchParams);
    const { evaluateParsedYielding, evaluationSetup, predictionReader } = evaluateModule();
    const setup = evaluationSetup(catalog, asked);
    const parsed = await readPredictions(request, predictionReader(setup, SOURCE));
    const report = await evaluateParsedYielding(setup, SOURCE, parsed);
    // A masks report keeps its entries: renders' overlayReport draws a sample's predicted mask.
    const predictions = parsed.task === 'masks' ? parsed.masks.entries : undefined;
    const stored = reports.add({ dataset: setup.dataset, splitBy: setup.splitBy, split: setup.split, report, predictions });
    return new fetchAPI.Response(reportStream({ ...report, id: stored.id }), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  } catch (e) {
    if (e instanceof TooLarge) return jsonError(fetchAPI, 413, `${SOURCE} is too large: ${e.message}`);
    if (e instanceof NotFoundError) return jsonError(fetchAPI, 404, e.message);
    if (e instanceof DataError) return jsonError(fetchAPI, 400, e.message);
    throw e;
  }
}

/** The route as a Yoga plugin: it answers /evaluate itself and leaves every other path alone. */
export function useEvaluateRoute(catalog: Catalog, reports: EvaluationReports): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== PATH) return;
      if (request.method !== 'POST') {
        endResponse(jsonError(fetchAPI, 405, `${request.method} is not allowed on ${PATH}: POST the predictions`, { allow: 'POST' }));
        return;
      }
      endResponse(await evaluateResponse(catalog, reports, request, url, fetchAPI));
    },
  };
}
