"""REFER's dicts from the server's records: the files' snake_case keys and number types.

JSON does not keep Python's int/float distinction (the server writes 120.0 as 120), so
the types come from the files' known shapes: COCO's instances.json (refcoco, refcoco+,
refcocog) stores bbox, area and polygon coordinates as floats; RefClef's stores them as
ints and its annotation ids as strings. Everything else (ids, sizes) is an int.
"""
import json

REF_FIELDS = "refId annId imageId categoryId split sentIds fileName sentences { sentId raw sent tokens }"
IMAGE_FIELDS = "imageId fileName height width cocoUrl flickrUrl license dateCaptured"
ANNOTATION_FIELDS = (
    "annId imageId categoryId bbox area iscrowd maskName "
    "segmentation { __typename ... on PolygonSegmentation { polygons } "
    "... on RleSegmentation { single parts { counts uncompressedCounts size } } }"
)


class NumberTypes:
    """Which numbers are floats in one dataset's files."""

    def __init__(self, dataset):
        self.string_ann_ids = dataset == "refclef"
        self.coco_floats = dataset != "refclef"

    def ann_id(self, value):
        return str(value) if self.string_ann_ids else int(value)

    def box(self, values):
        return [float(v) for v in values] if self.coco_floats else list(values)

    def area(self, value):
        return float(value) if self.coco_floats else value

    def segmentation(self, seg):
        if isinstance(seg, dict):
            return rle_dict(seg)
        if seg and isinstance(seg[0], dict):
            return [rle_dict(part) for part in seg]
        return [self.box(polygon) for polygon in seg]

    def parse_annotations(self, lines):
        """Annotation lines, parsed in one call. COCO's: ints read as floats (nearly every
        number is a coordinate), then the few int fields put back."""
        text = b"[" + b",".join(lines) + b"]"
        if not self.coco_floats:
            return json.loads(text)
        anns = json.loads(text, parse_int=float)
        for ann in anns:
            ann["id"] = int(ann["id"])
            ann["image_id"] = int(ann["image_id"])
            ann["category_id"] = int(ann["category_id"])
            if "iscrowd" in ann:
                ann["iscrowd"] = int(ann["iscrowd"])
            seg = ann.get("segmentation")
            if isinstance(seg, dict) or seg and isinstance(seg[0], dict):
                ann["segmentation"] = self.segmentation(seg)
        return anns

    def parse_segmentations(self, lines):
        """Segmentation lines (segmentations.jsonl), parsed in one call."""
        if not lines:
            return []
        text = b"[" + b",".join(lines) + b"]"
        if not self.coco_floats:
            return json.loads(text)
        return [self.segmentation(seg) if isinstance(seg, dict) or seg and isinstance(seg[0], dict) else seg for seg in json.loads(text, parse_int=float)]

    # ---- GraphQL records -> REFER dicts ----------------------------------------------

    def ref(self, r):
        ref = {
            "ref_id": r["refId"],
            "ann_id": self.ann_id(r["annId"]),
            "image_id": r["imageId"],
            "category_id": r["categoryId"],
            "split": r["split"],
            "sent_ids": list(r["sentIds"]),
            "sentences": [{"sent_id": s["sentId"], "raw": s["raw"], "sent": s["sent"], "tokens": list(s["tokens"])} for s in r["sentences"]],
        }
        if r.get("fileName") is not None:
            ref["file_name"] = r["fileName"]
        return ref

    def image(self, i):
        image = {"id": i["imageId"], "file_name": i["fileName"], "height": i["height"], "width": i["width"]}
        for key, field in (("coco_url", "cocoUrl"), ("flickr_url", "flickrUrl"), ("license", "license"), ("date_captured", "dateCaptured")):
            if i.get(field) is not None:
                image[key] = i[field]
        return image

    def graphql_annotation(self, a):
        seg = a["segmentation"]
        if seg["__typename"] == "PolygonSegmentation":
            segmentation = [self.box(p) for p in seg["polygons"]]
        else:
            parts = [{"counts": p["counts"] if p["counts"] is not None else [int(c) for c in p["uncompressedCounts"]], "size": list(p["size"])} for p in seg["parts"]]
            segmentation = parts[0] if seg["single"] else parts
        ann = {
            "id": self.ann_id(a["annId"]),
            "image_id": a["imageId"],
            "category_id": a["categoryId"],
            "bbox": self.box(a["bbox"]),
            "area": self.area(a["area"]),
            "segmentation": segmentation,
        }
        if a.get("iscrowd") is not None:
            ann["iscrowd"] = a["iscrowd"]
        if a.get("maskName") is not None:
            ann["mask_name"] = a["maskName"]
        return ann


def rle_dict(rle):
    counts = rle["counts"]
    return {"counts": counts if isinstance(counts, str) else [int(c) for c in counts], "size": [int(n) for n in rle["size"]]}
