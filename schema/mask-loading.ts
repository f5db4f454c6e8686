/**
 * The masks of refs and annotations through the request's mask loader (one batch per
 * store and execution level), for the Mask fields and the mask comparisons.
 */
import { refMaskOf } from '../src/core/masks';
import type { ReferStore } from '../src/core/store/store';
import { resolveRowId } from '../src/ids';
import type { Rle } from '../src/mask';
import type { Context } from './context';

/** Cost of one mask in the complexity estimate (its bitmap and PNG add to it). */
export const MASK_COMPLEXITY = 20;

export function loadAnnotationMask(ctx: Context, store: ReferStore, annotationRow: number): Promise<Rle> {
  return ctx.loaders.of(store).load('maskOfAnnotation', annotationRow);
}

/** A ref's mask: its objects' masks, each through the loader, combined by the mask module. */
export async function loadRefMask(ctx: Context, store: ReferStore, refRow: number): Promise<Rle> {
  const masks = await ctx.loaders.of(store).loadMany('maskOfAnnotation', store.maskedAnnotationsOfRef(refRow));
  return refMaskOf(store, refRow, masks);
}

/**
 * The mask of a Ref or Annotation global id. An id that does not name a record is a
 * NotFoundError; the id of a record of another type (an Image, say) is a DataError.
 */
export function loadMaskOfId(ctx: Context, globalId: string): Promise<Rle> {
  const owner = resolveRowId(ctx.catalog, globalId, ['Ref', 'Annotation'] as const, 'masks belong to Ref and Annotation ids');
  return owner.typename === 'Ref' ? loadRefMask(ctx, owner.store, owner.row) : loadAnnotationMask(ctx, owner.store, owner.row);
}
