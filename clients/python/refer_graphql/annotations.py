"""Annotation dicts whose 'segmentation' arrives on first use.

Polygons are most of instances.json (140 MB for refcoco): shipping and parsing them
would make `refer.Anns` take seconds. So the bulk transfer leaves them out, and the
first read of any annotation's segmentation fetches all of them in one more transfer
(/export/…/segmentations.jsonl) and puts each into its dict, which from then on is a
plain dict. Reads through Python (ann['segmentation'], .get, in, keys, items, ==,
iteration, pickle) see the segmentation; C code that walks a dict's slots directly
(json.dumps) does not until then: call refer.loadSegmentations() first.
"""


class SegmentationLoader:
    def __init__(self, fetch):
        self._fetch = fetch  # () -> segmentations in annotation order
        self._table = None
        self.segmentations = None

    @property
    def loaded(self):
        return self.segmentations is not None

    def attach(self, table):
        self._table = table

    def load(self):
        """Every segmentation, into the annotation dicts built so far and, through the
        parser, into those built later."""
        if self.loaded:
            return
        segmentations = self._fetch()
        if len(segmentations) != len(self._table):
            raise ConnectionError("segmentations.jsonl has %d segmentations for %d annotations" % (len(segmentations), len(self._table)))
        self.segmentations = segmentations
        for ann, seg in zip(self._table.records, segmentations):
            if ann is not None:
                dict.__setitem__(ann, "segmentation", seg)


class Annotation(dict):
    __slots__ = ("_loader",)

    def _full(self):
        if not self._loader.loaded:
            self._loader.load()
        return self

    def __missing__(self, key):
        if key == "segmentation" and not self._loader.loaded:
            self._loader.load()
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key, default=None):
        return dict.get(self._full(), key, default)

    def __contains__(self, key):
        return dict.__contains__(self._full(), key)

    def __iter__(self):
        return dict.__iter__(self._full())

    def __len__(self):
        return dict.__len__(self._full())

    def keys(self):
        return dict.keys(self._full())

    def items(self):
        return dict.items(self._full())

    def values(self):
        return dict.values(self._full())

    def __eq__(self, other):
        return dict.__eq__(self._full(), other)

    def __ne__(self, other):
        return dict.__ne__(self._full(), other)

    __hash__ = None

    def __repr__(self):
        return dict.__repr__(self._full())

    def copy(self):
        return dict(self._full())

    def __reduce__(self):
        return (dict, (dict(self._full()),))


def annotation_parser(types, loader):
    """(first row, lines) -> the Annotation dicts of those annotation lines, sharing loader."""

    def parse(first_row, lines):
        anns = []
        for row, record in enumerate(types.parse_annotations(lines), first_row):
            ann = Annotation(record)
            ann._loader = loader
            if loader.loaded:
                dict.__setitem__(ann, "segmentation", loader.segmentations[row])
            anns.append(ann)
        return anns

    return parse
