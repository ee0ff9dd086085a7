"""``Interpreter``: the ``tf.lite.Interpreter`` / ``ai_edge_litert`` API over our runtime.

A script written for LiteRT runs unchanged with only the import swapped. Errors for misuse are
the ones LiteRT raises (ValueError for bad indices, dtypes and shapes; RuntimeError for invoking
an interpreter that is not allocated).
"""

from __future__ import annotations

import numpy as np

from edgelite.interpreter.model import ModelView
from edgelite.interpreter.signature import SignatureRunner, signature_table
from edgelite.interpreter.subgraph import SubgraphRuntime
from edgelite.interpreter.threads import set_blas_threads
from edgelite.schemas.verify import Limits


class Interpreter:
    def __init__(
        self,
        model_path=None,
        model_content=None,
        experimental_delegates=None,
        num_threads=None,
        experimental_op_resolver_type=None,
        experimental_preserve_all_tensors=False,
        experimental_disable_delegate_clustering=False,
        experimental_default_delegate_latest_features=False,
        limits: Limits = None,
    ):
        if model_path is None and model_content is None:
            raise ValueError("`model_path` or `model_content` must be specified.")
        if model_path is not None and model_content is not None:
            raise ValueError("Can't both provide `model_path` and `model_content`")
        if num_threads is not None:
            if not isinstance(num_threads, int):
                raise ValueError("type of num_threads should be int")
            if num_threads < 1:
                raise ValueError("num_threads should >= 1")
        self._num_threads = num_threads
        if num_threads is not None:
            set_blas_threads(num_threads)
        self._preserve_all = bool(experimental_preserve_all_tensors)
        source = str(model_path) if model_path is not None else model_content
        self._view = ModelView(source, limits=limits)
        self._view.check_supported()
        self.resources: dict = {}  # resource id -> variable value (READ/ASSIGN_VARIABLE)
        self.state: dict = {}  # flags of stateful kernels, e.g. CALL_ONCE's "already ran"
        self._resource_ids: dict = {}  # (container, shared_name) -> resource id
        self._variables: dict = {}  # (subgraph, tensor) -> persistent array
        self._subgraphs = [
            SubgraphRuntime(self._view, i, self) for i in range(len(self._view.subgraphs))
        ]
        self._main = self._subgraphs[0]
        self._signatures = signature_table(self._view)

    # -- allocation -----------------------------------------------------------------------------
    def allocate_tensors(self):
        self._main.allocate(self._preserve_all)

    def subgraph(self, index: int) -> SubgraphRuntime:
        """The runtime of subgraph ``index`` (allocated on first use), for control-flow ops."""
        sg = self._subgraphs[index]
        if not sg.allocated:
            sg.allocate(self._preserve_all)
        return sg

    def resource_id(self, key) -> int:
        """A stable id for the resource variable named ``key`` (container, shared_name)."""
        return self._resource_ids.setdefault(key, len(self._resource_ids))

    def variable_tensor(self, sg_index: int, t_index: int, info) -> np.ndarray:
        key = (sg_index, t_index)
        if key not in self._variables:
            arr = np.zeros(info.shape, info.dtype)
            self._variables[key] = arr
            self._reset_variable(arr, self._view.subgraphs[sg_index].tensors[t_index])
        return self._variables[key]

    @staticmethod
    def _reset_variable(arr, spec) -> None:
        """Back to the file's initial value, or zero (the zero point, if quantized)."""
        zp = spec.quant.zero_point[0] if spec.quant is not None else 0
        arr[...] = spec.data if spec.data is not None else zp

    def reset_all_variables(self):
        for (si, ti), arr in self._variables.items():
            self._reset_variable(arr, self._view.subgraphs[si].tensors[ti])
        self.resources.clear()
        self.state.clear()

    def num_subgraphs(self):
        return len(self._subgraphs)

    # -- tensors --------------------------------------------------------------------------------
    def _check_index(self, tensor_index, subgraph_index=0):
        n = len(self._subgraphs[subgraph_index].sg.tensors)
        if not isinstance(tensor_index, (int, np.integer)) or not 0 <= tensor_index < n:
            raise ValueError(f"Invalid tensor index {tensor_index} exceeds max tensor index {n}")

    def _tensor_details(self, index, subgraph_index=0) -> dict:
        self._check_index(index, subgraph_index)
        rt = self._subgraphs[subgraph_index]
        spec = rt.sg.tensors[index]
        shape = rt.infos[index].shape if rt.allocated else spec.shape
        dtype = rt.infos[index].dtype if rt.allocated else spec.dtype
        q = spec.quant
        if q is None:
            scales, zps, axis = np.zeros(0, np.float32), np.zeros(0, np.int32), 0
        else:
            scales, zps, axis = q.scale.astype(np.float32), q.zero_point.astype(np.int32), q.axis
        legacy = (float(scales[0]), int(zps[0])) if scales.size == 1 else (0.0, 0)
        return {
            "name": spec.name,
            "index": index,
            "shape": np.array(shape, np.int32),
            "shape_signature": np.array(
                spec.shape_signature if len(spec.shape_signature) == len(shape) else shape,
                np.int32,
            ),
            "dtype": dtype.type,
            "quantization": legacy,
            "quantization_parameters": {
                "scales": scales,
                "zero_points": zps,
                "quantized_dimension": axis,
                "block_size": 0,
            },
            "sparsity_parameters": _sparsity(spec.raw.sparsity),
        }

    def get_tensor_details(self, subgraph_index=0):
        rt = self._subgraphs[subgraph_index]
        return [self._tensor_details(i, subgraph_index) for i in range(len(rt.sg.tensors))]

    def get_input_details(self):
        return [self._tensor_details(i) for i in self._main.sg.inputs]

    def get_output_details(self):
        return [self._tensor_details(i) for i in self._main.sg.outputs]

    def _value(self, tensor_index, subgraph_index=0):
        self._check_index(tensor_index, subgraph_index)
        rt = self._subgraphs[subgraph_index]
        if not rt.allocated or rt.values[tensor_index] is None:
            raise ValueError("Tensor data is null. Run allocate_tensors() first")
        return rt.values[tensor_index]

    def get_tensor(self, tensor_index, subgraph_index=0):
        return np.array(self._value(tensor_index, subgraph_index))

    def tensor(self, tensor_index):
        """A function returning a numpy view of the tensor's current memory (no copy)."""
        self._check_index(tensor_index)
        return lambda: self._value(tensor_index)

    def set_tensor(self, tensor_index, value):
        self._check_index(tensor_index)
        target = self._value(tensor_index)
        value = np.asarray(value)
        spec = self._main.sg.tensors[tensor_index]
        if value.dtype != target.dtype:
            raise ValueError(
                f"Cannot set tensor: Got value of type {_type_name(value.dtype)} but expected "
                f"type {_type_name(target.dtype)} for input {tensor_index}, name: {spec.name} "
            )
        if value.shape != target.shape:
            if value.ndim != target.ndim:
                raise ValueError(
                    f"Cannot set tensor: Dimension mismatch. Got {value.ndim} but expected "
                    f"{target.ndim} for input {tensor_index}."
                )
            for d, (got, want) in enumerate(zip(value.shape, target.shape)):
                if got != want:
                    raise ValueError(
                        f"Cannot set tensor: Dimension mismatch. Got {got} but expected {want} "
                        f"for dimension {d} of input {tensor_index}."
                    )
        if not target.flags.writeable:
            raise ValueError(f"Cannot set tensor: tensor {tensor_index} is a constant")
        np.copyto(target, value)

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        self._check_index(input_index)
        if input_index not in self._main.sg.inputs:
            raise ValueError(f"Tensor {input_index} is not an input of the model")
        shape = tuple(int(d) for d in np.asarray(tensor_size).reshape(-1))
        spec = self._main.sg.tensors[input_index]
        if strict:
            sig = spec.shape_signature
            if len(sig) != len(shape) or any(s != -1 and s != d for s, d in zip(sig, shape)):
                raise ValueError(
                    f"ResizeInputTensorStrict only allows mutating unknown dimensions "
                    f"identified by -1 (signature {list(sig)}, requested {list(shape)})."
                )
        if any(d < 0 for d in shape):
            raise ValueError(f"Cannot resize input {input_index} to negative shape {shape}")
        self._main.input_shapes[input_index] = shape
        self._main.allocated = False

    # -- running --------------------------------------------------------------------------------
    def invoke(self):
        if not self._main.allocated:
            raise RuntimeError("Invoke called on model that is not ready.")
        self._main.invoke()

    # -- signatures -----------------------------------------------------------------------------
    def get_signature_list(self):
        return {
            key: {"inputs": sorted(s["inputs"]), "outputs": sorted(s["outputs"])}
            for key, s in self._signatures.items()
        }

    def get_signature_runner(self, signature_key=None):
        if signature_key is None:
            if not self._signatures:
                raise ValueError("SignatureDef signature_key is None and the model has none.")
            signature_key = next(iter(self._signatures))
        if signature_key not in self._signatures:
            raise ValueError(f'Invalid signature_key provided: "{signature_key}".')
        return SignatureRunner(self, signature_key, self._signatures[signature_key])

    # -- edgelite extras ------------------------------------------------------------------------
    @property
    def arena_bytes(self) -> int:
        """Bytes of activation memory the plan of the main subgraph needs (after allocate)."""
        return self._main.arena_bytes

    @property
    def model(self):
        """The decoded ``Model`` object."""
        return self._view.model


def _type_name(dtype) -> str:
    from edgelite.schemas.model import TENSOR_TYPES

    return TENSOR_TYPES.get(np.dtype(dtype), str(dtype)).upper()


def _sparsity(sp) -> dict:
    if sp is None:
        return {}
    dims = []
    for dm in sp.dim_metadata or []:
        if dm.format == "DENSE":
            dims.append({"format": 0, "dense_size": dm.dense_size})
        else:
            seg = dm.array_segments.values if dm.array_segments is not None else []
            idx = dm.array_indices.values if dm.array_indices is not None else []
            dims.append(
                {
                    "format": 1,
                    "array_segments": np.asarray(seg, np.int32),
                    "array_indices": np.asarray(idx, np.int32),
                }
            )
    return {
        "traversal_order": np.asarray(sp.traversal_order, np.int32),
        "block_map": np.asarray(sp.block_map if sp.block_map is not None else [], np.int32),
        "dim_metadata": dims,
    }
