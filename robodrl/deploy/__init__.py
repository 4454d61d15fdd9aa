"""Running an exported policy on a robot from nothing but its file (issue 32, in progress).

This package imports numpy, onnxruntime and :mod:`robodrl.runtime` only: never robodrl's
training envs, so what it builds proves the file's metadata is a complete contract."""

from robodrl.deploy.observation import ObservationBuilder

__all__ = ["ObservationBuilder"]
