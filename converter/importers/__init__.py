"""Source-format importers: each turns a model file into the IR ``Graph`` (NHWC).

``onnx`` (``import_onnx``) and ``tflite`` live in their own modules; import them from there so
that reading one format never requires the other's packages.
"""
