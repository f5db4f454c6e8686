"""RefEvaluation, evaluate_boxes and evaluate_masks against the scores the published
Python code gave the golden prediction files (test/fixtures/golden/eval): every task, on
every pair, plus the duplicate, unknown and missing edge files, and the errors REFER
raises (captions_badid: KeyError, captions_nopreds: ValueError)."""
import json
import math
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from refer_graphql import REFER, RefEvaluation  # noqa: E402

from golden import GOLDEN, URL, needs_server  # noqa: E402

EVAL = os.path.join(GOLDEN, "eval")
PAIRS = (("refcoco", "unc"), ("refcoco", "google"), ("refcoco+", "unc"), ("refcocog", "google"), ("refcocog", "umd"), ("refclef", "unc"), ("refclef", "berkeley"))
TASKS = ("boxes_by_sent", "boxes_by_ref", "masks", "captions")
EDGES = ("boxes_by_sent_dup", "boxes_by_ref_unknown", "boxes_by_sent_missing", "boxes_by_sent_degenerate", "masks_dup", "masks_unknown", "masks_missing", "captions_dup", "captions_unknown", "captions_missing", "captions_single")
METRICS = ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr")


def golden_file(dataset, split_by, split, kind):
    name = "%s_%s_%s_%s.json" % (dataset, split_by, split, kind)
    with open(os.path.join(EVAL, "predictions", name), encoding="utf-8") as f:
        predictions = json.load(f)
    with open(os.path.join(EVAL, "answers", name), encoding="utf-8") as f:
        return predictions, json.load(f)


def cases():
    """(dataset, splitBy, split, kind): each main task on val and on test (where the pair
    has one), and each edge kind on val."""
    out = []
    for dataset, split_by in PAIRS:
        for split in ("val", "test"):
            if os.path.exists(os.path.join(EVAL, "answers", "%s_%s_%s_masks.json" % (dataset, split_by, split))):
                out.extend((dataset, split_by, split, kind) for kind in TASKS)
        out.extend((dataset, split_by, "val", kind) for kind in EDGES)
    return out


@needs_server
class GoldenEvaluation(unittest.TestCase):
    maxDiff = 4000

    def test_every_case(self):
        refers = {}
        for dataset, split_by, split, kind in cases():
            with self.subTest("%s/%s %s %s" % (dataset, split_by, split, kind)):
                refer = refers.get((dataset, split_by)) or refers.setdefault((dataset, split_by), REFER(URL, dataset, split_by))
                predictions, answer = golden_file(dataset, split_by, split, kind)
                if kind.startswith("captions"):
                    self.check_captions(refer, predictions, answer)
                elif kind.startswith("boxes"):
                    self.check_boxes(refer.evaluate_boxes(predictions, split), answer)
                else:
                    self.check_masks(refer.evaluate_masks(predictions, split), answer)

    def check_captions(self, refer, predictions, answer):
        evaluation = RefEvaluation(refer, predictions)
        self.assertIsNone(evaluation.evaluate(), "refEvaluation.evaluate() returns nothing")
        self.assert_scores(evaluation.eval, {m: answer["overall"][m] for m in METRICS}, "eval")
        want = [dict({"ref_id": s["ref_id"]}, **{m: s[m] for m in METRICS}) for s in answer["per_sample"]]
        self.assertEqual(list(evaluation.refToEval), [s["ref_id"] for s in want], "refToEval keeps the order refs were first given")
        self.assertEqual(len(evaluation.evalRefs), len(want))
        for got, expected in zip(evaluation.evalRefs, want):
            self.assertIs(evaluation.refToEval[expected["ref_id"]], got, "evalRefs holds refToEval's dicts")
            self.assert_scores(got, expected, "refToEval[%d]" % expected["ref_id"])

    def assert_scores(self, got, want, where):
        self.assertEqual(list(got), list(want), "%s: keys" % where)
        for key, value in want.items():
            if value is None or isinstance(value, int):
                self.assertEqual(got[key], value, "%s[%r]" % (where, key))
            else:
                self.assertIs(type(got[key]), float, "%s[%r]" % (where, key))
                self.assertTrue(math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-300), "%s[%r]: %r, Python's %r" % (where, key, got[key], value))

    def check_boxes(self, report, answer):
        for key in ("given", "all", "given_continuous", "all_continuous", "published_errors", "accuracy", "entry_loop"):
            self.assertEqual(report["overall"][key], answer["overall"][key], key)
        self.check_counts(report, answer)

    def check_masks(self, report, answer):
        for block in ("given", "all"):
            for key, value in answer["overall"][block].items():
                self.assertEqual(report["overall"][block][key], value, "%s.%s" % (block, key))
        self.check_counts(report, answer)

    def check_counts(self, report, answer):
        for key in ("universe", "entries", "evaluated", "missing", "duplicates", "unknown"):
            self.assertEqual(report["counts"][key], answer["counts"][key], "counts.%s" % key)

    def test_unknown_ref_raises_key_error_as_refevaluation(self):
        for dataset, split_by in PAIRS:
            predictions, answer = golden_file(dataset, split_by, "val", "captions_badid")
            self.assertEqual(answer["error"]["type"], "KeyError")
            with self.assertRaises(KeyError) as caught:
                RefEvaluation(REFER(URL, dataset, split_by), predictions).evaluate()
            self.assertIn(answer["error"]["message"], str(caught.exception), "names the unknown ref_id")

    def test_no_predictions_raise_value_error_as_refevaluation(self):
        for dataset, split_by in PAIRS:
            predictions, answer = golden_file(dataset, split_by, "val", "captions_nopreds")
            self.assertEqual((predictions, answer["error"]["type"]), ([], "ValueError"))
            with self.assertRaises(ValueError):
                RefEvaluation(REFER(URL, dataset, split_by), predictions).evaluate()

    def test_an_unknown_split_raises_value_error_naming_the_valid_ones(self):
        refer = REFER(URL, "refcoco", "unc")
        with self.assertRaises(ValueError) as caught:
            refer.evaluate_boxes([{"ref_id": 1, "box": [0, 0, 1, 1]}], "nosuch")
        self.assertIn("valid splits", str(caught.exception))
