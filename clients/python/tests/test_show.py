"""showRef / showMask: without matplotlib the server's PNG for the ref and mode is
returned, or written to save_to; with matplotlib it is drawn (imread of that PNG,
imshow, axis off) and the sentences are printed as REFER prints them ("1. sent").

The drawing path is tested with a stub matplotlib.pyplot put into sys.modules before
refer_graphql.show imports it (on the first picture shown, not with the package), so it
runs where matplotlib is not installed (CI); where it is, the real path is run too."""
import contextlib
import io
import os
import struct
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from refer_graphql import REFER  # noqa: E402

from golden import URL, needs_server  # noqa: E402

PLOT_MODULES = ("matplotlib", "matplotlib.pyplot")


class StubPyplot:
    """Records what show.py asks of matplotlib.pyplot."""

    def __init__(self):
        self.calls = []

    def imread(self, fname, format=None):
        image = ("image", len(self.calls))
        self.calls.append(("imread", fname.read(), format, image))
        return image

    def imshow(self, image):
        self.calls.append(("imshow", image))

    def axis(self, arg):
        self.calls.append(("axis", arg))


@contextlib.contextmanager
def pyplot_as(pyplot):
    """`import matplotlib.pyplot` giving `pyplot` (None: an ImportError, as without
    matplotlib) while the block runs; sys.modules as it was afterwards."""
    saved = {name: sys.modules.get(name) for name in PLOT_MODULES}
    if pyplot is None:
        sys.modules["matplotlib.pyplot"] = None
    else:
        package = type(sys)("matplotlib")
        package.pyplot = pyplot
        sys.modules["matplotlib"] = package
        sys.modules["matplotlib.pyplot"] = pyplot
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def server_png(ref, mode):
    """The server's picture of a ref, fetched by its route, not through the client."""
    with urllib.request.urlopen("%s/renders/refcoco/unc/%d.png?mode=%s" % (URL, ref["ref_id"], mode)) as r:
        return r.read()


def png_size(png):
    """(height, width) from a PNG's IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return height, width


class ImportCost(unittest.TestCase):
    def test_importing_the_client_does_not_import_matplotlib(self):
        import subprocess

        code = "import sys; sys.path.insert(0, %r); import refer_graphql; print('matplotlib' in sys.modules)" % os.path.dirname(HERE)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "False")


@needs_server
class ShowWithoutMatplotlib(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.refer = REFER(URL, "refcoco", "unc")
        cls.ref = next(r for r in cls.refer.loadRefs(cls.refer.getRefIds()) if len(r["sentences"]) >= 2)

    def test_returns_the_server_png_for_the_ref_and_mode(self):
        with pyplot_as(None), contextlib.redirect_stdout(io.StringIO()) as out:
            seg = self.refer.showRef(self.ref)
            box = self.refer.showRef(self.ref, seg_box="box")
            mask = self.refer.showMask(self.ref)
        self.assertTrue(seg.startswith(b"\x89PNG\r\n\x1a\n"))
        self.assertEqual(seg, server_png(self.ref, "SEG"))
        self.assertEqual(box, server_png(self.ref, "BOX"))
        self.assertEqual(mask, server_png(self.ref, "MASK"))
        self.assertNotEqual(seg, box)
        self.assertNotEqual(seg, mask)
        self.assertEqual(out.getvalue(), "")

    def test_saves_the_png_to_save_to(self):
        with pyplot_as(None), tempfile.TemporaryDirectory() as tmp:
            ref_path = os.path.join(tmp, "ref.png")
            mask_path = os.path.join(tmp, "mask.png")
            self.assertEqual(self.refer.showRef(self.ref, seg_box="box", save_to=ref_path), ref_path)
            self.assertEqual(self.refer.showMask(self.ref, save_to=mask_path), mask_path)
            with open(ref_path, "rb") as f:
                self.assertEqual(f.read(), server_png(self.ref, "BOX"))
            with open(mask_path, "rb") as f:
                self.assertEqual(f.read(), server_png(self.ref, "MASK"))

    def test_refuses_an_unknown_seg_box(self):
        with self.assertRaisesRegex(ValueError, "seg_box must be 'seg' or 'box', not 'outline'"):
            self.refer.showRef(self.ref, seg_box="outline")


@needs_server
class ShowWithMatplotlib(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.refer = REFER(URL, "refcoco", "unc")
        cls.ref = next(r for r in cls.refer.loadRefs(cls.refer.getRefIds()) if len(r["sentences"]) >= 2)

    def draw(self, call):
        plt = StubPyplot()
        with pyplot_as(plt), contextlib.redirect_stdout(io.StringIO()) as out:
            result = call()
        return plt.calls, out.getvalue(), result

    def test_show_ref_draws_the_seg_png_and_prints_the_sentences_as_refer_does(self):
        calls, printed, result = self.draw(lambda: self.refer.showRef(self.ref))
        self.assertIsNone(result)
        (name, png, fmt, image), *rest = calls
        self.assertEqual((name, fmt), ("imread", "png"))
        self.assertEqual(png, server_png(self.ref, "SEG"))
        self.assertEqual(rest, [("imshow", image), ("axis", "off")])
        self.assertEqual(printed, "".join("%s. %s\n" % (i + 1, s["sent"]) for i, s in enumerate(self.ref["sentences"])))

    def test_show_ref_box_draws_the_box_png(self):
        calls, _, _ = self.draw(lambda: self.refer.showRef(self.ref, seg_box="box"))
        self.assertEqual(calls[0][1], server_png(self.ref, "BOX"))

    def test_show_mask_draws_the_mask_png_and_prints_nothing(self):
        calls, printed, result = self.draw(lambda: self.refer.showMask(self.ref))
        self.assertIsNone(result)
        self.assertEqual([c[0] for c in calls], ["imread", "imshow", "axis"])
        self.assertEqual(calls[0][1], server_png(self.ref, "MASK"))
        self.assertEqual(printed, "")

    def test_save_to_writes_the_file_and_draws_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "ref.png")
            calls, printed, result = self.draw(lambda: self.refer.showRef(self.ref, save_to=path))
            self.assertEqual((calls, printed, result), ([], "", path))
            with open(path, "rb") as f:
                self.assertEqual(f.read(), server_png(self.ref, "SEG"))


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


if _has_matplotlib():
    # Only where matplotlib is installed (not in CI): defined, not skipped, elsewhere.

    @needs_server
    class ShowWithRealMatplotlib(unittest.TestCase):
        def test_show_ref_draws_the_png_on_the_current_axes(self):
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            refer = REFER(URL, "refcoco", "unc")
            ref = refer.loadRefs(refer.getRefIds()[0])[0]
            plt.figure()
            try:
                with contextlib.redirect_stdout(io.StringIO()) as out:
                    self.assertIsNone(refer.showRef(ref))
                images = plt.gca().get_images()
                self.assertEqual(len(images), 1)
                self.assertEqual(images[0].get_array().shape[:2], png_size(server_png(ref, "SEG")))
                self.assertFalse(plt.gca().axison)
                self.assertTrue(out.getvalue().startswith("1. %s\n" % ref["sentences"][0]["sent"]))
            finally:
                plt.close("all")


if __name__ == "__main__":
    unittest.main()
