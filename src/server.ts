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
 *   GET /               the explorer page, for browsers (src/http/explorer-route.ts, explorer/)
 *
 * createYogaApp is the whole app without a socket (tests call `yoga.fetch`);
 * startServer binds it to a port and gives back a close() that waits for in-flight
 * requests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { getOperationAST, GraphQLError } from 'graphql';
import { type CORSOptions, createYoga, type Plugin, type YogaServerInstance, type YogaServerOptions } from 'graphql-yoga';
import type { BatchObserver } from '../loaders';
import { schema } from '../schema';
import { type AppState, type Context, createContext, DEFAULT_LIMITS, type Limits } from '../schema/context';
import type { Catalog } from './core/catalog';
import { DataError, NotFoundError, StaleIndexError } from './core/errors';
import { MaskCache } from './core/masks';
import { DecodedImages } from './render';
import { useExplorerRoute } from './http/explorer-route';
import { useImageRoute } from './http/image-route';
import { useMaskRoute } from './http/mask-route';
import { useRenderRoute } from './http/render-route';

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
  /** Compile operations with graphql-jit (default true: about twice as fast on nested queries). */
  jit?: boolean;
  /** CORS: true (default) allows any origin; false turns it off; or Yoga's CORS options. */
  cors?: boolean | CORSOptions;
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
function useReadiness(catalog: Catalog): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const datasets = [...catalog.stores.keys()];
      endResponse(
        fetchAPI.Response.json({ ready: datasets.length > 0, dataRoot: catalog.dataRoot, datasets, failures: catalog.failures }, { status: datasets.length > 0 ? 200 : 503 }),
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
  const app: AppState = { catalog, masks: options.masks ?? new MaskCache(), limits, observe: options.observeBatches };
  const plugins: NonNullable<YogaServerOptions<Record<string, never>, Context>['plugins']> = [
    useRequestLog(log),
    useReadiness(catalog),
    useMaskRoute(catalog, app.masks),
    useRenderRoute({ catalog, masks: app.masks, images: new DecodedImages() }),
    useImageRoute(catalog),
    useExplorerRoute(),
    useBodySizeLimit(limits.maxRequestBodySize),
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
  if (options.jit ?? true) plugins.push(useGraphQlJit());
  plugins.push(...(options.plugins ?? []));
  return createYoga<Record<string, never>, Context>({
    schema,
    context: () => createContext(app),
    plugins,
    maskedErrors: { maskError: errorMasker(log, catalog) },
    maxRequestBodySize: false, // see useBodySizeLimit
    cors: options.cors ?? true,
    graphiql: options.graphiql === false ? false : { title: 'refer-graphql', defaultQuery: defaultQuery(catalog) },
    renderGraphiQL,
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: false,
  });
}

export interface ServerOptions extends AppOptions {
  /** Port; 0 picks a free one (see the returned url). Default 4000. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1 (loopback only); 0.0.0.0 to serve the network. */
  host?: string;
  /** How long close() lets in-flight requests run before cutting them off. Default 10 s. */
  closeTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4000; GraphQL is at `${url}/graphql`. */
  url: string;
  /** Stops accepting connections; resolves once in-flight requests have ended. */
  close(): Promise<void>;
}

export async function startServer(catalog: Catalog, options: ServerOptions = {}): Promise<RunningServer> {
  const { port = 4000, host = '127.0.0.1', closeTimeoutMs = 10_000 } = options;
  const log = options.log === false ? () => {} : (options.log ?? jsonLinesToStdout);
  const yoga = createYogaApp(catalog, options);
  const server = createServer(yoga);
  let closing: Promise<void> | undefined;
  // A keep-alive connection whose last response ends while we close would otherwise stay
  // open until the client's idle timeout: end it as soon as it goes idle.
  server.on('request', (_req, res) => res.on('close', () => closing && setImmediate(() => server.closeIdleConnections())));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log({ time: new Date().toISOString(), level: 'info', msg: 'listening', url, graphql: `${url}/graphql`, datasets: [...catalog.stores.keys()] });

  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), closeTimeoutMs);
        force.unref();
        // server.close() ends idle keep-alive connections now, busy ones once they go idle.
        server.close(() => {
          clearTimeout(force);
          log({ time: new Date().toISOString(), level: 'info', msg: 'closed' });
          resolve();
        });
      }).then(() => yoga.dispose());
      return closing;
    },
  };
}
