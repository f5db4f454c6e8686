/**
 * MaskInput: a mask given by a client to compare (an id, a box or RLE counts), checked
 * and made into an Rle; errors name the argument and what was wrong.
 */
import { DataError } from '../src/core/errors';
import { rleFromBbox, rleFromCounts, rleFromString, type Rle } from '../src/mask';
import { countsTotal } from '../src/mask/rle';
import { builder } from './builder';
import type { Context } from './context';
import { loadMaskOfId } from './mask-loading';

export interface MaskInputValue {
  id?: string | number | null;
  box?: readonly number[] | null;
  counts?: string | null;
  uncompressedCounts?: readonly number[] | null;
  height?: number | null;
  width?: number | null;
}

export const VALUE_KINDS = ['box', 'counts', 'uncompressedCounts'] as const;
const MASK_KINDS = ['id', ...VALUE_KINDS] as const;
type MaskKind = (typeof MASK_KINDS)[number];

export const MaskInput = builder.inputType('MaskInput', {
  description:
    'A mask to compare: exactly one of `id`, `box`, `counts` or `uncompressedCounts`. A box or counts needs `height` and `width` (the image size), ' +
    'except that they default to the size of the other mask of the comparison.',
  fields: (t) => ({
    id: t.id({ description: 'Global id of a Ref or Annotation: its mask (see Ref.mask).' }),
    box: t.floatList({ description: '[x, y, w, h] in pixels, rasterised as pycocotools frBbox does (e.g. a predicted box).' }),
    counts: t.string({ description: 'A compressed COCO RLE string (pycocotools mask.encode(...)["counts"]).' }),
    uncompressedCounts: t.intList({ description: 'Uncompressed COCO RLE counts: column-major runs, 0s first.' }),
    height: t.int({ description: 'Rows of the mask (the image height).' }),
    width: t.int({ description: 'Columns of the mask (the image width).' }),
  }),
});

/** The one kind of mask an input gives, among `kinds`. */
export function maskKind<K extends MaskKind>(input: MaskInputValue, name: string, kinds: readonly K[]): K {
  const given = kinds.filter((k) => input[k] != null);
  if (given.length !== 1) {
    const choices = `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
    throw new DataError(`${name}: give exactly one of ${choices} (got ${given.length === 0 ? 'none' : given.join(' and ')})`);
  }
  return given[0];
}

/** height and width of an input, if it gives them (both or neither). */
function explicitSize(input: MaskInputValue, name: string): [number, number] | undefined {
  const { height, width } = input;
  if (height == null && width == null) return undefined;
  if (height == null || width == null) throw new DataError(`${name}: give both height and width, or neither`);
  return [height, width];
}

/** The mask of a box or counts input at size [h, w]. */
export function maskOfValue(input: MaskInputValue, kind: Exclude<MaskKind, 'id'>, name: string, [h, w]: [number, number]): Rle {
  try {
    if (kind === 'box') {
      const box = input.box!;
      if (box.length !== 4 || !box.every(Number.isFinite)) throw new RangeError(`expected 4 finite numbers [x, y, w, h], got [${box.join(', ')}]`);
      if (box[2] < 0 || box[3] < 0) throw new RangeError(`width and height must not be negative, got [${box.join(', ')}]`);
      return rleFromBbox(box, h, w);
    }
    const rle = kind === 'counts' ? rleFromString(input.counts!, h, w) : rleFromCounts(input.uncompressedCounts!, h, w);
    const total = countsTotal(rle.counts);
    if (total !== h * w) {
      throw new RangeError(`the runs cover ${total} pixels but height x width = ${h}x${w} = ${h * w} (is the size right, and are the counts column-major COCO RLE?)`);
    }
    return rle;
  } catch (e) {
    if (e instanceof RangeError) throw new DataError(`${name}.${kind}: ${e.message}`);
    throw e;
  }
}

/** The masks of two inputs; a box or counts without a size takes the other's. */
export async function masksOf(ctx: Context, inputs: [MaskInputValue, MaskInputValue], names: [string, string]): Promise<[Rle, Rle]> {
  const kinds = inputs.map((input, i) => maskKind(input, names[i], MASK_KINDS));
  const sizes = inputs.map((input, i) => explicitSize(input, names[i]));
  const masks = await Promise.all(
    inputs.map(async (input, i) => {
      if (kinds[i] !== 'id') return undefined;
      const rle = await loadMaskOfId(ctx, String(input.id));
      const size = sizes[i];
      if (size && (size[0] !== rle.h || size[1] !== rle.w)) {
        throw new DataError(`${names[i]}: height and width are ${size[0]}x${size[1]}, but the mask of id ${input.id} is ${rle.h}x${rle.w}; leave them out with an id`);
      }
      return rle;
    }),
  );
  for (let i = 0; i < 2; i++) {
    const kind = kinds[i];
    if (kind === 'id') continue;
    const other = 1 - i;
    const size = sizes[i] ?? sizes[other] ?? (masks[other] && ([masks[other].h, masks[other].w] as [number, number]));
    if (!size) throw new DataError(`${names[i]}: a ${kind} needs height and width (the size of the image), given here or by the other mask`);
    masks[i] = maskOfValue(inputs[i], kind, names[i], size);
  }
  return masks as [Rle, Rle];
}
