"""A parser for the subset of the FlatBuffers IDL our ``tflite.fbs`` uses.

The parsed ``Schema`` drives both the reader and the writer, so the ``.fbs`` file is the one
place that says what a ``.tflite`` file holds: slot numbers, types and defaults all come from it.
Supported: namespace, enum, union, table, scalar/string/vector/table/enum/union fields,
defaults, attributes (``deprecated``, ``force_align``, ``id``), root_type, file_identifier,
file_extension, attribute declarations and ``//`` comments. Not supported: structs, includes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Optional

SCALARS = {
    # name: (struct format, size)
    "bool": ("?", 1),
    "byte": ("b", 1),
    "ubyte": ("B", 1),
    "short": ("h", 2),
    "ushort": ("H", 2),
    "int": ("i", 4),
    "uint": ("I", 4),
    "long": ("q", 8),
    "ulong": ("Q", 8),
    "float": ("f", 4),
    "double": ("d", 8),
}
# numpy dtypes of the scalars, little-endian as flatbuffers store them
NUMPY_SCALARS = {
    "bool": "?",
    "byte": "i1",
    "ubyte": "u1",
    "short": "<i2",
    "ushort": "<u2",
    "int": "<i4",
    "uint": "<u4",
    "long": "<i8",
    "ulong": "<u8",
    "float": "<f4",
    "double": "<f8",
}
ALIASES = {
    "int8": "byte",
    "uint8": "ubyte",
    "int16": "short",
    "uint16": "ushort",
    "int32": "int",
    "uint32": "uint",
    "int64": "long",
    "uint64": "ulong",
    "float32": "float",
    "float64": "double",
}

SCHEMA_PATH = Path(__file__).with_name("tflite.fbs")


class SchemaError(ValueError):
    """The .fbs text is not valid for this parser."""


@dataclass
class TypeRef:
    base: str  # scalar name, "string", or an enum/union/table name
    vector: bool = False


@dataclass
class Field:
    name: str
    type: TypeRef
    slot: int = 0
    default: Any = None
    deprecated: bool = False
    attrs: dict = field(default_factory=dict)


@dataclass
class Enum:
    name: str
    base: str
    values: dict  # name -> int, in declared order

    def __post_init__(self):
        self.names = {v: k for k, v in self.values.items()}


@dataclass
class Union:
    name: str
    members: list  # table names; wire value = position + 1 (0 is NONE)


@dataclass
class Table:
    name: str
    fields: list

    def __post_init__(self):
        self.by_name = {f.name: f for f in self.fields}


@dataclass(eq=False)
class Schema:
    namespace: str = ""
    enums: dict = field(default_factory=dict)
    unions: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    root_type: Optional[str] = None
    file_identifier: Optional[str] = None
    file_extension: Optional[str] = None

    def kind(self, name: str) -> str:
        """'scalar', 'string', 'enum', 'union' or 'table' for a type's base name."""
        if name in SCALARS:
            return "scalar"
        if name == "string":
            return "string"
        for kind, table in (("enum", self.enums), ("union", self.unions), ("table", self.tables)):
            if name in table:
                return kind
        raise SchemaError(f"unknown type {name!r}")


_TOKEN = re.compile(
    r"\s*(?:(//[^\n]*)"  # comment
    r'|("(?:[^"\\]|\\.)*")'  # string literal
    r"|([A-Za-z_][\w.]*)"  # identifier
    r"|(-?[\d.]+(?:[eE][-+]?\d+)?)"  # number
    r"|(\S))"  # punctuation
)


