/**
 * The HTTP server: graphql-yoga over the schema, on node:http.
 *
 *   POST/GET /graphql   GraphQL (GET /graphql in a browser: GraphiQL, served inline so it
 *                       works offline)
 *   GET /health         liveness: 200 while the process serves requests
 *   GET /ready          readiness: 200 with the loaded pairs, 503 when none loaded
 *   GET /masks/<id>.png the PNG of a Ref's or Annotation's mask (src/http/mask-route.ts)
 *   GET /renders/<id>.png a Ref drawn as REFER's showRef / showMask, ?mode=SEG|BOX|MASK&maxSize=N
 *                       (src/http/render-route.ts)
 *   GET /images/<id>    an Image's file from the data root (src/http/image-route.ts)
 *   POST /evaluate      score a predictions file on a split (src/http/evaluate-route.ts)
 *   GET /export/…       bulk transfer as JSON lines (src/http/export-route.ts)
 *   GET /               the explorer page, for browsers (src/http/explorer-route.ts, explorer/)
 *
 * createYogaApp is the whole app without a socket (tests call `yoga.fetch`);
 * startServer binds it to a port and gives back a close() that waits for in-flight
 * requests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { getOperationAST, GraphQLError } from 'graphql';
import { type CORSOptions, createYoga, type Plugin, type YogaServerInstance, type YogaServerOptions } from 'graphql-yoga';
import type { BatchObserver } from '../loaders';
import { schema } from '../schema';
import { type AppState, type Context, createContext, DEFAULT_LIMITS, type Limits } from '../schema/context';
import type { Catalog } from './core/catalog';
import { DataError, NotFoundError, StaleIndexError } from './core/errors';
import { MaskCache } from './core/masks';
import { EvaluationReports } from './eval/report-store';
import { DecodedImages } from './render';
import { useGraphiQLCaching, useGraphQLGetCaching } from './http/cache-control';
import { useCompression } from './http/compression';
import { corsPolicy } from './http/cors';
import { dataFingerprint } from './http/data-fingerprint';
import { useEvaluateRoute } from './http/evaluate-route';
import { useExportRoute } from './http/export-route';
import { useExplorerRoute } from './http/explorer-route';
import { useImageRoute } from './http/image-route';
import { useMaskRoute } from './http/mask-route';
import { usePersistedClientOperations } from './http/persisted-operations';
import { useRenderRoute } from './http/render-route';
import { useDocumentNestingLimit, useFormPostRefusal } from './http/request-guards';
import { deferredGraphQlJit } from './startup/deferred-jit';
import { renderGraphiQLOnDemand } from './startup/graphiql-on-demand';
import { withoutGlobalRequest } from './startup/lazy-web-globals';

export interface ServerLimits extends Limits {
  /** Deepest field nesting of an operation (introspection excluded). */
  maxDepth: number;
  /** Aliases per operation: each alias can re-run a field, so they multiply cost. */
  maxAliases: number;
  /** Lexer tokens per document: bounds parse work before anything else runs. */
  maxTokens: number;
  /** Directives per operation. */
  maxDirectives: number;
  /** Bytes of a request body (413 beyond it, also for chunked bodies). */
  maxRequestBodySize: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_LIMITS, // maxPageSize 100, defaultPageSize 20, maxComplexity 20,000
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 20_000,
  maxDirectives: 50,
  maxRequestBodySize: 1_000_000,
};

/** One JSON log line: a request, or a server event such as an internal error. */
export interface LogEntry {
  time: string;
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}
export type LogSink = (entry: LogEntry) => void;

export const jsonLinesToStdout: LogSink = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

