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

export const schema = builder.toSchema();
export type { Context } from './context';
