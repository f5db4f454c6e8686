/**
 * Pictures over HTTP, as fields of the graph: Ref.renderUrl (REFER's showRef / showMask
 * as a PNG, served by src/http/render-route.ts) and Image.url (the image file itself,
 * served by src/http/image-route.ts). Both are readable paths relative to the server's
 * origin (/renders/refcoco/unc/3.png, /images/refcoco/7), carrying ids rather than file
 * paths: a request can only reach what the index names.
 */
import { DataError } from '../src/core/errors';
import { IMAGES_PREFIX, imageFileUrlPath, imageGlobalId, refGlobalId, renderPath, RENDERS_PREFIX, RENDERS_SUFFIX } from '../src/ids';
import type { RenderMode as Mode } from '../src/render';
import { builder } from './builder';
import { Image, Ref } from './objects';

const RenderMode = builder.enumType('RenderMode', {
  description: "How Ref.renderUrl draws the referred object, as REFER's showRef and showMask do.",
  values: {
    SEG: { description: "showRef(ref, seg_box='seg'): the image with the object's polygons outlined (thick yellow under thin red); RefClef's RLE masks are filled translucent green instead." },
    BOX: { description: "showRef(ref, seg_box='box'): the image with the object's box drawn." },
    MASK: { description: 'showMask(ref): the binary mask alone, white on black, at the image size.' },
  } satisfies Record<Mode, { description: string }>,
});

builder.objectFields(Ref, (t) => ({
  renderUrl: t.string({
    description:
      `Path of a PNG picture of this ref on this server: GET ${RENDERS_PREFIX}<dataset>/<splitBy>/<refId>${RENDERS_SUFFIX}?mode=…&maxSize=… (relative to the GraphQL endpoint's origin, for <img src>; ${RENDERS_PREFIX}<global id>${RENDERS_SUFFIX} answers the same). ` +
      'When the image file is absent from the data root (images are optional) the object is drawn on a gray canvas of the image size, and the response header X-Image-Found says false.',
    args: {
      mode: t.arg({ type: RenderMode, defaultValue: 'SEG' }),
      maxSize: t.arg.int({ description: 'Longest side in pixels: larger pictures are scaled down (never up). Default: the image size.' }),
    },
    resolve: (r, { mode, maxSize }) => {
      if (maxSize != null && maxSize < 1) throw new DataError(`renderUrl: maxSize must be at least 1 pixel, got ${maxSize}`);
      return renderPath(refGlobalId(r.store, r.row), mode ?? 'SEG', maxSize);
    },
  }),
}));

builder.objectFields(Image, (t) => ({
  url: t.string({
    nullable: true,
    description: `Path of the image file on this server: GET ${IMAGES_PREFIX}<dataset>/<imageId> (relative to the GraphQL endpoint's origin; ${IMAGES_PREFIX}<global id> answers the same); null when the file is absent (see fileExists).`,
    resolve: async (i, _args, ctx) =>
      (await ctx.loaders.of(i.store).load('fileExists', i.row)) ? imageFileUrlPath(imageGlobalId(i.store, i.row)) : null,
  }),
}));

