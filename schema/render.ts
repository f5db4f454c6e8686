/**
 * Pictures over HTTP, as fields of the graph: Ref.renderUrl (REFER's showRef / showMask
 * as a PNG, served by src/http/render-route.ts) and Image.url (the image file itself,
 * served by src/http/image-route.ts). Both are paths relative to the server's origin,
 * carrying a global id rather than a file path: a request can only reach what the index
 * names.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { DataError, NotFoundError } from '../src/core/errors';
import type { ReferStore } from '../src/core/store/store';
import type { RenderMode as Mode } from '../src/render';
import { builder } from './builder';
import type { Context } from './context';
import { Image } from './image';
import { decodeTypedId, nodeKey } from './node';
import { Ref } from './ref';

export const RENDERS_PREFIX = '/renders/';
export const RENDERS_SUFFIX = '.png';
export const IMAGES_PREFIX = '/images/';

/** GET path of a ref's render; maxSize left out draws at the image's own size. */
export function renderPath(refGlobalId: string, mode: Mode, maxSize?: number | null): string {
  const query = new URLSearchParams({ mode });
  if (maxSize != null) query.set('maxSize', String(maxSize));
  return `${RENDERS_PREFIX}${encodeURIComponent(refGlobalId)}${RENDERS_SUFFIX}?${query}`;
}

export function imageFileUrlPath(imageGlobalId: string): string {
  return `${IMAGES_PREFIX}${encodeURIComponent(imageGlobalId)}`;
}

/**
 * The row a Ref or Image global id names. An id that names nothing (not a global id, an
 * unknown type, dataset or record) is a NotFoundError; the id of a record of another
 * type is a DataError. `purpose` ends the latter message: "renders are drawn for Ref ids".
 */
export async function rowOfGlobalId(ctx: Context, globalId: string, typename: 'Ref' | 'Image', purpose: string): Promise<{ store: ReferStore; row: number }> {
  const { key, store, rest } = decodeTypedId(ctx, globalId, [typename], purpose);
  if (!/^-?\d+$/.test(rest)) throw new NotFoundError(`malformed id "${key}": "${rest}" is not an integer ${typename === 'Ref' ? 'ref' : 'image'} id`);
  const row = await ctx.loaders.of(store).load(typename === 'Ref' ? 'refById' : 'imageById', Number(rest));
  return { store, row };
}

const RenderMode = builder.enumType('RenderMode', {
  description: "How Ref.renderUrl draws the referred object, as REFER's showRef and showMask do.",
  values: {
    SEG: { description: "showRef(ref, seg_box='seg'): the image with the object's polygons outlined and filled translucent." },
    BOX: { description: "showRef(ref, seg_box='box'): the image with the object's box drawn." },
    MASK: { description: 'showMask(ref): the binary mask alone, white on black, at the image size.' },
  } satisfies Record<Mode, { description: string }>,
});

builder.objectFields(Ref, (t) => ({
  renderUrl: t.string({
    description:
      `Path of a PNG picture of this ref on this server: GET ${RENDERS_PREFIX}<id>${RENDERS_SUFFIX}?mode=…&maxSize=… (relative to the GraphQL endpoint's origin, for <img src>). ` +
      'When the image file is absent from the data root (images are optional) the object is drawn on a gray canvas of the image size, and the response header X-Image-Found says false.',
    args: {
      mode: t.arg({ type: RenderMode, defaultValue: 'SEG' }),
      maxSize: t.arg.int({ description: 'Longest side in pixels: larger pictures are scaled down (never up). Default: the image size.' }),
    },
    resolve: (r, { mode, maxSize }) => {
      if (maxSize != null && maxSize < 1) throw new DataError(`renderUrl: maxSize must be at least 1 pixel, got ${maxSize}`);
      return renderPath(encodeGlobalID('Ref', nodeKey(r.store, r.store.refs.refId[r.row])), mode ?? 'SEG', maxSize);
    },
  }),
}));

builder.objectFields(Image, (t) => ({
  url: t.string({
    nullable: true,
    description: `Path of the image file on this server: GET ${IMAGES_PREFIX}<id> (relative to the GraphQL endpoint's origin); null when the file is absent (see fileExists).`,
    resolve: async (i, _args, ctx) =>
      (await ctx.loaders.of(i.store).load('fileExists', i.row)) ? imageFileUrlPath(encodeGlobalID('Image', nodeKey(i.store, i.store.instances.tables.images.id[i.row]))) : null,
  }),
}));

