/**
 * Node's web globals (`Request`, `crypto`) are lazy accessors: the first read loads their
 * implementation (undici: ~25 ms of CPU quiet, ~50 ms loaded; webcrypto: ~5–10 ms).
 * @whatwg-node reads both while the server starts, and the server never uses either.
 * These wrappers keep those reads from loading anything; each puts the global's own
 * accessor back, untouched, whatever the wrapped call does.
 */

/** Runs `run` with `globalThis[name]` replaced by `value`. */
function withGlobal<T>(name: 'Request' | 'crypto', value: unknown, run: () => T): T {
  const original = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!original?.configurable) return run();
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  try {
    return run();
  } finally {
    Object.defineProperty(globalThis, name, original);
  }
}

/**
 * Runs `create` while `globalThis.Request` reads as undefined. Its one reader at start is
 * @whatwg-node/server's createServerAdapter (inside createYoga):
 * `fetchAPI.Request !== globalThis.Request` decides whether requests get its own
 * AbortController. Yoga's fetch API on Node is @whatwg-node/node-fetch's ponyfill, whose
 * Request is never the global one, so the answer stays `true`, as with undici loaded.
 */
export function withoutGlobalRequest<T>(create: () => T): T {
  return withGlobal('Request', undefined, create);
}

/**
 * Runs `load` (the require of the server) while `globalThis.crypto` is a stand-in that
 * forwards every property to the real webcrypto, read on first use: @whatwg-node/fetch
 * copies `globalThis.crypto` into its fetch API when it loads, and nothing on the
 * server's path uses it.
 */
export function withLazyGlobalCrypto<T>(load: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  const real = () => (descriptor?.get ? descriptor.get.call(globalThis) : descriptor?.value) as Crypto;
  const standIn = new Proxy({} as Crypto, {
    get(_target, key) {
      const crypto = real();
      const value: unknown = Reflect.get(crypto, key, crypto);
      // getRandomValues and randomUUID must be called on the real Crypto.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(crypto) : value;
    },
    has: (_target, key) => key in real(),
  });
  return withGlobal('crypto', standIn, load);
}
