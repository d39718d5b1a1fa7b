"""A sheet's rows held as typed columns: how the reader child hands a large sheet back (a few
byte buffers, not a pickle of every cell), and how the pipeline's column-wise steps read it.

Pickling a 100,000-row sheet as lists of cells cost more than parsing it: 1.2 million Python
objects written by the child and built again by the server. A column whose cells share one type
travels as one buffer instead (numbers and dates; text as its list), the server wraps it as an
Arrow array without copying, and the steps that look at every cell (blank rows, where the table
ends, stray cells, coercion) ask each *distinct* value once and spread the answer by code.

To everything else the rows are still a sequence of lists, built on access and exactly as the
reader gave them: a column is encoded only when decoding gives back the same values (one type,
with '' for an empty cell), else it travels as its list. The first rows (titles, the header row,
whose types mix) are kept as read.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Sequence
from typing import Any, Callable

TOP = 24  # rows kept as lists: find_header_row looks for the header among the first 20
_BULK = 256  # single-row reads before the columns are turned into lists once, for the rest
_EPOCH = dt.date(1970, 1, 1).toordinal()


def column_rows(rows: list[list[Any]]) -> Sequence | list[list[Any]]:
    """`rows` as ColumnRows when it is a rectangle longer than its top block, else as it is."""
    if len(rows) <= TOP + 1:
        return rows
    width = len(rows[0])
    if width == 0 or any(len(r) != width for r in rows):
        return rows
    body = rows[TOP:]
    return ColumnRows(rows[:TOP], {j: _encode(col) for j, col in enumerate(zip(*body))}, len(body), width)


def _encode(col: tuple) -> tuple:
    """A column as it travels: ('f', float64 bytes, valid bytes | None) for numbers, ('d', int32 days
    since 1970, valid) for dates, ('s', texts) for text, ('l', cells) for anything else or a mix.
    An empty cell ('') of a number or date column is marked not valid and decodes to ''. Built
    without numpy or pyarrow, whose import would cost the reader child more than the pickle it saves."""
    kinds = set(map(type, col))
    if kinds == {str}:
        return ("s", list(col))
    others = kinds - {str}
    kind = next(iter(others)) if len(others) == 1 else None
    if kind not in (float, dt.date):
        return ("l", list(col))
    valid = None
    if str in kinds:
        if any(v.__class__ is str and v != "" for v in col):
            return ("l", list(col))
        valid = bytes(v.__class__ is not str for v in col)
        col = [0.0 if v.__class__ is str else v for v in col] if kind is float else \
            [0 if v.__class__ is str else v for v in col]  # placeholders under the not-valid marks
    if kind is float:
        return ("f", array("d", col).tobytes(), valid)
    return ("d", array("i", [v if v.__class__ is int else v.toordinal() - _EPOCH for v in col]).tobytes(), valid)


def _arrow(form: tuple):
    """The pyarrow array of an encoded column (zero-copy over the bytes for numbers)."""
    import numpy as np
    import pyarrow as pa

    tag = form[0]
    if tag == "s":
        return pa.array(form[1], pa.string())
    values = np.frombuffer(form[1], dtype=np.float64 if tag == "f" else np.int32)
    mask = None if form[2] is None else ~np.frombuffer(form[2], dtype=bool)
    return pa.array(values, pa.float64() if tag == "f" else pa.date32(), mask=mask)


def _decode(values: list) -> list:
    return ["" if v is None else v for v in values]


class ColumnRows(Sequence):
    """Rows [0, TOP) as lists, the rest as columns; `n` body rows, every row `width` cells, as
    calamine reads a sheet's rectangle. A column is a list (text, a mix) or, once asked for in the
    server, an Arrow array made from its encoded form (`_encode`)."""

    def __init__(self, top: list[list[Any]], forms: dict[int, tuple] | None, n: int, width: int,
                 cols: dict[int, Any] | None = None, arrays: dict[int, Any] | None = None):
        self.top, self.forms, self.n, self.width = top, forms, n, width
        self.cols = cols if cols is not None else {j: f[1] for j, f in forms.items() if f[0] in ("l", "s")}
        self.arrays = arrays if arrays is not None else {}
        self._reads = 0

    def _array(self, j: int):
        """Column j's body as a pyarrow array, None for a column of mixed cells (a list)."""
        if j not in self.arrays:
            form = self.forms[j] if self.forms is not None else ("l",)
            self.arrays[j] = None if form[0] == "l" else _arrow(form)
        return self.arrays[j]

    def _column(self, j: int):
        """Column j's body: a list, or a pyarrow array."""
        return self.cols[j] if j in self.cols else self._array(j)

    # --- a sequence of lists, as the reader gave it ---
    def __len__(self) -> int:
        return len(self.top) + self.n

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._slice(start, max(start, stop))
        i = key + len(self) if key < 0 else key
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        if i < len(self.top):
            return self.top[i]
        i -= len(self.top)
        self._reads += 1
        if self._reads == _BULK:
            self._to_lists()
        return [c[i] if isinstance(c, list) else _cell(c, i) for c in map(self._column, range(self.width))]

    def __iter__(self):
        yield from self.top
        for a in range(0, self.n, 4096):
            yield from self._body(a, min(self.n, a + 4096))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"ColumnRows({len(self)} rows x {self.width})"

    def _slice(self, start: int, stop: int) -> Sequence:
        t = len(self.top)
        if stop <= t:
            return self.top[start:stop]
        a, b = max(0, start - t), stop - t
        for j in range(self.width if self.forms is not None else 0):
            self._array(j)  # a view keeps the arrays, so its columns are asked column-wise too
        cols = {j: c[a:b] if isinstance(c, list) else c.slice(a, b - a) for j, c in
                ((j, self._column(j)) for j in range(self.width))}
        arrays = {j: c.slice(a, b - a) for j, c in self.arrays.items() if c is not None}
        return ColumnRows(self.top[start:t] if start < t else [], None, b - a, self.width, cols, arrays)

    def _body(self, a: int, b: int) -> list[list[Any]]:
        cols = [c[a:b] if isinstance(c, list) else _decode(c.slice(a, b - a).to_pylist())
                for c in map(self._column, range(self.width))]
        return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(b - a)]

    def _to_lists(self) -> None:
        """Many single rows asked for (a register read row by row): one conversion, then list reads."""
        self.cols = {j: c if isinstance(c, list) else _decode(c.to_pylist())
                     for j, c in ((j, self._column(j)) for j in range(self.width))}

    # --- the column-wise view ---
    def distinct(self, j: int, start: int):
        """Column j from row `start` on as (codes, distinct values): each value (by type and value)
        once, so a question about it is asked once. A column past the rectangle holds None."""
        import numpy as np

        t = len(self.top)
        count = max(0, len(self) - start)
        if j >= self.width:
            return np.zeros(count, dtype=np.int64), [None]
        top = [r[j] for r in self.top[start:t]] if start < t else []
        a = max(0, start - t)
        uniques: list[Any] = []
        where: dict[tuple[type, Any], int] = {}

        def code(v: Any) -> int:
            k = (v.__class__, v)
            c = where.get(k)
            if c is None:
                c = where[k] = len(uniques)
                uniques.append(v)
            return c

        head = np.fromiter((code(v) for v in top), dtype=np.int64, count=len(top))
        column = self._array(j) if self.forms is not None or j in self.arrays else None
        if column is None:
            column = self._column(j)
        if isinstance(column, list):
            values = column[a:]
            tail = np.fromiter((code(v) for v in values), dtype=np.int64, count=len(values))
        else:
            encoded = column.slice(a).dictionary_encode(null_encoding="encode")
            dictionary = _decode(encoded.dictionary.to_pylist())
            remap = np.fromiter((code(v) for v in dictionary), dtype=np.int64, count=len(dictionary))
            indices = encoded.indices.to_numpy(zero_copy_only=False)
            tail = remap[indices] if len(remap) else np.zeros(0, dtype=np.int64)
        return np.concatenate([head, tail]), uniques

    def mask(self, test: Callable[[Any], bool], start: int, columns: range):
        """(rows from `start`) x `columns`: `test` of each cell, asked once per distinct value."""
        import numpy as np

        out = np.zeros((max(0, len(self) - start), len(columns)), dtype=bool)
        for k, j in enumerate(columns):
            codes, uniques = self.distinct(j, start)
            out[:, k] = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))[codes]
        return out

    # --- pickling: the encoded columns (bytes), not a pickle per cell ---
    def __getstate__(self) -> dict:
        forms = self.forms if self.forms is not None else \
            {j: ("l", c if isinstance(c, list) else _decode(c.to_pylist())) for j, c in self.cols.items()}
        return {"top": self.top, "forms": forms, "n": self.n, "width": self.width}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["top"], state["forms"], state["n"], state["width"])


def _cell(array, i: int) -> Any:
    v = array[i].as_py()
    return "" if v is None else v
