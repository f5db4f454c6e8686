"""REFER's indexes (createIndex) from one bulk transfer of data.jsonl, built in one
linear pass (REFER's own build is quadratic). Same keys and values as REFER's: the
record dicts are shared between indexes, as REFER shares them."""
import json
from urllib.parse import quote as url_quote

from .annotations import SegmentationLoader, lazy_annotations

SECTIONS = ("categories", "images", "annotations", "refs")


def read_data(transport, dataset, split_by, types):
    """REFER's `data` dict from /export/<dataset>/<splitBy>/data.jsonl; annotations come
    without their segmentation, which the first read of one fetches (annotations.py)."""
    base = "/export/%s/%s" % (quote(dataset), quote(split_by))
    path = base + "/data.jsonl?segmentation=omit"
    lines = transport.lines(path)
    if not lines:
        raise ConnectionError("%s%s answered nothing" % (transport.url, path))
    header = json.loads(lines[0])
    data = {"dataset": dataset}
    at = 1
    for _ in SECTIONS:
        section = json.loads(lines[at])
        kind, count = section["section"], section["count"]
        records = lines[at + 1 : at + 1 + count]
        if len(records) != count or kind not in SECTIONS:
            raise ConnectionError("%s%s: section %r announced %d records, got %d (transfer cut short?)" % (transport.url, path, kind, count, len(records)))
        data[kind] = types.parse_annotations(records) if kind == "annotations" else json.loads(b"[" + b",".join(records) + b"]")
        at += 1 + count
    if header.get("sections", {}).get("refs") != len(data["refs"]):
        raise ConnectionError("%s%s: the header and the refs section disagree" % (transport.url, path))
    loader = SegmentationLoader(lambda: types.parse_segmentations(transport.lines(base + "/segmentations.jsonl")))
    data["annotations"] = lazy_annotations(data["annotations"], loader)
    return data


def build_indexes(data):
    anns, imgs, cats, img_to_anns = {}, {}, {}, {}
    for ann in data["annotations"]:
        anns[ann["id"]] = ann
        img_to_anns.setdefault(ann["image_id"], []).append(ann)
    for img in data["images"]:
        imgs[img["id"]] = img
    for cat in data["categories"]:
        cats[cat["id"]] = cat["name"]
    refs, img_to_refs, ref_to_ann, ann_to_ref, cat_to_refs = {}, {}, {}, {}, {}
    sents, sent_to_ref, sent_to_tokens = {}, {}, {}
    for ref in data["refs"]:
        ref_id, ann_id = ref["ref_id"], ref["ann_id"]
        refs[ref_id] = ref
        img_to_refs.setdefault(ref["image_id"], []).append(ref)
        cat_to_refs.setdefault(ref["category_id"], []).append(ref)
        ref_to_ann[ref_id] = anns[ann_id]
        ann_to_ref[ann_id] = ref
        for sent in ref["sentences"]:
            sents[sent["sent_id"]] = sent
            sent_to_ref[sent["sent_id"]] = ref
            sent_to_tokens[sent["sent_id"]] = sent["tokens"]
    return {
        "Refs": refs, "Anns": anns, "Imgs": imgs, "Cats": cats, "Sents": sents,
        "imgToRefs": img_to_refs, "imgToAnns": img_to_anns, "refToAnn": ref_to_ann,
        "annToRef": ann_to_ref, "catToRefs": cat_to_refs, "sentToRef": sent_to_ref,
        "sentToTokens": sent_to_tokens,
    }


def quote(segment):
    return url_quote(segment, safe="")
