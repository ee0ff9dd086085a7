"""Post-training quantization: calibrate, plan per op (``rules``), apply, report.

``edgelite.quant.report(float_model, quant_model, samples)`` is the per-layer error report and
``edgelite.quant.apply(graph, plan)`` performs a plan: these names are the functions (they
shadow their modules' names here; ``from edgelite.quant.report import Report`` still works).
"""

from edgelite.quant.apply import apply
from edgelite.quant.plan import Plan, plan_dynamic, plan_float16, plan_integer
from edgelite.quant.report import Report
from edgelite.quant.report import report as report  # noqa: PLC0414

__all__ = [
    "Plan",
    "Report",
    "apply",
    "plan_dynamic",
    "plan_float16",
    "plan_integer",
    "report",
]
