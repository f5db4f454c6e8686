/**
 * The per-request context of the schema. A new one per request: the loaders in it
 * batch and cache for that request only.
 */
import type { EvaluationReports } from '../src/eval/report-store';
import { type BatchObserver, RequestLoaders } from '../loaders';
import type { Catalog } from '../src/core/catalog';
import type { MaskCache } from '../src/core/masks';

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
  /** The app's evaluation reports (Query.evaluation reads them, Query.evaluateBoxes adds). */
  evaluations: EvaluationReports;
}

/** What the app (src/server.ts) owns and every request shares. */
export interface AppState {
  catalog: Catalog;
  /** Computed masks, kept across requests within the cache's budget. */
  masks: MaskCache;
  /** Evaluation reports from POST /evaluate, kept for later reads within a bound. */
  evaluations: EvaluationReports;
  /** Shared by all requests: complete it once, not per request. */
  limits: Limits;
  observe?: BatchObserver;
}

/** A request's context, over what the app shares. */
export function createContext(app: AppState): Context {
  return { catalog: app.catalog, loaders: new RequestLoaders(app.catalog, app.masks, app.observe), limits: app.limits, evaluations: app.evaluations };
}