export interface AppOptions {
  /** Overrides of DEFAULT_SERVER_LIMITS. */
  limits?: Partial<ServerLimits>;
  /**
   * Compile operations with graphql-jit (default true: about twice as fast on nested
   * queries). 'after-first-response' loads it once the first response is out, so a fresh
   * server answers sooner (the server's default; answers are the same either way).
   */
  jit?: boolean | 'after-first-response';
  /** CORS: true (default) allows any origin, without credentials; false turns it off; or Yoga's CORS options. */
  cors?: boolean | CORSOptions;
  /** With CORS on: allow only these origins (e.g. https://example.org). Default: any. */
  corsOrigins?: readonly string[];
  /** Cache-Control max-age of GraphQL GET answers, in seconds (default 60). */
  cacheMaxAgeSeconds?: number;
  /** While true, /ready answers 503 (startServer sets it when draining). */
  draining?: () => boolean;
  /** Serve GraphiQL on GET /graphql (default true). */
  graphiql?: boolean;
  /** Where JSON log lines go (default: stdout); false for none. */
  log?: LogSink | false;
  /** Sees every loader batch call (tests and the bench count them). */
  observeBatches?: BatchObserver;
  /** The app's cache of computed masks (default: a new one of 128 MB), shared by its requests and routes. */
  masks?: MaskCache;
  /** Extra Yoga/envelop plugins, appended after ours. */
  plugins?: Plugin[];
}

export type YogaApp = YogaServerInstance<Record<string, never>, Context>;

/** The GraphiQL starting query, on the first loaded pair. */
function defaultQuery(catalog: Catalog): string {
  const store = catalog.stores.get('refcoco/unc') ?? [...catalog.stores.values()][0];
  const [name, splitBy] = store ? [store.dataset, store.splitBy] : ['refcoco', 'unc'];
  const split = store?.splitNames.includes('testA') ? 'testA' : (store?.splitNames.find((s) => s.startsWith('test')) ?? 'train');
  return `# refer-graphql: RefClef, RefCOCO, RefCOCO+, RefCOCOg
# Run: Ctrl-Enter. Every field: the Docs panel.
# REFER's calls keep their names: refIds (getRefIds),
# annIds, imageIds, loadRefs, loadAnns, loadCats, refBox

query Explore {
  datasets {
    name
    splitBy
    counts { refs sentences images annotations }
    splits { name counts { refs sentences images } }
  }
  dataset(name: "${name}", splitBy: "${splitBy}") {
    testRefIds: refIds(split: "${split}")
    refs(split: "${split}", first: 5) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          refId
          box
          category { name }
          sentences { sent }
          image { imageId fileName width height fileExists }
        }
      }
    }
    search: sentences(text: "left", first: 5) {
      totalCount
      edges { node { raw ref { refId } } }
    }
  }
}
`;
}

/**
 * Turns errors from the data core into client errors; hides anything else (a bug) behind
 * a generic message, logged. A compiled index rewritten under us fails the request and
 * has the catalog reload what changed.
 */
function errorMasker(log: LogSink, catalog: Catalog) {
  return (error: unknown, message: string): Error => {
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located?.originalError ?? error;
    if (original instanceof StaleIndexError) catalog.staleIndexSeen(original);
    if (original instanceof DataError) {
      return new GraphQLError(original.message, {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: original instanceof NotFoundError ? 'NOT_FOUND' : original instanceof StaleIndexError ? 'DATA_RELOADING' : 'BAD_USER_INPUT' },
      });
    }
    if (original instanceof GraphQLError) return located ?? original;
    log({ time: new Date().toISOString(), level: 'error', msg: 'internal error', path: located?.path?.join('.'), error: original instanceof Error ? original.stack : String(original) });
    return new GraphQLError(message, { nodes: located?.nodes, path: located?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}

/** /ready: the loaded pairs, and those that failed. */
function useReadiness(catalog: Catalog, draining: () => boolean): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const datasets = [...catalog.stores.keys()];
      // Draining: still answering, so a load balancer sees 503 and stops sending (a refused connection reads as a crash).
      const isDraining = draining();
      const ready = datasets.length > 0 && !isDraining;
      endResponse(
        fetchAPI.Response.json({ ready, ...(isDraining && { draining: true }), dataRoot: catalog.dataRoot, datasets, failures: catalog.failures }, { status: ready ? 200 : 503 }),
      );
    },
  };
}

