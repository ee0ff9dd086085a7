"""Load and save ``.tflite`` models: bytes <-> ``Model`` objects, with verification.

``load_model`` memory-maps a path (weights stay views of the file), decodes it with the
bounds-checked reader, resolves buffers stored after the flatbuffer (offset/size, as TFLite does
for models over 2 GB) and verifies the model's internal consistency (``verify.py``).
``save_model`` writes atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from pathlib import Path

import numpy as np

from edgelite.errors import InvalidModelError
from edgelite.schemas.fbs import load_schema
from edgelite.schemas.objects import classes
from edgelite.schemas.reader import FlatbufferReader
from edgelite.schemas.verify import Limits, verify_model
from edgelite.schemas.writer import FlatbufferWriter

FILE_IDENTIFIER = "TFL3"
SCHEMA_VERSION = 3
# Flatbuffers address at most 2 GiB; past this, buffers go after the flatbuffer by offset/size.
INLINE_LIMIT = (1 << 31) - (1 << 24)

NUMPY_DTYPES = {
    "FLOAT32": np.float32,
    "FLOAT16": np.float16,
    "INT32": np.int32,
    "UINT8": np.uint8,
    "INT64": np.int64,
    "STRING": np.object_,
    "BOOL": np.bool_,
    "INT16": np.int16,
    "COMPLEX64": np.complex64,
    "INT8": np.int8,
    "FLOAT64": np.float64,
    "COMPLEX128": np.complex128,
    "UINT64": np.uint64,
    "RESOURCE": np.object_,
    "VARIANT": np.object_,
    "UINT32": np.uint32,
    "UINT16": np.uint16,
    "INT4": np.int8,
}
TENSOR_TYPES = {
    np.dtype(np.float32): "FLOAT32",
    np.dtype(np.float16): "FLOAT16",
    np.dtype(np.int32): "INT32",
    np.dtype(np.uint8): "UINT8",
    np.dtype(np.int64): "INT64",
    np.dtype(np.bool_): "BOOL",
    np.dtype(np.int16): "INT16",
    np.dtype(np.complex64): "COMPLEX64",
    np.dtype(np.int8): "INT8",
    np.dtype(np.float64): "FLOAT64",
    np.dtype(np.complex128): "COMPLEX128",
    np.dtype(np.uint64): "UINT64",
    np.dtype(np.uint32): "UINT32",
    np.dtype(np.uint16): "UINT16",
}


def tfl():
    """The table classes of the TFLite schema, by name (``tfl()["Tensor"](...)``)."""
    return classes(load_schema())


def op_name(opcode) -> str:
    """The BuiltinOperator name of an ``OperatorCode`` ("CUSTOM" ops keep that name).

    Files store the code twice (an int8 ``deprecated_builtin_code`` for old readers and an int32
    ``builtin_code``); the larger of the two is the real one.
    """
    enum = load_schema().enums["BuiltinOperator"]
    code = opcode.builtin_code
    code = enum.values[code] if isinstance(code, str) else int(code)
    code = max(code, int(opcode.deprecated_builtin_code))
    return enum.names.get(code, f"BUILTIN_{code}")


def opcode_for(name: str, version: int = 1, custom_code: str = None):
    """An ``OperatorCode`` for BuiltinOperator ``name``, filled as TFLite's converter does."""
    code = load_schema().enums["BuiltinOperator"].values[name]
    return tfl()["OperatorCode"](
        deprecated_builtin_code=min(code, 127),
        builtin_code=name,
        version=version,
        custom_code=custom_code,
    )


def _map_file(path: Path):
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise InvalidModelError(f"{path}: file is empty")
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def read_bytes(source):
    """(buffer, display name) for a path, bytes-like object or an already open mmap."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InvalidModelError(f"{path}: no such model file")
        return _map_file(path), str(path)
    if isinstance(source, (bytes, bytearray, memoryview, mmap.mmap)):
        return source, "<model bytes>"
    raise TypeError(f"expected a path or bytes, got {type(source).__name__}")


def load_model(source, *, verify: bool = True, limits: Limits = None, what: str = None):
    """Decode a ``.tflite`` (path or bytes) into a ``Model`` object and verify it."""
    buf, name = read_bytes(source)
    name = what or name
    model = FlatbufferReader(buf, what=name).root(FILE_IDENTIFIER if _has_ident(buf) else None)
    _resolve_external_buffers(model, buf, name)
    if verify:
        verify_model(model, name, limits or Limits())
    return model


def _has_ident(buf) -> bool:
    # TFLite accepts files without the identifier; check it only when something is there.
    return len(buf) >= 8 and bytes(buf[4:8]) != b"\0\0\0\0"


def _resolve_external_buffers(model, buf, name: str) -> None:
    raw = np.frombuffer(buf, np.uint8)
    for i, b in enumerate(model.buffers or []):
        if b.offset > 1:
            if b.offset + b.size > raw.size:
                raise InvalidModelError(
                    f"{name}: buffer {i} lies at {b.offset}+{b.size}, past the end of the "
                    f"{raw.size}-byte file; truncated?"
                )
            b.data = raw[b.offset : b.offset + b.size]
        b.offset, b.size = 0, 0


def model_to_bytes(model, *, external_buffers: bool = None) -> bytes:
    """Encode a ``Model``; buffers go after the flatbuffer when it would pass 2 GiB (or asked)."""
    buffers = model.buffers or []
    total = sum(0 if b.data is None else np.asarray(b.data).nbytes for b in buffers)
    if external_buffers is None:
        external_buffers = total > INLINE_LIMIT
    if not external_buffers:
        writer = FlatbufferWriter(initial_size=total + (1 << 16))
        return bytes(writer.finish(model, FILE_IDENTIFIER))
    return _with_external_buffers(model, buffers)


def _with_external_buffers(model, buffers) -> bytes:
    """Write the flatbuffer with placeholder offsets, then patch them and append the data."""
    datas = [
        None if b.data is None else np.asarray(b.data).view(np.uint8).reshape(-1) for b in buffers
    ]
    Buffer = tfl()["Buffer"]
    # Offsets are 64-bit fields, so their width does not change when we patch values in.
    model.buffers = [
        Buffer(offset=2 if d is not None and d.size else 0, size=0 if d is None else d.size)
        for d in datas
    ]
    try:
        head = FlatbufferWriter().finish(model, FILE_IDENTIFIER)
        out = bytearray(head)
        offsets = []
        for d in datas:
            if d is None or not d.size:
                offsets.append(0)
                continue
            out += b"\0" * (-len(out) % 16)
            offsets.append(len(out))
            out += d.tobytes()
        model.buffers = [
            Buffer(offset=o, size=0 if d is None else d.size) for o, d in zip(offsets, datas)
        ]
        patched = FlatbufferWriter().finish(model, FILE_IDENTIFIER)
        if len(patched) != len(head):
            raise AssertionError("flatbuffer size changed while patching buffer offsets")
        out[: len(patched)] = patched
        return bytes(out)
    finally:
        model.buffers = buffers


def save_model(model, path, *, overwrite: bool = True, external_buffers: bool = None) -> Path:
    """Write ``model`` to ``path`` atomically (temp file + rename); returns the path."""
    data = model_to_bytes(model, external_buffers=external_buffers)
    return write_atomic(path, data, overwrite=overwrite)


def _file_mode(path: Path) -> int:
    """The replaced file's mode, or the default for a new file under the current umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path, data: bytes, *, overwrite: bool = True) -> Path:
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (or --force) to replace it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0600; give what open() would
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
