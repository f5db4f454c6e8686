/**
 * Runs `create` while `globalThis.Request` reads as undefined, so that it does not make
 * Node load undici, its fetch implementation (~25 ms of CPU quiet, ~50 ms loaded, at
 * every start), which the server never uses.
 *
 * The one reader at start is @whatwg-node/server's createServerAdapter (inside
 * createYoga): `fetchAPI.Request !== globalThis.Request` decides whether requests get
 * its own AbortController. Yoga's fetch API on Node is @whatwg-node/node-fetch's
 * ponyfill, whose Request is never the global one, so the answer stays `true`, as with
 * undici loaded. Node's global is a configurable lazy accessor: it is put back as it was,
 * untouched, whatever `create` does.
 */
export function withoutGlobalRequest<T>(create: () => T): T {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'Request');
  if (!original?.configurable) return create();
  Object.defineProperty(globalThis, 'Request', { value: undefined, configurable: true, writable: true });
  try {
    return create();
  } finally {
    Object.defineProperty(globalThis, 'Request', original);
  }
}
