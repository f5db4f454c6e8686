/**
 * The per-request context of the schema. A new one per request: the loaders in it
 * batch and cache for that request only.
 */
import { type BatchObserver, RequestLoaders } from '../loaders';
import type { Catalog } from '../src/core/catalog';

export interface Limits {
  /** Largest `first`/`last` a connection accepts; larger asks are an error, not clamped. */
  maxPageSize: number;
  /** Page size when neither `first` nor `last` is given. */
  defaultPageSize: number;
  /** Largest estimated cost of one operation (see builder.ts for how it is estimated). */
  maxComplexity: number;
}

export const DEFAULT_LIMITS: Limits = { maxPageSize: 100, defaultPageSize: 20, maxComplexity: 20_000 };

export interface Context {
  catalog: Catalog;
  loaders: RequestLoaders;
  limits: Limits;
}

/** A request's context; `limits` is shared by all requests (complete it once, not per request). */
export function createContext(catalog: Catalog, limits: Limits = DEFAULT_LIMITS, observe?: BatchObserver): Context {
  return { catalog, loaders: new RequestLoaders(catalog, observe), limits };
}
