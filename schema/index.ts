/** The schema: every type file registers itself on the builder; then build it once. */
import { builder } from './builder';
import './dataset';
import './split';
import './ref';
import './sentence';
import './annotation';
import './image';
import './category';
import './mask';
import './mask-iou';
import './render';
import './evaluation';
import './box-iou';

// Unsorted: sorting rebuilds every type (~10 ms of each server start). The printed
// schema.graphql is sorted by print.ts, so it diffs the same.
export const schema = builder.toSchema({ sortSchema: false });
export type { Context } from './context';
