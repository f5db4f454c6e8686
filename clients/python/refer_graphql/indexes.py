"""REFER's `data` and indexes (createIndex) from one bulk transfer of data.jsonl.

The transfer's section lines carry each kind's ids and relations as parallel arrays, so
every index knows its keys, in REFER's order, without parsing a record; records are
parsed on first read (lazy.py) and shared between indexes, as REFER shares them.
"""
import json
from urllib.parse import quote as url_quote

from .annotations import SegmentationLoader, annotation_parser
from .lazy import LazyIndex, LazyList, Table, grouped_rows, rows_by_key

SECTIONS = ("categories", "images", "annotations", "refs")
KEYS = {
    "images": ("id",),
    "annotations": ("id", "image_row"),
    "refs": ("ref_id", "ann_row", "image_row", "category_id", "sent_start", "sent_id"),
}


def read_transfer(transport, dataset, split_by, types):
    """(data, keys): REFER's `data` dict from /export/<dataset>/<splitBy>/data.jsonl, its
    lists lazy, and each section's key columns. Annotations come without their
    segmentation, which the first read of one fetches (annotations.py)."""
    base = "/export/%s/%s" % (quote(dataset), quote(split_by))
    path = base + "/data.jsonl?segmentation=omit"
    where = transport.url + path
    lines = transport.lines(path)
    if not lines:
        raise ConnectionError("%s answered nothing" % where)
    header = json.loads(lines[0])
    sections, keys = {}, {}
    at = 1
    for _ in SECTIONS:
        if at >= len(lines):
            raise ConnectionError("%s: the transfer ends before section %d (cut short?)" % (where, len(sections) + 1))
        section = json.loads(lines[at])
        kind, count = section.get("section"), section.get("count")
        records = lines[at + 1 : at + 1 + count] if isinstance(count, int) else []
        if kind not in SECTIONS or len(records) != count:
            raise ConnectionError("%s: section %r announced %r records, got %d (transfer cut short?)" % (where, kind, count, len(records)))
        keys[kind] = section_keys(where, kind, count, section.get("keys"))
        sections[kind] = records
        at += 1 + count
    if header.get("sections", {}).get("refs") != len(sections["refs"]):
        raise ConnectionError("%s: the header and the refs section disagree" % where)
    loader = SegmentationLoader(lambda: types.parse_segmentations(transport.lines(base + "/segmentations.jsonl")))
    annotations = Table(sections["annotations"], annotation_parser(types, loader))
    loader.attach(annotations)
    tables = {
        "images": Table(sections["images"], json_lines),
        "annotations": annotations,
        "refs": Table(sections["refs"], json_lines),
    }
    data = {"dataset": dataset, "categories": json_lines(0, sections["categories"])}
    data.update((kind, LazyList(table)) for kind, table in tables.items())
    return data, tables, keys


def json_lines(first_row, lines):
    return json.loads(b"[" + b",".join(lines) + b"]")


def section_keys(where, kind, count, keys):
    if kind not in KEYS:
        return None
    if not isinstance(keys, dict) or any(not isinstance(keys.get(k), list) for k in KEYS[kind]):
        raise ConnectionError("%s: section %r has no key columns %s: is the server a compatible refer-graphql version?" % (where, kind, ", ".join(KEYS[kind])))
    for name in KEYS[kind]:
        want = count + 1 if name == "sent_start" else keys["sent_start"][-1] if name == "sent_id" else count
        if len(keys[name]) != want:
            raise ConnectionError("%s: section %r: key column %s has %d entries, expected %d" % (where, kind, name, len(keys[name]), want))
    return keys


def build_indexes(data, tables, keys):
    """REFER's twelve indexes over the tables, each keyed and ordered as createIndex's."""
    refs, anns, imgs = tables["refs"], tables["annotations"], tables["images"]
    ref_keys, ann_keys = keys["refs"], keys["annotations"]
    ref_ids, ann_ids, image_ids = ref_keys["ref_id"], ann_keys["id"], keys["images"]["id"]
    sent_start, sent_ids = ref_keys["sent_start"], ref_keys["sent_id"]

    def ref_image_ids():
        return [image_ids[row] for row in ref_keys["image_row"]]

    def ref_ann_ids():
        return [ann_ids[row] for row in ref_keys["ann_row"]]

    def sentence_places():
        """{sent_id: (ref row, position in its sentences)}, the last of a repeated id kept."""
        places = {}
        for ref_row in range(len(ref_ids)):
            for position, sent in enumerate(range(sent_start[ref_row], sent_start[ref_row + 1])):
                places[sent_ids[sent]] = (ref_row, position)
        return places

    def sentence(place):
        return refs.record(place[0])["sentences"][place[1]]

    def ref_list(rows):
        return [refs.record(r) for r in rows]

    return {
        "Refs": LazyIndex(lambda: rows_by_key(ref_ids), refs.record),
        "Anns": LazyIndex(lambda: rows_by_key(ann_ids), anns.record),
        "Imgs": LazyIndex(lambda: rows_by_key(image_ids), imgs.record),
        "Cats": {cat["id"]: cat["name"] for cat in data["categories"]},
        "Sents": LazyIndex(sentence_places, sentence),
        "imgToRefs": LazyIndex(lambda: grouped_rows(ref_image_ids()), ref_list, keep=True),
        "imgToAnns": LazyIndex(lambda: grouped_rows([image_ids[row] for row in ann_keys["image_row"]]), lambda rows: [anns.record(r) for r in rows], keep=True),
        "refToAnn": LazyIndex(lambda: dict(zip(ref_ids, ref_keys["ann_row"])), anns.record),
        "annToRef": LazyIndex(lambda: rows_by_key(ref_ann_ids()), refs.record),
        "catToRefs": LazyIndex(lambda: grouped_rows(ref_keys["category_id"]), ref_list, keep=True),
        "sentToRef": LazyIndex(lambda: {sid: place[0] for sid, place in sentence_places().items()}, refs.record),
        "sentToTokens": LazyIndex(sentence_places, lambda place: sentence(place)["tokens"]),
    }


def quote(segment):
    return url_quote(segment, safe="")
