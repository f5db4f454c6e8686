"""getMask's answer from the server's mask bitmap (row-major uint8, base64)."""
import base64

try:
    import numpy
except ImportError:  # numpy is optional: masks then come as lists of rows
    numpy = None


def from_bitmap(mask):
    h, w = mask["height"], mask["width"]
    raw = base64.b64decode(mask["bitmap"])
    if len(raw) != h * w:
        raise ValueError("mask bitmap has %d bytes; expected %d x %d" % (len(raw), h, w))
    if numpy is not None:
        array = numpy.frombuffer(raw, dtype=numpy.uint8).reshape(h, w).copy()
    else:
        array = [list(raw[r * w : (r + 1) * w]) for r in range(h)]
    return {"mask": array, "area": int(mask["area"])}
