"""The edgelite interpreter: run ``.tflite`` models with numpy, through the tf.lite API."""

from edgelite.interpreter.interpreter import Interpreter

__all__ = ["Interpreter"]
