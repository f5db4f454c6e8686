/**
 * The object types of the graph, declared once. Each type's file implements its own and
 * adds fields to the others through these refs, so that type files never import each
 * other.
 */
import type { ReferStore } from '../src/core/store/store';
import type { StoredReport } from '../src/eval/report-store';
import { builder } from './builder';
import type { AnnotationRow, CategoryRow, ImageRow, MaskModel, RefRow, SentenceRow, SplitModel } from './models';

export const Dataset = builder.objectRef<ReferStore>('Dataset');
export const Split = builder.objectRef<SplitModel>('Split');
export const Ref = builder.objectRef<RefRow>('Ref');
export const Sentence = builder.objectRef<SentenceRow>('Sentence');
export const Image = builder.objectRef<ImageRow>('Image');
export const Annotation = builder.objectRef<AnnotationRow>('Annotation');
export const Category = builder.objectRef<CategoryRow>('Category');
export const Mask = builder.objectRef<MaskModel>('Mask');
export const Evaluation = builder.objectRef<StoredReport>('Evaluation');
