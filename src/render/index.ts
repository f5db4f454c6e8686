// Pictures of refs, as REFER's showRef and showMask draw them, and the image files they
// are drawn on. Pure functions over the store and the mask codec: no HTTP, no GraphQL.

export { DecodedImages, decodeImage, fileIdentity, imageFileExists, imageMediaType, readImage, readImageBytes, MAX_PIXELS } from './image-file';
export { maskToPng } from './mask-png';
export { downscale, rasterToPng, type Raster, type Rgb } from './raster';
export { drawRef, OVERLAY_EDGE, renderRef, RENDER_MODES, type Drawing, type Overlay, type Render, type RenderMode, type RenderOptions } from './render-ref';