function bodyTooLarge(limit: number): GraphQLError {
  return new GraphQLError(`Request body too large (limit: ${limit} bytes)`, { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } });
}

/**
 * maxRequestBodySize. Yoga's own check streams every body through a TransformStream
 * (~7% of a small request's CPU); a body with a Content-Length needs only the header
 * check, since the HTTP parser reads exactly that many bytes. Bodies without one
 * (chunked) are still counted as they stream.
 */
function useBodySizeLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) throw new GraphQLError('Content-Length header is invalid', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
        if (Number(length) > limit) throw bodyTooLarge(limit);
        return;
      }
      if (!requestParser || !request.body) return;
      setRequestParser((req) => {
        let bytes = 0;
        const counted = req.body!.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              bytes += chunk.byteLength;
              if (bytes > limit) controller.error(bodyTooLarge(limit));
              else controller.enqueue(chunk);
            },
          }),
        );
        return requestParser(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body: counted, duplex: 'half' } as RequestInit));
      });
    },
  };
}

/** One JSON line per request: method, path, status, duration, operation name, error count. */
function useRequestLog(log: LogSink): Plugin {
  const requests = new WeakMap<Request, { start: number; operation?: string; errors?: number }>();
  return {
    onRequest({ request }) {
      requests.set(request, { start: performance.now() });
    },
    onParams({ request, params }) {
      const entry = requests.get(request);
      if (entry) entry.operation = params.operationName ?? undefined;
    },
    onExecute({ args }) {
      // The name in the document, when the request did not name the operation.
      const entry = requests.get((args.contextValue as { request: Request }).request);
      if (entry) entry.operation ??= getOperationAST(args.document, args.operationName)?.name?.value;
    },
    onResultProcess({ request, result }) {
      const entry = requests.get(request);
      if (entry) for (const r of Array.isArray(result) ? result : [result]) if ('errors' in r && r.errors) entry.errors = (entry.errors ?? 0) + r.errors.length;
    },
    onResponse({ request, response }) {
      const entry = requests.get(request);
      const url = new URL(request.url);
      log({
        time: new Date().toISOString(),
        level: response.status >= 500 ? 'error' : 'info',
        msg: 'request',
        method: request.method,
        path: url.pathname,
        status: response.status,
        durationMs: entry ? Math.round((performance.now() - entry.start) * 100) / 100 : undefined,
        operation: entry?.operation,
        errors: entry?.errors,
      });
    },
  };
}

export function createYogaApp(catalog: Catalog, options: AppOptions = {}): YogaApp {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const log = options.log === false ? () => {} : (options.log ?? jsonLinesToStdout);
  const app: AppState = { catalog, masks: options.masks ?? new MaskCache(), evaluations: new EvaluationReports(), limits, observe: options.observeBatches };
  const fingerprint = dataFingerprint(catalog, schema, JSON.stringify(limits));
  const plugins: NonNullable<YogaServerOptions<Record<string, never>, Context>['plugins']> = [
    useRequestLog(log),
    useReadiness(catalog, options.draining ?? (() => false)),
    useFormPostRefusal(),
    useGraphiQLCaching(),
    useGraphQLGetCaching({ fingerprint, maxAgeSeconds: options.cacheMaxAgeSeconds ?? 60 }),
    // After the caching plugins: it compresses the bodies they answer with.
    useCompression(),
    useMaskRoute(catalog, app.masks),
    useRenderRoute({ catalog, masks: app.masks, images: new DecodedImages(), evaluations: app.evaluations }),
    useImageRoute(catalog),
    useExportRoute(catalog),
    useEvaluateRoute(catalog, app.evaluations),
    useExplorerRoute(),
    useBodySizeLimit(limits.maxRequestBodySize),
    usePersistedClientOperations(),
    useDocumentNestingLimit(),
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
      maxAliases: { n: limits.maxAliases },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: limits.maxDirectives },
      // Cost is estimated by the schema's complexity plugin, which knows page sizes.
      costLimit: { enabled: false },
      // Field suggestions help people learn a public, read-only schema.
      blockFieldSuggestion: { enabled: false },
    }),
  ];
  const jit = options.jit ?? true;
  if (jit) {
    const deferred = deferredGraphQlJit();
    if (jit === true) deferred.load();
    plugins.push(deferred.plugin);
  }
  plugins.push(...(options.plugins ?? []));
  return withoutGlobalRequest(() => createYoga<Record<string, never>, Context>({
    schema,
    context: () => createContext(app),
    plugins,
    maskedErrors: { maskError: errorMasker(log, catalog) },
    maxRequestBodySize: false, // see useBodySizeLimit
    cors: corsPolicy(options.cors, options.corsOrigins),
    extraParamNames: ['documentId'], // persisted operations, see usePersistedClientOperations
    graphiql: options.graphiql === false ? false : { title: 'refer-graphql', defaultQuery: defaultQuery(catalog) },
    renderGraphiQL: renderGraphiQLOnDemand,
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: false,
  }));
}

