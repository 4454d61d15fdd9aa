"""Demonstrations: recorded episodes of a policy, stored as Minari datasets.

:mod:`~robodrl.datasets.demonstrations` holds the in-memory form and the checks a learner
runs before it uses one; :mod:`~robodrl.datasets.storage` reads and writes them as Minari
datasets; :mod:`~robodrl.datasets.recording` records them on the batched core
(``record_demonstrations``).
"""

from robodrl.datasets.demonstrations import DatasetError, Demonstrations, Episode
from robodrl.datasets.storage import load_demonstrations, save_demonstrations

__all__ = [
    "DatasetError",
    "Demonstrations",
    "Episode",
    "load_demonstrations",
    "save_demonstrations",
]
