"""Encode table objects (``objects.py``) into flatbuffer bytes, driven by the parsed schema."""

from __future__ import annotations

import flatbuffers
import numpy as np

from edgelite.errors import EdgeliteError
from edgelite.schemas.fbs import NUMPY_SCALARS, SCALARS, Schema, load_schema

_PREPEND = {
    "bool": "PrependBoolSlot",
    "byte": "PrependInt8Slot",
    "ubyte": "PrependUint8Slot",
    "short": "PrependInt16Slot",
    "ushort": "PrependUint16Slot",
    "int": "PrependInt32Slot",
    "uint": "PrependUint32Slot",
    "long": "PrependInt64Slot",
    "ulong": "PrependUint64Slot",
    "float": "PrependFloat32Slot",
    "double": "PrependFloat64Slot",
}
_NP = NUMPY_SCALARS


class SerializationError(EdgeliteError, ValueError):
    """An in-memory object cannot be encoded (wrong type, unknown enum name, ...)."""


class FlatbufferWriter:
    def __init__(self, schema: Schema = None, initial_size: int = 1 << 16):
        self.schema = schema or load_schema()
        self.b = flatbuffers.Builder(initial_size)
        self.nslots = {
            name: max((f.slot for f in t.fields), default=-1) + 1
            for name, t in self.schema.tables.items()
        }

    def finish(self, obj, file_identifier: str = None) -> bytearray:
        root = self.table(obj, self.schema.root_type)
        ident = file_identifier.encode() if file_identifier else None
        self.b.Finish(root, ident)
        return self.b.Output()

    def table(self, obj, name: str, where: str = None) -> int:
        where = where or name
        if getattr(obj, "_table_name", None) != name:
            raise SerializationError(f"{where}: expected a {name} object, got {obj!r}")
        tdef = self.schema.tables[name]
        refs = {}
        for f in tdef.fields:
            value = None if f.deprecated else getattr(obj, f.name)
            if value is not None:
                ref = self.reference(f, value, f"{where}.{f.name}")
                if ref is not None:
                    refs[f.name] = ref
        self.b.StartObject(self.nslots[name])
        for f in tdef.fields:
            if f.deprecated:
                continue
            value = getattr(obj, f.name)
            if f.name in refs:
                self.b.PrependUOffsetTRelativeSlot(f.slot, refs[f.name], 0)
                if self.schema.kind(f.type.base) == "union" and not f.type.vector:
                    tag = self.union_tag(f, value, f"{where}.{f.name}")
                    self.b.PrependUint8Slot(f.slot - 1, tag, 0)
            elif value is not None:
                self.scalar_slot(f, value, f"{where}.{f.name}")
        return self.b.EndObject()

    def scalar_slot(self, f, value, where):
        base, raw = self.scalar_value(f.type.base, value, where)
        default = self.scalar_value(f.type.base, f.default, where)[1]
        # the builder leaves out values equal to the default, as flatc-made files do
        getattr(self.b, _PREPEND[base])(f.slot, raw, default)

    def scalar_value(self, base, value, where):
        """(scalar type, python value) for an enum name or a number."""
        if base in self.schema.enums:
            enum = self.schema.enums[base]
            if isinstance(value, str):
                if value not in enum.values:
                    raise SerializationError(f"{where}: {value!r} is not a {base} value")
                value = enum.values[value]
            return enum.base, int(value)
        if base == "bool":
            return base, bool(value)
        if base in ("float", "double"):
            return base, float(value)
        return base, int(value)

    def union_tag(self, f, value, where) -> int:
        members = self.schema.unions[f.type.base].members
        try:
            return members.index(value._table_name) + 1
        except (AttributeError, ValueError):
            msg = f"{where}: {value!r} is not a member of {f.type.base}"
            raise SerializationError(msg) from None

    def reference(self, f, value, where):
        """Build the out-of-line part of a field (string/vector/table); None for inline scalars."""
        kind = self.schema.kind(f.type.base)
        if f.type.vector:
            return self.vector(f, kind, value, where)
        if kind == "string":
            return self.b.CreateString(str(value))
        if kind == "table":
            return self.table(value, f.type.base, where)
        if kind == "union":
            self.union_tag(f, value, where)
            return self.table(value, value._table_name, where)
        return None

    def vector(self, f, kind, value, where) -> int:
        base = f.type.base
        if kind in ("scalar", "enum"):
            scalar = self.schema.enums[base].base if kind == "enum" else base
            if kind == "enum":
                value = [self.scalar_value(base, v, where)[1] for v in value]
            arr = np.ascontiguousarray(np.asarray(value).reshape(-1).astype(_NP[scalar]))
            align = int(f.attrs.get("force_align", 0) or 0)
            return self.numpy_vector(arr, max(align, SCALARS[scalar][1]))
        if kind == "string":
            refs = [self.b.CreateString(str(s)) for s in value]
        elif kind == "table":
            refs = [self.table(v, base, f"{where}[{i}]") for i, v in enumerate(value)]
        else:
            raise SerializationError(f"{where}: vectors of {kind} are not supported")
        self.b.StartVector(4, len(refs), 4)
        for ref in reversed(refs):
            self.b.PrependUOffsetTRelative(ref)
        return self.b.EndVector()

    def numpy_vector(self, arr: np.ndarray, alignment: int) -> int:
        payload = arr.tobytes()
        self.b.StartVector(arr.itemsize, arr.size, alignment)
        self.b.head -= len(payload)
        self.b.Bytes[self.b.head : self.b.head + len(payload)] = payload
        return self.b.EndVector()


def write_flatbuffer(obj, file_identifier: str = None, schema: Schema = None) -> bytes:
    """Encode root object ``obj`` to bytes."""
    return bytes(FlatbufferWriter(schema).finish(obj, file_identifier))