export interface ServerOptions extends AppOptions {
  /** Port; 0 picks a free one (see the returned url). Default 4000. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1 (loopback only); 0.0.0.0 to serve the network. */
  host?: string;
  /** How long close() lets in-flight requests run before cutting them off. Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * How long close() keeps listening at least, answering /ready with 503, before it stops
   * accepting connections: a load balancer's health-check interval. Default 0 (listen
   * only while requests are in flight).
   */
  drainMs?: number;
  /** Time a client has to send a request's headers (slowloris guard). Default 10 s. */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request, body included. Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4000; GraphQL is at `${url}/graphql`. */
  url: string;
  /**
   * Drains: /ready answers 503 while in-flight requests finish (and for drainMs at least),
   * then stops accepting connections; resolves once every request has ended.
   */
  close(): Promise<void>;
}

export async function startServer(catalog: Catalog, options: ServerOptions = {}): Promise<RunningServer> {
  const { port = 4000, host = '127.0.0.1', closeTimeoutMs = 10_000, drainMs = 0 } = options;
  const { headersTimeoutMs = 10_000, requestTimeoutMs = 30_000, keepAliveTimeoutMs = 5_000 } = options;
  const log = options.log === false ? () => {} : (options.log ?? jsonLinesToStdout);
  let draining = false;
  const yoga = createYogaApp(catalog, { ...options, draining: () => draining });
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      // Node checks the two request timeouts only this often (default 30 s).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs, requestTimeoutMs),
    },
    yoga,
  );
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  let onIdle: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight++;
    // Answers while draining tell keep-alive clients to reconnect (to another instance).
    if (draining) res.setHeader('connection', 'close');
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
      // A keep-alive connection whose last response ends while we close would otherwise
      // stay open until the client's idle timeout: end it as soon as it goes idle.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log({
    time: new Date().toISOString(),
    level: 'info',
    msg: 'listening',
    pid: process.pid,
    url,
    explorer: `${url}/`,
    graphql: `${url}/graphql`,
    graphiql: `${url}/graphql (in a browser)`,
    datasets: [...catalog.stores.keys()],
  });

  /** Resolves once drainMs has passed and no request is in flight. */
  const drained = () =>
    new Promise<void>((resolve) => {
      setTimeout(() => {
        if (inFlight === 0) resolve();
        else onIdle = resolve;
      }, drainMs).unref();
    });

  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        let listening = true;
        const stopListening = () => {
          if (!listening) return;
          listening = false;
          // server.close() ends idle keep-alive connections now, busy ones once they go idle.
          server.close(() => {
            clearTimeout(force);
            log({ time: new Date().toISOString(), level: 'info', msg: 'closed' });
            resolve();
          });
        };
        const force = setTimeout(() => {
          stopListening();
          server.closeAllConnections();
        }, closeTimeoutMs);
        force.unref();
        void drained().then(stopListening);
      }).then(() => yoga.dispose());
      return closing;
    },
  };
}
