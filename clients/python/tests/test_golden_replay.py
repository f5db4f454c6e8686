"""Every recorded REFER call on the golden data, replayed through refer_graphql.REFER:
same values, same Python types, REFER's order (sorted where REFER's was a set's), and
the fixed answers where REFER crashed (test/fixtures/golden/README.md)."""
import hashlib
import os
import sys
import unittest

# Run as `python3 -m unittest discover clients/python/tests`: test this source tree's
# client (not an installed copy), and find golden.py beside this file.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from refer_graphql import REFER  # noqa: E402

from golden import URL, assert_same, goldens, keyed_by_str, needs_server  # noqa: E402

GOLDENS = goldens()


def as_list(v):
    return v if isinstance(v, list) else [v]


def call_args(q):
    """The recorded kwargs, as a REFER user passed them."""
    return dict(q["args"])


def fixed_image_refs(golden, q, refer):
    """getRefIds(image_ids=…), which crashed: the refs of those images, image by image,
    each image's refs in file order, then the other filters."""
    by_image = next(e for e in golden["queries"] if e["call"] == "imgToRefs[ref_ids]")["result"]
    cats = set(as_list(q["args"].get("cat_ids", [])))
    out = []
    for image_id in as_list(q["args"]["image_ids"]):
        for ref_id in by_image[str(image_id)]:
            if not cats or refer.Refs[ref_id]["category_id"] in cats:
                out.append(ref_id)
    return out


