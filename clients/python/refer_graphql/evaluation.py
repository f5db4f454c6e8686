"""RefEvaluation(refer, Res): REFER's refEvaluation (caption metrics of generated
expressions), computed by the server's evaluator (POST /evaluate, task=expressions).

As in refEvaluation.py: `eval` maps each metric to its corpus score, `refToEval` maps each
scored ref_id to {'ref_id', metric: score, …} in the order the refs were first given,
`evalRefs` is refToEval's values in that order. An unknown ref_id raises KeyError and an
empty Res ValueError, as REFER's code does.
"""
from urllib.parse import urlencode

#: refEval.eval's keys (METEOR is None: it needs Java, which the server does not run).
METRICS = ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr")
#: refEvaluation scores every ref given, whatever its split; the server's evaluator takes a
#: split only to count how many given refs lie outside it, which the three attributes do
#: not report. Every pair has train.
ANY_SPLIT = "train"
UNKNOWN_REF = "is not a ref of"


def evaluate(refer, task, predictions, split):
    """The server's report for one predictions list on one split of refer's pair."""
    query = urlencode({"dataset": refer.dataset, "splitBy": refer.splitBy, "split": split, "task": task})
    try:
        return refer._transport.post_json("/evaluate?" + query, predictions)
    except ValueError as e:
        if UNKNOWN_REF in str(e):
            raise KeyError(str(e)) from None
        raise


def score(value):
    """A score as the Python scorers give it, a float: JSON writes 0.0 as 0."""
    return None if value is None else float(value)


class RefEvaluation:
    def __init__(self, refer, Res):
        self.refer = refer
        self.Res = Res
        self.evalRefs = []
        self.eval = {}
        self.refToEval = {}

    def evaluate(self):
        report = evaluate(self.refer, "expressions", self.Res, ANY_SPLIT)
        self.eval = {metric: score(report["overall"][metric]) for metric in METRICS}
        self.refToEval = {}
        for sample in report["per_sample"]:
            entry = {"ref_id": sample["ref_id"]}
            entry.update((metric, score(sample[metric])) for metric in METRICS)
            self.refToEval[sample["ref_id"]] = entry
        self.evalRefs = list(self.refToEval.values())