def _tokens(text: str) -> list:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            break
        pos = m.end()
        comment, string, ident, number, punct = m.groups()
        if comment is None:
            out.append(string or ident or number or punct)
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.schema = Schema()

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None:
            raise SchemaError(f"unexpected end of schema, expected {expected!r}")
        if expected is not None and tok != expected:
            raise SchemaError(f"expected {expected!r}, found {tok!r} (token {self.i})")
        self.i += 1
        return tok

    def parse(self) -> Schema:
        handlers = {
            "namespace": self.namespace,
            "enum": self.enum,
            "union": self.union,
            "table": self.table,
            "root_type": self.simple("root_type"),
            "file_identifier": self.simple("file_identifier"),
            "file_extension": self.simple("file_extension"),
            "attribute": self.simple(None),
        }
        while self.peek() is not None:
            tok = self.take()
            if tok not in handlers:
                raise SchemaError(f"unsupported declaration {tok!r}")
            handlers[tok]()
        return self.schema

    def simple(self, attr):
        def run():
            value = self.take().strip('"')
            self.take(";")
            if attr:
                setattr(self.schema, attr, value)

        return run

    def namespace(self):
        self.schema.namespace = self.take()
        self.take(";")

    def enum(self):
        name = self.take()
        self.take(":")
        base = ALIASES.get(self.take(), None) or self.toks[self.i - 1]
        self.attributes()
        self.take("{")
        values, nxt = {}, 0
        while self.peek() != "}":
            key = self.take()
            if self.peek() == "=":
                self.take("=")
                nxt = int(self.take(), 0)
            self.attributes()  # e.g. (deprecated): the value still exists on the wire
            values[key] = nxt
            nxt += 1
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        self.schema.enums[name] = Enum(name, base, values)

    def union(self):
        name = self.take()
        self.attributes()
        self.take("{")
        members = []
        while self.peek() != "}":
            members.append(self.take())
            self.attributes()
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        self.schema.unions[name] = Union(name, members)

    def attributes(self) -> dict:
        attrs = {}
        if self.peek() != "(":
            return attrs
        self.take("(")
        while self.peek() != ")":
            key = self.take()
            value = True
            if self.peek() == ":":
                self.take(":")
                value = self.take().strip('"')
            attrs[key] = value
            if self.peek() == ",":
                self.take(",")
        self.take(")")
        return attrs

    def table(self):
        name = self.take()
        self.attributes()
        self.take("{")
        fields = []
        while self.peek() != "}":
            fields.append(self.field())
        self.take("}")
        self.schema.tables[name] = Table(name, fields)

    def field(self) -> Field:
        name = self.take()
        self.take(":")
        if self.peek() == "[":
            self.take("[")
            tref = TypeRef(self.take(), vector=True)
            self.take("]")
        else:
            tref = TypeRef(self.take())
        tref.base = ALIASES.get(tref.base, tref.base)
        default = None
        if self.peek() == "=":
            self.take("=")
            default = self.take()
        attrs = self.attributes()
        self.take(";")
        return Field(name, tref, default=default, deprecated="deprecated" in attrs, attrs=attrs)


def _resolve(schema: Schema) -> None:
    """Assign vtable slots and turn default literals into Python values."""
    for table in schema.tables.values():
        slot = 0
        explicit = any("id" in f.attrs for f in table.fields)
        for f in table.fields:
            kind = schema.kind(f.type.base)
            if explicit:
                f.slot = int(f.attrs["id"])
            else:
                slot += 1 if kind == "union" and not f.type.vector else 0
                f.slot = slot
                slot += 1
            f.default = _default(schema, f, kind)


def _default(schema: Schema, f: Field, kind: str):
    if f.type.vector or kind in ("string", "table", "union"):
        return None
    raw = f.default
    if kind == "enum":
        enum = schema.enums[f.type.base]
        value = 0 if raw is None else enum.values[raw] if raw in enum.values else int(raw, 0)
        return enum.names.get(value, value)  # enum fields hold names, like decoded values
    if raw is None:
        return False if f.type.base == "bool" else 0
    if f.type.base == "bool":
        return raw == "true"
    if f.type.base in ("float", "double"):
        return float(raw)
    return int(raw, 0)


def parse_schema(text: str) -> Schema:
    schema = _Parser(text).parse()
    _resolve(schema)
    if schema.root_type not in schema.tables:
        raise SchemaError(f"root_type {schema.root_type!r} is not a table")
    return schema


@cache
def load_schema(path: Optional[str] = None) -> Schema:
    """Parse (once) the bundled ``tflite.fbs`` or the schema at ``path``."""
    return parse_schema(Path(path or SCHEMA_PATH).read_text(encoding="utf-8"))
