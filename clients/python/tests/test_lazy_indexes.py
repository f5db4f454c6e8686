"""REFER's indexes come from one transfer and are built on first read: each record is one
dict shared by every index that holds it (as REFER shares them), keys and their order
are createIndex's, and a missing key raises KeyError as a dict does."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from refer_graphql import REFER  # noqa: E402

from golden import URL, needs_server  # noqa: E402


@needs_server
class LazyIndexes(unittest.TestCase):
    def test_one_dict_per_record_across_indexes(self):
        refer = REFER(URL, "refcoco", "unc")
        for ref_id in refer.getRefIds()[:20]:
            ref = refer.Refs[ref_id]
            self.assertIs(refer.annToRef[ref["ann_id"]], ref)
            self.assertIs(refer.refToAnn[ref_id], refer.Anns[ref["ann_id"]])
            self.assertTrue(any(r is ref for r in refer.imgToRefs[ref["image_id"]]))
            self.assertTrue(any(r is ref for r in refer.catToRefs[ref["category_id"]]))
            for sent in ref["sentences"]:
                self.assertIs(refer.sentToRef[sent["sent_id"]], ref)
                self.assertIs(refer.Sents[sent["sent_id"]], sent)
                self.assertIs(refer.sentToTokens[sent["sent_id"]], sent["tokens"])
        self.assertIs(refer.data["refs"][0], refer.Refs[refer.getRefIds()[0]])
        self.assertIs(refer.imgToRefs[refer.Refs[refer.getRefIds()[0]]["image_id"]], refer.imgToRefs[refer.Refs[refer.getRefIds()[0]]["image_id"]], "a list index hands out one list")

    def test_keys_in_createindex_order(self):
        refer = REFER(URL, "refcocog", "umd")
        refs = list(refer.data["refs"])
        anns = list(refer.data["annotations"])
        self.assertEqual(list(refer.Refs), [r["ref_id"] for r in refs])
        self.assertEqual(list(refer.Anns), [a["id"] for a in anns])
        self.assertEqual(list(refer.Imgs), [i["id"] for i in refer.data["images"]])
        self.assertEqual(list(refer.imgToRefs), list(dict.fromkeys(r["image_id"] for r in refs)))
        self.assertEqual(list(refer.imgToAnns), list(dict.fromkeys(a["image_id"] for a in anns)))
        self.assertEqual(list(refer.sentToRef), [s["sent_id"] for r in refs for s in r["sentences"]])
        self.assertEqual(dict(refer.Refs), {r["ref_id"]: r for r in refs})

    def test_missing_key_raises_key_error(self):
        refer = REFER(URL, "refclef", "unc")
        for index in (refer.Refs, refer.Anns, refer.Imgs, refer.imgToRefs, refer.sentToRef):
            with self.assertRaises(KeyError):
                index[-12345]
            self.assertNotIn(-12345, index)
            self.assertIsNone(index.get(-12345))
        with self.assertRaises(IndexError):
            refer.data["refs"][len(refer.data["refs"])]
