/**
 * CORS for a public, read-only API without logins: any origin (or an allow-list) may
 * read, but never with credentials — reflecting every Origin together with
 * `Access-Control-Allow-Credentials: true` would let any site read answers with a
 * visitor's cookies or client certificate.
 */
import type { CORSOptions } from 'graphql-yoga';

/**
 * Yoga's CORS options: false turns CORS off; a list of origins (e.g. from `--cors-origin`)
 * allows only those; otherwise every origin. A caller's own CORSOptions pass through.
 */
export function corsPolicy(cors: boolean | CORSOptions | undefined, origins: readonly string[] = []): CORSOptions | false {
  if (cors === false) return false;
  if (typeof cors === 'object') return cors;
  return { origin: origins.length > 0 ? [...origins] : ['*'], credentials: false, exposedHeaders: ['ETag'] };
}
