"""``schemas/tflite.fbs`` must describe the same bytes as LiteRT's TFLite schema.

The reference is LiteRT's flatc-generated Python module (``ai_edge_litert.schema_py_generated``,
a test-only dependency). From it we recover, without needing flatc or TensorFlow's ``.fbs``:

* enums: one class per enum (and per union's type tag) with int class attributes;
* vtable slots: every accessor of a table class reads ``self._tab.Offset(N)`` with
  ``N = 4 + 2 * slot``; accessors are the CamelCase form of our snake_case field names and a
  union field ``foo`` also has ``FooType`` one slot earlier;
* scalar widths (the ``number_types.<X>Flags`` an accessor reads) and defaults (what an
  accessor returns when the field is absent);
* the total slot count, deprecated fields included: ``<Table>Start`` calls
  ``builder.StartObject(N)``.

Without the module the comparison tests are skipped, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re

import pytest

from edgelite.schemas.fbs import load_schema

GENERATED_MODULE = "ai_edge_litert.schema_py_generated"

# our scalar type name -> the flatbuffers.number_types flag class LiteRT's accessor uses
FLAGS = {
    "bool": "BoolFlags",
    "byte": "Int8Flags",
    "ubyte": "Uint8Flags",
    "short": "Int16Flags",
    "ushort": "Uint16Flags",
    "int": "Int32Flags",
    "uint": "Uint32Flags",
    "long": "Int64Flags",
    "ulong": "Uint64Flags",
    "float": "Float32Flags",
    "double": "Float64Flags",
}

_OFFSET = re.compile(r"self\._tab\.Offset\((\d+)\)")
_FLAGS = re.compile(r"number_types\.(\w+Flags), (?:o|a) \+")
_OBJ = re.compile(r"obj = (\w+)\(\)")
_RETURN = re.compile(r"^\s*return (.+?)\s*$", re.M)
_START = re.compile(r"StartObject\((\d+)\)")

SCHEMA = load_schema()


# --------------------------------------------------------------------------------------------
# Reading LiteRT's generated module
# --------------------------------------------------------------------------------------------


def _litert():
    """The generated module; skip without it, or fail when running under CI."""
    try:
        return importlib.import_module(GENERATED_MODULE)
    except ImportError as exc:
        message = f"{GENERATED_MODULE} is not importable ({exc}); install ai-edge-litert"
        if os.environ.get("CI"):
            pytest.fail(message + " (required when CI is set)")
        pytest.skip(message)


def _camel(snake: str) -> str:
    """flatc's Python accessor name for a field: ``builtin_options_2`` -> ``BuiltinOptions2``."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


class _GenField:
    """One accessor of a generated table class."""

    def __init__(self, name: str, slot: int, source: str):
        self.name = name
        self.slot = slot
        self.source = source
        self.vector = "self._tab.Vector(" in source
        flags = _FLAGS.search(source)
        obj = _OBJ.search(source)
        if "self._tab.Union(" in source:
            self.kind, self.base = "union", None
        elif "self._tab.String(" in source:
            self.kind, self.base = "string", "string"
        elif obj:
            self.kind, self.base = "table", obj.group(1)
        elif flags:
            self.kind, self.base = "scalar", flags.group(1)
        else:  # pragma: no cover - a generator change we do not understand
            self.kind, self.base = "unknown", None
        returns = _RETURN.findall(source)
        self.default = None
        if self.kind == "scalar" and not self.vector and returns:
            self.default = ast.literal_eval(returns[-1])


