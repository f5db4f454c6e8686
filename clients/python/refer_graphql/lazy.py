"""Records and indexes built on first read, so that REFER(url, …).Refs costs one transfer
and a few dicts of ids, not 450k parsed records (full-scale refcoco).

A Table holds one section's JSON lines and parses a line into its dict the first time
that record is read (with its block of neighbours), then keeps the dict (every index hands out that same dict, as
REFER's indexes share theirs). A LazyIndex is a read-only Mapping with REFER's keys in
REFER's order, from the transfer's key columns; its values come from the Table.
"""
from collections.abc import Mapping, Sequence


#: Records parsed together on the first read of one: one json.loads of a block costs
#: about what one of a single record does, so walking a table costs what one bulk parse
#: would, while a single read stays well under a millisecond.
BLOCK = 256


class Table:
    def __init__(self, lines, parse_block):
        self._lines = lines
        self._parse_block = parse_block  # (first row, lines) -> their records
        self.records = [None] * len(lines)

    def __len__(self):
        return len(self.records)

    def record(self, row):
        record = self.records[row]
        if record is None:
            start = row - row % BLOCK
            end = min(start + BLOCK, len(self.records))
            self.records[start:end] = self._parse_block(start, self._lines[start:end])
            self._lines[start:end] = [None] * (end - start)  # parsed once: the bytes are not needed again
            record = self.records[row]
        return record


class LazyIndex(Mapping):
    """keys(): () -> {key: where}, computed on first use; value(where) -> the value.
    keep=True keeps each built value, for values that are new objects (lists)."""

    def __init__(self, keys, value, keep=False):
        self._keys_of = keys
        self._where = None
        self._value = value
        self._kept = {} if keep else None

    def _keys(self):
        if self._where is None:
            self._where = self._keys_of()
        return self._where

    def __getitem__(self, key):
        kept = self._kept
        if kept is not None and key in kept:
            return kept[key]
        value = self._value(self._keys()[key])
        if kept is not None:
            kept[key] = value
        return value

    def __contains__(self, key):
        return key in self._keys()

    def __iter__(self):
        return iter(self._keys())

    def __len__(self):
        return len(self._keys())

    def __repr__(self):
        return "{%s}" % ", ".join("%r: %r" % item for item in self.items())


class LazyList(Sequence):
    """A Table's records as REFER's data[...] list holds them, in file order."""

    def __init__(self, table):
        self._table = table

    def __len__(self):
        return len(self._table)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._table.record(r) for r in range(*index.indices(len(self._table)))]
        n = len(self._table)
        if not -n <= index < n:
            raise IndexError("list index out of range")
        return self._table.record(index % n)

    def __eq__(self, other):
        return isinstance(other, (list, LazyList)) and list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        return repr(list(self))


def rows_by_key(keys):
    """{key: row}, the last row of a repeated key in the first one's place (as a dict
    built in a loop, like REFER's)."""
    return dict(zip(keys, range(len(keys))))


def grouped_rows(keys):
    """{key: [rows with that key]}, keys in order of first appearance."""
    groups = {}
    for row, key in enumerate(keys):
        rows = groups.get(key)
        if rows is None:
            groups[key] = [row]
        else:
            rows.append(row)
    return groups
