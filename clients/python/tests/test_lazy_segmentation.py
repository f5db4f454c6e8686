"""refer.Anns comes without polygons; the first read of a segmentation fetches all of
them, after which every annotation dict holds its segmentation as REFER's does."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from refer_graphql import REFER  # noqa: E402

from golden import URL, needs_server  # noqa: E402


@needs_server
class LazySegmentation(unittest.TestCase):
    def test_first_read_fetches_every_segmentation(self):
        refer = REFER(URL, "refcoco", "unc")
        anns = list(refer.Anns.values())
        self.assertFalse(any(dict.__contains__(a, "segmentation") for a in anns), "not fetched up front")
        first = anns[0]["segmentation"]
        self.assertEqual(first, refer.loadAnns(anns[0]["id"])[0]["segmentation"])
        self.assertTrue(all(dict.__contains__(a, "segmentation") for a in anns), "one fetch fills every annotation")
        self.assertEqual(json.loads(json.dumps(anns[-1])), refer.loadAnns(anns[-1]["id"])[0])

    def test_any_python_read_of_the_dict_sees_it(self):
        for read in (lambda a: "segmentation" in a, lambda a: a.get("segmentation") is not None, lambda a: "segmentation" in a.keys(), lambda a: "segmentation" in dict(a)):
            refer = REFER(URL, "refclef", "unc")
            ann = refer.imgToAnns[refer.getImgIds()[0]][0]
            self.assertTrue(read(ann))

    def test_load_segmentations_makes_json_dumps_complete(self):
        refer = REFER(URL, "refcocog", "umd")
        refer.loadSegmentations()
        dumped = json.loads(json.dumps(refer.data["annotations"][:3]))
        self.assertEqual(dumped, refer.loadAnns([a["id"] for a in dumped]))