@functools.cache
def _generated_model():
    """(enums, tables, start_counts) recovered from the generated module."""
    mod = _litert()
    enums, tables, starts = {}, {}, {}
    for name, cls in vars(mod).items():
        if not inspect.isclass(cls) or cls.__module__ != mod.__name__:
            continue
        public = {k: v for k, v in vars(cls).items() if not k.startswith("_")}
        if public and all(type(v) is int for v in public.values()):
            enums[name] = public
            continue
        if not inspect.isfunction(public.get("Init")):
            continue  # object-API "...T" classes
        by_offset = {}
        for meth_name, fn in public.items():
            if not inspect.isfunction(fn):
                continue
            source = inspect.getsource(fn)
            match = _OFFSET.search(source)
            if match:
                by_offset.setdefault(int(match.group(1)), []).append((meth_name, source))
        fields = {}
        for offset, methods in by_offset.items():
            # Foo, FooAsNumpy, FooLength and FooIsNone share an offset; Foo is the accessor.
            meth_name, source = min(methods, key=lambda m: len(m[0]))
            fields[meth_name] = _GenField(meth_name, (offset - 4) // 2, source)
        tables[name] = fields
        start = getattr(mod, f"{name}Start", None)
        if start is not None:
            match = _START.search(inspect.getsource(start))
            if match:
                starts[name] = int(match.group(1))
    return enums, tables, starts


# --------------------------------------------------------------------------------------------
# What our schema predicts
# --------------------------------------------------------------------------------------------


def _kind(base: str) -> str:
    return SCHEMA.kind(base)


def _expected_accessors(table) -> dict:
    """accessor name -> (slot, our Field, is_union_type_tag) for the live fields of a table."""
    out = {}
    for f in table.fields:
        if f.deprecated:
            continue
        out[_camel(f.name)] = (f.slot, f, False)
        if _kind(f.type.base) == "union" and not f.type.vector:
            out[_camel(f.name) + "Type"] = (f.slot - 1, f, True)
    return out


def _slot_count(table) -> int:
    return max((f.slot for f in table.fields), default=-1) + 1


def _numeric_default(f):
    """A field's default as a number (the parser may give enum defaults as member names)."""
    if isinstance(f.default, str) and _kind(f.type.base) == "enum":
        return SCHEMA.enums[f.type.base].values[f.default]
    return f.default


def _scalar_of(base: str):
    kind = _kind(base)
    if kind == "scalar":
        return base
    if kind == "enum":
        return SCHEMA.enums[base].base
    return None


# --------------------------------------------------------------------------------------------
# Schema-only checks (no LiteRT needed)
# --------------------------------------------------------------------------------------------


def test_header():
    assert SCHEMA.namespace == "tflite"
    assert SCHEMA.root_type == "Model"
    assert SCHEMA.file_identifier == "TFL3"
    assert SCHEMA.file_extension == "tflite"


def test_key_fields_keep_tflite_types():
    opcode = SCHEMA.tables["OperatorCode"]
    assert [f.name for f in opcode.fields] == [
        "deprecated_builtin_code",
        "custom_code",
        "version",
        "builtin_code",
    ]
    assert opcode.by_name["deprecated_builtin_code"].type.base == "byte"
    assert opcode.by_name["builtin_code"].type.base == "BuiltinOperator"
    assert SCHEMA.enums["BuiltinOperator"].base == "int"
    assert opcode.by_name["version"].default == 1
    buffer = SCHEMA.tables["Buffer"]
    assert [(f.name, f.type.base, f.type.vector) for f in buffer.fields] == [
        ("data", "ubyte", True),
        ("offset", "ulong", False),
        ("size", "ulong", False),
    ]
    assert buffer.by_name["data"].attrs.get("force_align") == "16"
    assert SCHEMA.enums["TensorType"].base == "byte"


def test_every_table_is_reachable_from_the_root():
    seen, todo = set(), [SCHEMA.root_type]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for f in SCHEMA.tables[name].fields:
            kind = _kind(f.type.base)
            if kind == "table":
                todo.append(f.type.base)
            elif kind == "union":
                todo.extend(SCHEMA.unions[f.type.base].members)
    assert sorted(set(SCHEMA.tables) - seen) == []


def test_union_members_are_tables():
    for union in SCHEMA.unions.values():
        assert len(union.members) == len(set(union.members)), union.name
        for member in union.members:
            assert member in SCHEMA.tables, f"{union.name}: {member} is not a table"


# --------------------------------------------------------------------------------------------
# Against LiteRT
# --------------------------------------------------------------------------------------------


def test_enums_match_litert():
    gen_enums, _, _ = _generated_model()
    gen_plain = {k: v for k, v in gen_enums.items() if k not in SCHEMA.unions}
    assert sorted(gen_plain) == sorted(SCHEMA.enums), "enum sets differ"
    problems = []
    for name, enum in SCHEMA.enums.items():
        ours, theirs = dict(enum.values), gen_plain[name]
        if ours != theirs:
            missing = sorted(set(theirs.items()) - set(ours.items()), key=lambda kv: kv[1])
            extra = sorted(set(ours.items()) - set(theirs.items()), key=lambda kv: kv[1])
            problems.append(f"{name}: LiteRT-only {missing}, ours-only {extra}")
    assert problems == []


def test_builtin_operator_codes_cover_litert():
    gen_enums, _, _ = _generated_model()
    codes = SCHEMA.enums["BuiltinOperator"].values
    assert codes == gen_enums["BuiltinOperator"]
    assert sorted(codes.values()) == list(range(len(codes)))  # dense, no gaps


@pytest.mark.parametrize("union_name", sorted(SCHEMA.unions))
def test_union_member_order_matches_litert(union_name):
    gen_enums, _, _ = _generated_model()
    assert union_name in gen_enums, f"LiteRT has no union {union_name}"
    theirs = sorted(gen_enums[union_name].items(), key=lambda kv: kv[1])
    ours = [("NONE", 0)] + [(m, i + 1) for i, m in enumerate(SCHEMA.unions[union_name].members)]
    assert ours == theirs


def test_no_litert_table_or_field_is_missing():
    """Everything LiteRT knows (all of it hangs off Model) must exist here."""
    _, gen_tables, _ = _generated_model()
    missing_tables = sorted(set(gen_tables) - set(SCHEMA.tables))
    missing_fields = []
    for name, gen_fields in sorted(gen_tables.items()):
        if name not in SCHEMA.tables:
            continue
        expected = _expected_accessors(SCHEMA.tables[name])
        missing_fields += [f"{name}.{acc}" for acc in sorted(gen_fields) if acc not in expected]
    assert missing_tables == [], f"tables LiteRT has and we lack: {missing_tables}"
    assert missing_fields == [], f"fields LiteRT has and we lack: {missing_fields}"
    extra_tables = sorted(set(SCHEMA.tables) - set(gen_tables))
    assert extra_tables == [], f"tables we have that LiteRT lacks: {extra_tables}"


@pytest.mark.parametrize("table_name", sorted(SCHEMA.tables))
def test_table_slots_types_defaults_match_litert(table_name):
    _, gen_tables, starts = _generated_model()
    if table_name not in gen_tables:
        pytest.fail(f"LiteRT has no table {table_name}")
    table = SCHEMA.tables[table_name]
    gen = gen_tables[table_name]
    expected = _expected_accessors(table)

    # 1. the same live fields, each in the same vtable slot
    assert {acc: slot for acc, (slot, _, _) in expected.items()} == {
        acc: g.slot for acc, g in gen.items()
    }
    # 2. the total slot count, which also pins down trailing deprecated fields
    if table_name in starts:
        assert _slot_count(table) == starts[table_name], "vtable size (StartObject) differs"

    # 3. types and defaults, field by field
    problems = []
    for acc, (_, f, is_tag) in expected.items():
        g = gen[acc]
        where = f"{table_name}.{f.name}" + ("_type" if is_tag else "")
        if is_tag:
            if (g.kind, g.base) != ("scalar", "Uint8Flags"):
                problems.append(f"{where}: union tag read as {g.base}")
            continue
        kind = _kind(f.type.base)
        if g.vector != f.type.vector:
            problems.append(f"{where}: vector {f.type.vector}, LiteRT {g.vector}")
        if kind == "union":
            ok = g.kind == "union"
        elif kind == "string":
            ok = g.kind == "string"
        elif kind == "table":
            ok = (g.kind, g.base) == ("table", f.type.base)
        else:
            ok = (g.kind, g.base) == ("scalar", FLAGS[_scalar_of(f.type.base)])
        if not ok:
            problems.append(f"{where}: ours {f.type.base}, LiteRT reads {g.kind} {g.base}")
        default = _numeric_default(f)
        if kind in ("scalar", "enum") and not f.type.vector and g.default != default:
            problems.append(f"{where}: default {default!r}, LiteRT {g.default!r}")
    assert problems == []
