# SPDX-License-Identifier: BSD-3-Clause
"""Weir's network-namespace lab, shared by the demo, tests/func and the benchmarks."""

from .config import base_config, file_prefix
from .dataplane import Dataplane, DataplaneError
from .lab import CommandError, Lab, Server, cleanup_stale
from .runtime import Runtime

__all__ = ["Lab", "Server", "CommandError", "cleanup_stale", "Dataplane", "DataplaneError", "Runtime", "base_config", "file_prefix"]
