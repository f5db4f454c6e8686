"""REFER(url, dataset, splitBy): refer.py's class, answered by a refer-graphql server.

Query methods (getRefIds, loadRefs, getMask, …) ask the server, so split semantics and
REFER's bug fixes live in one place. The indexes (Refs, Anns, imgToRefs, …) are built on
first access from one bulk transfer and then kept, as REFER keeps them.
"""
from . import evaluation, masks, show
from .indexes import build_indexes, read_transfer
from .records import ANNOTATION_FIELDS, IMAGE_FIELDS, REF_FIELDS, NumberTypes
from .transport import Transport, default_url

#: ids per GraphQL request of the load* methods: keeps each request inside the server's cost limit.
LOAD_CHUNK = 100



def as_list(value):
    """REFER takes a single id where it takes a list."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


class REFER:
    def __init__(self, url=None, dataset="refcoco", splitBy="unc"):
        self.url = (url or default_url()).rstrip("/")
        self.dataset = dataset
        self.splitBy = splitBy
        self._transport = Transport(self.url)
        self._types = NumberTypes(dataset)
        self._transfer = None
        self._indexes = None
        # Checks the server, its version and the pair at once: one small request.
        self._dataset_query("name splitBy")

    def __repr__(self):
        return "REFER(%r, dataset=%r, splitBy=%r)" % (self.url, self.dataset, self.splitBy)

    def _dataset_query(self, selection, variables=None, declarations=""):
        query = "query(%s) { dataset(name: $name, splitBy: $splitBy) { %s } }" % (
            ", ".join(["$name: String!", "$splitBy: String!"] + ([declarations] if declarations else [])),
            selection,
        )
        answer = self._transport.graphql(query, dict(variables or {}, name=self.dataset, splitBy=self.splitBy))
        if answer.get("dataset") is None:
            raise ValueError("no dataset %s/%s on %s" % (self.dataset, self.splitBy, self.url))
        return answer["dataset"]

    # ---- the indexes, on first access ---------------------------------------------

    def _transferred(self):
        if self._transfer is None:
            self._transfer = read_transfer(self._transport, self.dataset, self.splitBy, self._types)
        return self._transfer

    @property
    def data(self):
        """REFER's data dict; its images, annotations and refs are read-only sequences
        whose records are parsed on first read."""
        return self._transferred()[0]

    def loadSegmentations(self):
        """Fetches every annotation's segmentation now (it otherwise comes on first read):
        needed before json.dumps of Anns, which bypasses the lazy read."""
        for ann in self.data["annotations"][:1]:
            ann.get("segmentation")

    def _index(self, name):
        if self._indexes is None:
            self._indexes = build_indexes(*self._transferred())
        return self._indexes[name]

    Refs = property(lambda self: self._index("Refs"))
    Anns = property(lambda self: self._index("Anns"))
    Imgs = property(lambda self: self._index("Imgs"))
    Cats = property(lambda self: self._index("Cats"))
    Sents = property(lambda self: self._index("Sents"))
    imgToRefs = property(lambda self: self._index("imgToRefs"))
    imgToAnns = property(lambda self: self._index("imgToAnns"))
    refToAnn = property(lambda self: self._index("refToAnn"))
    annToRef = property(lambda self: self._index("annToRef"))
    catToRefs = property(lambda self: self._index("catToRefs"))
    sentToRef = property(lambda self: self._index("sentToRef"))
    sentToTokens = property(lambda self: self._index("sentToTokens"))

    # ---- REFER's queries ----------------------------------------------------------

    def getRefIds(self, image_ids=[], cat_ids=[], ref_ids=[], split=""):
        variables = {"imageIds": as_list(image_ids), "catIds": as_list(cat_ids), "refIds": as_list(ref_ids), "split": split or None}
        return self._dataset_query(
            "refIds(imageIds: $imageIds, catIds: $catIds, refIds: $refIds, split: $split)",
            variables, "$imageIds: [Int!], $catIds: [Int!], $refIds: [Int!], $split: String",
        )["refIds"]

    def getAnnIds(self, image_ids=[], cat_ids=[], ref_ids=[]):
        variables = {"imageIds": as_list(image_ids), "catIds": as_list(cat_ids), "refIds": as_list(ref_ids)}
        ids = self._dataset_query(
            "annIds(imageIds: $imageIds, catIds: $catIds, refIds: $refIds)",
            variables, "$imageIds: [Int!], $catIds: [Int!], $refIds: [Int!]",
        )["annIds"]
        return [self._types.ann_id(i) for i in ids]

    def getImgIds(self, ref_ids=[]):
        return self._dataset_query("imageIds(refIds: $refIds)", {"refIds": as_list(ref_ids)}, "$refIds: [Int!]")["imageIds"]

    def getCatIds(self):
        return self._dataset_query("categoryIds")["categoryIds"]

    def _load(self, field, argument, gql_type, selection, ids):
        out = []
        for start in range(0, len(ids), LOAD_CHUNK):
            chunk = ids[start : start + LOAD_CHUNK]
            out.extend(self._dataset_query("%s(%s: $ids) { %s }" % (field, argument, selection), {"ids": chunk}, "$ids: [%s!]!" % gql_type)[field])
        return out

    def loadRefs(self, ref_ids=[]):
        return [self._types.ref(r) for r in self._load("loadRefs", "refIds", "Int", REF_FIELDS, as_list(ref_ids))]

    def loadAnns(self, ann_ids=[]):
        ids = [str(i) for i in as_list(ann_ids)]
        return [self._types.graphql_annotation(a) for a in self._load("loadAnns", "annIds", "ID", ANNOTATION_FIELDS, ids)]

    def loadImgs(self, image_ids=[]):
        return [self._types.image(i) for i in self._load("loadImages", "imageIds", "Int", IMAGE_FIELDS, as_list(image_ids))]

    def loadCats(self, cat_ids=[]):
        """Category names, as REFER's Cats holds them (a tuple works too: REFER returned None)."""
        return [c["name"] for c in self._load("loadCategories", "categoryIds", "Int", "name", as_list(cat_ids))]

    def getRefBox(self, ref_id):
        return self._types.box(self._dataset_query("refBox(refId: $refId)", {"refId": ref_id}, "$refId: Int!")["refBox"])

    # ---- masks and pictures -------------------------------------------------------

    def getMask(self, ref):
        """{'mask': uint8 (h, w) array, 'area': int}: the union of the ref's parts (REFER
        summed them, so its mask is 2+ where parts overlap). Without numpy, 'mask' is a
        list of h rows, each a list of w ints 0/1."""
        ann = self._dataset_query(
            "annotation(annId: $annId) { mask { height width area bitmap(format: ROW_MAJOR_UINT8) } }",
            {"annId": str(ref["ann_id"])}, "$annId: ID!",
        )["annotation"]
        return masks.from_bitmap(ann["mask"])

    def showRef(self, ref, seg_box="seg", save_to=None):
        return show.show_ref(self, ref, seg_box, save_to)

    def showMask(self, ref, save_to=None):
        return show.show_mask(self, ref, save_to)

    # ---- evaluation (the server's evaluator) --------------------------------------

    def evaluate_boxes(self, preds, split):
        """The server's box report (README "Evaluation") for preds [{'sent_id' or 'ref_id', 'box': [x, y, w, h]}] on split."""
        return evaluation.evaluate(self, "boxes", preds, split)

    def evaluate_masks(self, preds, split):
        """The server's mask report for preds [{'sent_id', 'segmentation': {'size': [h, w], 'counts': COCO RLE}}] on split."""
        return evaluation.evaluate(self, "masks", preds, split)
