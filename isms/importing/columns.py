"""A sheet's rows held as typed columns: how the reader child hands a large sheet back (Arrow IPC
bytes, not a pickle of every cell), and how the pipeline's column-wise steps read it.

Pickling a 100,000-row sheet as lists of cells cost more than parsing it: 1.2 million Python
objects written by the child and built again by the server. A column whose cells share one type
travels as one Arrow array instead, and the steps that look at every cell (blank rows, where the
table ends, stray cells, coercion) ask each *distinct* value once and spread the answer by code.

To everything else the rows are still a sequence of lists, built on access and exactly as the
reader gave them: a column is encoded only when decoding gives back the same values (one type,
with '' for an empty cell), else it travels as its list. The first rows (titles, the header row,
whose types mix) are kept as read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np
import pyarrow as pa

TOP = 24  # rows kept as lists: find_header_row looks for the header among the first 20
_TYPES = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_(), dt.date: pa.date32(),
          dt.datetime: pa.timestamp("us")}
_BULK = 256  # single-row reads before the columns are turned into lists once, for the rest


def column_rows(rows: list[list[Any]]) -> Sequence | list[list[Any]]:
    """`rows` as ColumnRows when it is a rectangle longer than its top block, else as it is."""
    if len(rows) <= TOP + 1:
        return rows
    width = len(rows[0])
    if width == 0 or any(len(r) != width for r in rows):
        return rows
    body = rows[TOP:]
    arrays: dict[int, pa.Array] = {}
    lists: dict[int, list] = {}
    for j, col in enumerate(zip(*body)):
        array = _encode(col)
        if array is None:
            lists[j] = list(col)
        else:
            arrays[j] = array
    return ColumnRows(rows[:TOP], arrays, lists, len(body), width)


def _encode(col: tuple) -> pa.Array | None:
    """The column as an Arrow array that decodes to the same values, or None (it stays a list)."""
    kinds = set(map(type, col))
    if kinds == {str}:
        return pa.array(col, pa.string())
    others = kinds - {str}
    if len(others) != 1 or (kind := next(iter(others))) not in _TYPES:
        return None
    values = col
    if str in kinds:
        if any(v.__class__ is str and v != "" for v in col):
            return None
        values = [None if v.__class__ is str else v for v in col]  # '' decodes from null
    try:
        return pa.array(values, _TYPES[kind])
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None


def _decode(values: list) -> list:
    return ["" if v is None else v for v in values]


class ColumnRows(Sequence):
    """Rows [0, TOP) as lists, the rest as columns (Arrow arrays, or lists where a column's types
    mix); `n` body rows, every row `width` cells, as calamine reads a sheet's rectangle."""

    def __init__(self, top: list[list[Any]], arrays: dict[int, pa.Array], lists: dict[int, list], n: int, width: int):
        self.top, self.arrays, self.lists, self.n, self.width = top, arrays, lists, n, width
        self._reads = 0

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
        if self._reads > _BULK and len(self.arrays):
            self._to_lists()
        return [self.lists[j][i] if j in self.lists else _cell(self.arrays[j], i) for j in range(self.width)]

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
        body = {j: c.slice(a, b - a) for j, c in self.arrays.items()}
        return ColumnRows(self.top[start:t] if start < t else [], body,
                          {j: c[a:b] for j, c in self.lists.items()}, b - a, self.width)

    def _body(self, a: int, b: int) -> list[list[Any]]:
        cols = [self.lists[j][a:b] if j in self.lists else _decode(self.arrays[j].slice(a, b - a).to_pylist())
                for j in range(self.width)]
        return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(b - a)]

    def _to_lists(self) -> None:
        """Many single rows asked for (a register read row by row): one conversion, then list reads."""
        self.lists = {**self.lists, **{j: _decode(c.to_pylist()) for j, c in self.arrays.items()}}
        self.arrays = {}

    # --- the column-wise view ---
    def distinct(self, j: int, start: int) -> tuple[np.ndarray, list[Any]]:
        """Column j from row `start` on as (codes, distinct values): each value (by type and value)
        once, so a question about it is asked once. A column past the rectangle holds None."""
        t = len(self.top)
        count = len(self) - start
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
        if j in self.arrays:
            encoded = self.arrays[j].slice(a).dictionary_encode(null_encoding="encode")
            dictionary = _decode(encoded.dictionary.to_pylist())
            remap = np.fromiter((code(v) for v in dictionary), dtype=np.int64, count=len(dictionary))
            indices = encoded.indices.to_numpy(zero_copy_only=False)
            tail = remap[indices] if len(remap) else np.zeros(0, dtype=np.int64)
        else:
            values = self.lists[j][a:]
            tail = np.fromiter((code(v) for v in values), dtype=np.int64, count=len(values))
        return np.concatenate([head, tail]), uniques

    def mask(self, test: Callable[[Any], bool], start: int, columns: range) -> np.ndarray:
        """(rows from `start`) x `columns`: `test` of each cell, asked once per distinct value."""
        out = np.zeros((len(self) - start, len(columns)), dtype=bool)
        for k, j in enumerate(columns):
            codes, uniques = self.distinct(j, start)
            out[:, k] = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))[codes]
        return out

    # --- pickling: Arrow IPC bytes, not a pickle per cell ---
    def __getstate__(self) -> dict:
        sink = pa.BufferOutputStream()
        names = [f"c{j}" for j in self.arrays]
        batch = pa.RecordBatch.from_arrays(list(self.arrays.values()), names=names) if names else None
        if batch is not None:
            with pa.ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
        return {"top": self.top, "ipc": sink.getvalue().to_pybytes() if batch is not None else b"",
                "lists": self.lists, "n": self.n, "width": self.width}

    def __setstate__(self, state: dict) -> None:
        arrays = {}
        if state["ipc"]:
            table = pa.ipc.open_stream(pa.py_buffer(state["ipc"])).read_all()
            arrays = {int(name[1:]): _one_chunk(table.column(name)) for name in table.column_names}
        self.__init__(state["top"], arrays, state["lists"], state["n"], state["width"])


def _one_chunk(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # one batch: zero-copy


def _cell(array: pa.Array, i: int) -> Any:
    v = array[i].as_py()
    return "" if v is None else v