@needs_server
class GoldenReplay(unittest.TestCase):
    maxDiff = 2000

    def replay(self, golden):
        dataset, split_by = golden["meta"]["dataset"], golden["meta"]["splitBy"]
        refer = REFER(URL, dataset=dataset, splitBy=split_by)
        ann_id_type = str if dataset == "refclef" else int
        for n, q in enumerate(golden["queries"]):
            where = "%s/%s query %d %s(%s)" % (dataset, split_by, n, q["call"], q["args"])
            with self.subTest(where):
                self.replay_one(golden, refer, q, where, ann_id_type)

    def replay_one(self, golden, refer, q, where, ann_id_type):
        call, args = q["call"], call_args(q)
        error = q.get("error")
        if call == "REFER":
            with self.assertRaises(ValueError) as caught:
                REFER(URL, dataset=args["dataset"], splitBy=args["splitBy"])
            self.assertIn("refcoco/unc", str(caught.exception), "the valid pairs are listed")
            return
        if error and error["type"] == "SystemExit":
            with self.assertRaises(ValueError) as caught:
                getattr(refer, call)(**args)
            self.assertIn("valid splits: train, val, test, testA", str(caught.exception))
            return
        if error and error["type"] == "KeyError":
            with self.assertRaises(KeyError) as caught:
                getattr(refer, call)(**args)
            self.assertIn(error["message"], str(caught.exception), "the message names the id")
            return
        if error and call == "getRefIds" and error["type"] == "TypeError":
            assert_same(self, refer.getRefIds(**args), fixed_image_refs(golden, q, refer), where)
            return
        self.assertIsNone(error, "%s: a recorded error without a fixed answer" % where)
        want = q["result_sorted"] if "result_sorted" in q else q["result"]
        if call == "getAnnIds" and "ref_ids" in args:
            # REFER ignored ref_ids; the fix keeps the annotations of those refs.
            of_refs = {refer.Refs[r]["ann_id"] for r in as_list(args["ref_ids"])}
            want = [a for a in want if a in of_refs]
        if call == "loadCats" and isinstance(args["cat_ids"], str):
            if args["cat_ids"].startswith("tuple("):
                # REFER returned None for a tuple; here a tuple works as a list.
                ids = tuple(int(x) for x in args["cat_ids"][len("tuple(") : -1].split(",") if x)
                assert_same(self, refer.loadCats(ids), [refer.Cats[i] for i in ids], where)
                return
            args = {"cat_ids": refer.getCatIds()}
        got = self.answer(refer, call, args, ann_id_type, where)
        if "result_sorted" in q or call == "getImgIds" and "ref_ids" in args:
            got, want = sorted(got), sorted(want)
        assert_same(self, got, want, where)
        self.check_indexes_agree(refer, call, args, want, where)

    def answer(self, refer, call, args, ann_id_type, where):
        if call in ("getRefIds", "getAnnIds", "getImgIds", "getCatIds", "loadRefs", "loadAnns", "loadImgs", "loadCats", "getRefBox"):
            return getattr(refer, call)(**args)
        ids = as_list(next(iter(args.values())))
        if call == "imgToRefs[ref_ids]":
            return keyed_by_str({i: [r["ref_id"] for r in refer.imgToRefs[i]] for i in ids}, int, self, where)
        if call == "imgToAnns[ann_ids]":
            return keyed_by_str({i: [a["id"] for a in refer.imgToAnns[i]] for i in ids}, int, self, where)
        if call == "annToRef[ref_id]":
            anns = [refer.Refs[r]["ann_id"] for r in ids]
            return keyed_by_str({a: refer.annToRef[a]["ref_id"] for a in anns}, ann_id_type, self, where)
        if call == "sentToRef[ref_id]":
            return keyed_by_str({s: refer.sentToRef[s]["ref_id"] for s in ids}, int, self, where)
        if call == "sentToTokens":
            return keyed_by_str({s: refer.sentToTokens[s] for s in ids}, int, self, where)
        if call == "Sents":
            return keyed_by_str({s: refer.Sents[s] for s in ids}, int, self, where)
        self.fail("%s: no adapter for this golden call" % where)

    def check_indexes_agree(self, refer, call, args, want, where):
        """The bulk-loaded indexes hold the same records, with the same types, as the queries."""
        index = {"loadRefs": ("Refs", "ref_ids"), "loadAnns": ("Anns", "ann_ids"), "loadImgs": ("Imgs", "image_ids"), "loadCats": ("Cats", "cat_ids")}.get(call)
        if index:
            name, key = index
            assert_same(self, [getattr(refer, name)[i] for i in as_list(args[key])], want, where + " via refer.%s" % name)
        if call == "getRefBox":
            assert_same(self, refer.refToAnn[args["ref_id"]]["bbox"], want, where + " via refer.refToAnn")

    def test_index_sizes(self):
        for golden in GOLDENS:
            refer = REFER(URL, dataset=golden["meta"]["dataset"], splitBy=golden["meta"]["splitBy"])
            stats = golden["stats"]
            for name in ("Refs", "Anns", "Imgs", "Cats", "Sents", "imgToRefs", "imgToAnns", "refToAnn", "annToRef", "catToRefs", "sentToRef", "sentToTokens"):
                self.assertEqual(len(getattr(refer, name)), stats["len_" + name], "%s len(refer.%s)" % (golden["meta"], name))
            for name in ("refs", "images", "annotations", "categories"):
                self.assertEqual(len(refer.data[name]), stats["len_data_" + name])
            self.assertEqual({k: len(v) for k, v in refer.catToRefs.items()}, {int(k): v for k, v in stats["catToRefs_sizes"].items()})
            self.assertEqual(list(refer.Refs), refer.getRefIds(), "Refs keeps file order")

    def test_masks(self):
        for golden in GOLDENS:
            refer = REFER(URL, dataset=golden["meta"]["dataset"], splitBy=golden["meta"]["splitBy"])
            self.assertGreater(len(golden["masks"]), 0)
            for sample in golden["masks"]:
                with self.subTest("%s getMask(ref %s)" % (golden["meta"], sample["ref_id"])):
                    got = refer.getMask(refer.Refs[sample["ref_id"]])
                    self.assertIs(type(got["area"]), int)
                    self.assertEqual(got["area"], sample["union_area"])
                    self.assertEqual(hashlib.md5(mask_bytes(got["mask"], sample["mask_shape"])).hexdigest(), sample["mask_bin_md5"])


def mask_bytes(mask, shape):
    """Row-major uint8 bytes of a getMask mask: an ndarray, or the list-of-rows fallback."""
    if hasattr(mask, "tobytes"):
        assert str(mask.dtype) == "uint8" and list(mask.shape) == list(shape), (mask.dtype, mask.shape)
        return mask.tobytes()
    assert [len(mask), len(mask[0]) if mask else 0] == list(shape)
    return bytes(v for row in mask for v in row)


for _golden in GOLDENS:
    def _test(self, golden=_golden):
        self.replay(golden)

    setattr(GoldenReplay, "test_replay_%s_%s" % (_golden["meta"]["dataset"].replace("+", "plus"), _golden["meta"]["splitBy"]), _test)
