"""In-memory model objects: one Python class per schema table, made from the parsed ``.fbs``.

Fields carry the schema's snake_case names and defaults. Conventions:
- scalar fields hold Python numbers; enum fields hold the enum value's name (``"FLOAT32"``,
  ``"SAME"``) or a plain int for a value the schema does not name;
- vectors of scalars hold numpy arrays (views of the file when read), vectors of tables hold
  lists, strings hold ``str``, absent vectors/strings/tables hold None;
- a union field holds the member table object (its wire type follows from the class).

Objects compare by value (arrays element-wise), so ``read(write(m)) == m`` can be asserted.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from edgelite.schemas.fbs import Schema, load_schema


def _values_equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if a is None or b is None:
            return a is b
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN defaults compare equal to themselves
    return a == b


class TableObject:
    """Base class of the generated table classes."""

    __slots__ = ()
    _fields: tuple = ()
    _defaults: dict = {}
    _table_name = ""

    def __init__(self, **kwargs):
        for name in self._fields:
            setattr(self, name, kwargs.pop(name, self._defaults[name]))
        if kwargs:
            raise TypeError(f"{self._table_name} has no field(s) {', '.join(sorted(kwargs))}")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(_values_equal(getattr(self, n), getattr(other, n)) for n in self._fields)

    __hash__ = None

    def __repr__(self):
        parts = []
        for n in self._fields:
            v = getattr(self, n)
            if v is None or (not isinstance(v, np.ndarray) and v == self._defaults[n]):
                continue
            if isinstance(v, np.ndarray) and v.size > 8:
                v = f"<{v.dtype}[{v.size}]>"
            parts.append(f"{n}={v!r}")
        return f"{self._table_name}({', '.join(parts)})"

    def to_dict(self) -> dict:
        """Fields that differ from their defaults, recursively, as plain Python values."""
        out = {}
        for n in self._fields:
            v = getattr(self, n)
            if v is None or (not isinstance(v, (np.ndarray, list)) and v == self._defaults[n]):
                continue
            if isinstance(v, TableObject):
                v = {"type": v._table_name, **v.to_dict()}
            elif isinstance(v, list):
                v = [x.to_dict() if isinstance(x, TableObject) else x for x in v]
            elif isinstance(v, np.ndarray):
                v = v.tolist()
            out[n] = v
        return out


def _make_class(table) -> type:
    names = tuple(f.name for f in table.fields if not f.deprecated)
    defaults = {f.name: f.default for f in table.fields if not f.deprecated}
    attrs = {
        "__slots__": names,
        "_fields": names,
        "_defaults": defaults,
        "_table_name": table.name,
        "__doc__": f"The ``{table.name}`` table of the TFLite schema.",
    }
    return type(table.name, (TableObject,), attrs)


@cache
def classes(schema: Schema = None) -> dict:
    """Table name -> class, for ``schema`` (default: the bundled TFLite schema)."""
    schema = schema or load_schema()
    return {name: _make_class(t) for name, t in schema.tables.items()}
