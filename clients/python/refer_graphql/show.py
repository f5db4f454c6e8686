"""showRef / showMask: drawn by the server (REFER's pictures as PNG, /renders/<id>.png);
shown with matplotlib when it is installed, else saved to `save_to` or returned as bytes."""
import io
from urllib.parse import quote


def _pyplot():
    """matplotlib.pyplot, or None without matplotlib. Imported when a picture is shown, not
    with the package: it costs ~0.4 s and ~30 MB, which sessions that never plot should not pay."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # plotting is optional
        return None
    return plt


def _png(refer, ref, mode):
    url = refer._dataset_query("ref(refId: $refId) { renderUrl(mode: %s) }" % mode, {"refId": ref["ref_id"]}, "$refId: Int!")["ref"]["renderUrl"]
    return refer._transport.get_bytes(quote(url, safe="/?=&%"))


def _deliver(png, sentences, save_to):
    if save_to is not None:
        with open(save_to, "wb") as f:
            f.write(png)
        return save_to
    plt = _pyplot()
    if plt is not None:
        image = plt.imread(io.BytesIO(png), format="png")
        plt.imshow(image)
        plt.axis("off")
        for i, sent in enumerate(sentences):
            print("%s. %s" % (i + 1, sent))
        return None
    return png


def show_ref(refer, ref, seg_box="seg", save_to=None):
    if seg_box not in ("seg", "box"):
        raise ValueError("seg_box must be 'seg' or 'box', not %r" % (seg_box,))
    png = _png(refer, ref, "SEG" if seg_box == "seg" else "BOX")
    return _deliver(png, [s["sent"] for s in ref["sentences"]], save_to)


def show_mask(refer, ref, save_to=None):
    return _deliver(_png(refer, ref, "MASK"), [], save_to)
