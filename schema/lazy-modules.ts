/**
 * Modules that resolvers require on first use instead of at import: building the schema
 * must not load them, since a server's first query (the start-up of issue 8 §2) needs
 * none of evaluation, statistics or PNG encoding. Each getter returns the module itself
 * (a cached require); its types come from `import type` as usual.
 */
type EvaluateModule = typeof import('../src/eval/evaluate');
type ReportViewModule = typeof import('../src/eval/report-view');
type BoxComparisonModule = typeof import('../src/eval/box-comparison');
type StatisticsModule = typeof import('../src/core/query/statistics');
type RenderModule = typeof import('../src/render');

export const evaluateModule = () => require('../src/eval/evaluate') as EvaluateModule;
export const reportView = () => require('../src/eval/report-view') as ReportViewModule;
export const boxComparison = () => require('../src/eval/box-comparison') as BoxComparisonModule;
export const statistics = () => require('../src/core/query/statistics') as StatisticsModule;
export const renderModule = () => require('../src/render') as RenderModule;
