"""Decode flatbuffer bytes into table objects, checking every offset and length on the way.

The reader is driven by the parsed schema (``fbs.py``), so it knows each field's slot and type.
Every position it follows is bounds-checked, so a corrupt or truncated file raises
``InvalidModelError`` saying where, never IndexError/struct.error or a hang. Scalar vectors come
back as read-only numpy views of the input bytes (zero-copy: weights are not duplicated).
"""

from __future__ import annotations

import struct

import numpy as np

from edgelite.errors import InvalidModelError
from edgelite.schemas.fbs import NUMPY_SCALARS, SCALARS, Schema, load_schema
from edgelite.schemas.objects import classes

_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U16 = struct.Struct("<H")
_NP = NUMPY_SCALARS
_STRUCTS = {name: struct.Struct("<" + fmt) for name, (fmt, _) in SCALARS.items()}


class FlatbufferReader:
    """Decodes one buffer. ``what`` names the source (a path) in error messages."""

    def __init__(self, buf, schema: Schema = None, what: str = "<bytes>", max_objects=None):
        self.buf = memoryview(buf).cast("B") if not isinstance(buf, bytes) else buf
        self.np = np.frombuffer(buf, np.uint8)
        self.size = len(self.np)
        self.schema = schema or load_schema()
        self.classes = classes(self.schema)
        self.what = what
        # A file can point many offsets at one table; bound the work by the file's size.
        self.budget = max_objects if max_objects is not None else self.size // 4 + 1024
        self.text_budget = 4 * self.size + 4096  # bytes of strings decoded, same reason
        self._plans = {}

    # -- primitives ---------------------------------------------------------------------------
    def fail(self, msg: str, where: str):
        raise InvalidModelError(f"{self.what}: {msg} (at {where})")

    def check(self, pos: int, n: int, where: str) -> None:
        if pos < 0 or n < 0 or pos + n > self.size:
            self.fail(f"offset {pos}+{n} is outside the {self.size}-byte file; truncated?", where)

    def u32(self, pos: int, where: str) -> int:
        self.check(pos, 4, where)
        return _U32.unpack_from(self.buf, pos)[0]

    def deref(self, pos: int, where: str) -> int:
        """Follow the uoffset stored at ``pos``."""
        target = pos + self.u32(pos, where)
        self.check(target, 4, where)
        return target

    # -- tables -------------------------------------------------------------------------------
    def root(self, identifier: str = None):
        if self.size < 8:
            self.fail("file is too small to be a flatbuffer", "header")
        if identifier and bytes(self.buf[4:8]) != identifier.encode():
            found = bytes(self.buf[4:8])
            self.fail(f"file identifier is {found!r}, expected {identifier!r}", "header")
        root = self.schema.root_type
        return self.table(self.deref(0, "root offset"), root, root)

    def vtable(self, pos: int, where: str):
        vt = pos - _I32.unpack_from(self.buf, pos)[0]
        self.check(vt, 4, where + " vtable")
        vt_size, obj_size = _U16.unpack_from(self.buf, vt)[0], _U16.unpack_from(self.buf, vt + 2)[0]
        if vt_size < 4 or vt_size % 2:
            self.fail(f"vtable size {vt_size} is invalid", where)
        self.check(vt, vt_size, where + " vtable")
        self.check(pos, max(obj_size, 4), where)
        return vt, vt_size, obj_size

    def table(self, pos: int, name: str, where: str):
        self.budget -= 1
        if self.budget < 0:
            self.fail("too many objects for the file's size (shared or cyclic offsets?)", where)
        self.check(pos, 4, where)
        vt, vt_size, obj_size = self.vtable(pos, where)
        obj = self.classes[name].__new__(self.classes[name])
        for f, kind, width in self.plan(name):
            voff = 4 + 2 * f.slot
            off = _U16.unpack_from(self.buf, vt + voff)[0] if voff + 2 <= vt_size else 0
            if off and off + width > obj_size:
                self.fail(f"field {name}.{f.name} lies outside its table", where)
            value = self.field(f, kind, pos, off, vt, vt_size, f"{where}.{f.name}")
            setattr(obj, f.name, value)
        return obj

    def plan(self, name: str) -> list:
        """(field, kind, inline width) of each live field of table ``name``, computed once."""
        plan = self._plans.get(name)
        if plan is None:
            plan = []
            for f in self.schema.tables[name].fields:
                if f.deprecated:
                    continue
                kind = self.schema.kind(f.type.base)
                width = 4
                if not f.type.vector and kind in ("scalar", "enum"):
                    base = self.schema.enums[f.type.base].base if kind == "enum" else f.type.base
                    width = SCALARS[base][1]
                plan.append((f, kind, width))
            self._plans[name] = plan
        return plan

    def field(self, f, kind, pos, off, vt, vt_size, where):
        if f.type.vector:
            return None if not off else self.vector(self.deref(pos + off, where), f, kind, where)
        if kind in ("scalar", "enum"):
            if not off:
                return f.default
            return self.scalar(pos + off, f.type.base, kind, where)
        if kind == "string":
            return None if not off else self.string(self.deref(pos + off, where), where)
        if kind == "table":
            return None if not off else self.table(self.deref(pos + off, where), f.type.base, where)
        # union: the type byte sits in the slot just before the value
        tvoff = 4 + 2 * (f.slot - 1)
        toff = _U16.unpack_from(self.buf, vt + tvoff)[0] if tvoff + 2 <= vt_size else 0
        utype = self.scalar(pos + toff, "ubyte", "scalar", where) if toff else 0
        members = self.schema.unions[f.type.base].members
        if utype == 0 or not off:
            return None
        if utype > len(members):
            return None  # a member newer than our schema: skip it as TFLite would ignore it
        return self.table(self.deref(pos + off, where), members[utype - 1], where)

    def scalar(self, pos, base, kind, where):
        if kind == "enum":
            enum = self.schema.enums[base]
            value = self.scalar(pos, enum.base, "scalar", where)
            return enum.names.get(value, value)
        st = _STRUCTS[base]
        self.check(pos, st.size, where)
        return st.unpack_from(self.buf, pos)[0]

    def string(self, pos, where):
        n = self.u32(pos, where)
        self.check(pos + 4, n, where)
        self.text_budget -= n
        if self.text_budget < 0:
            self.fail("too much string data for the file's size (shared offsets?)", where)
        try:
            return bytes(self.buf[pos + 4 : pos + 4 + n]).decode("utf-8")
        except UnicodeDecodeError:
            self.fail("string is not valid UTF-8", where)

    def vector(self, pos, f, kind, where):
        n = self.u32(pos, where)
        start = pos + 4
        base = f.type.base
        if kind == "scalar" or kind == "enum":
            scalar = self.schema.enums[base].base if kind == "enum" else base
            width = SCALARS[scalar][1]
            self.check(start, n * width, where)
            arr = self.np[start : start + n * width].view(_NP[scalar])
            if kind == "enum":
                names = self.schema.enums[base].names
                return [names.get(int(v), int(v)) for v in arr]
            return arr
        self.check(start, 4 * n, where)
        items = []
        for i in range(n):
            item = self.deref(start + 4 * i, f"{where}[{i}]")
            if kind == "string":
                items.append(self.string(item, f"{where}[{i}]"))
            elif kind == "table":
                items.append(self.table(item, base, f"{where}[{i}]"))
            else:
                self.fail(f"vectors of {kind} are not supported", where)
        return items


def read_flatbuffer(buf, root_identifier=None, what="<bytes>", schema=None):
    """Decode ``buf`` (bytes, bytearray, memoryview or mmap) into the schema's root object."""
    return FlatbufferReader(buf, schema, what).root(root_identifier)
