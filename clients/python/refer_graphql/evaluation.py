"""RefEvaluation(refer, Res): REFER's refEvaluation (caption metrics of generated
expressions), computed by the server's evaluator (POST /evaluate, task=expressions)."""
from urllib.parse import urlencode


class RefEvaluation:
    def __init__(self, refer, Res):
        self.refer = refer
        self.Res = Res
        self.evalRefs = []
        self.eval = {}
        self.refToEval = {}

    def evaluate(self, split=""):
        query = urlencode({"dataset": self.refer.dataset, "splitBy": self.refer.splitBy, "split": split, "task": "expressions"})
        answer = self.refer._transport.post_json("/evaluate?" + query, self.Res)
        self.eval = dict(answer.get("overall", {}))
        self.refToEval = {}
        for sample in answer.get("per_sample", []):
            entry = dict(sample)
            self.refToEval[entry["ref_id"]] = entry
        self.evalRefs = list(self.refToEval.values())
        return self.eval
