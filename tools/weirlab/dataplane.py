# SPDX-License-Identifier: BSD-3-Clause
"""weir-dataplane as a process in a lab's dp namespace."""

import glob
import os
import re
import shutil
import signal
import subprocess
import time

from .runtime import Runtime

DPDK_RUN_DIR = "/var/run/dpdk"  # DPDK's runtime directory when run as root


class DataplaneError(Exception):
    pass


def hugetlbfs_mounts():
    """Mount points of every hugetlbfs."""
    try:
        with open("/proc/mounts") as f:
            return [line.split()[1] for line in f if line.split()[2:3] == ["hugetlbfs"]]
    except OSError:
        return []


def dpdk_file_prefixes():
    """DPDK file prefixes that have a runtime directory or hugepage files."""
    found = set(os.listdir(DPDK_RUN_DIR)) if os.path.isdir(DPDK_RUN_DIR) else set()
    for mnt in hugetlbfs_mounts():
        for name in os.listdir(mnt):
            m = re.match(r"(.+?)map_", name)
            if m:
                found.add(m.group(1))
    return found


def remove_dpdk_files(file_prefix):
    """Remove what a dead DPDK process with this file prefix left: its hugepage files
    (which keep the pages reserved) and its runtime directory."""
    for mnt in hugetlbfs_mounts():
        for path in glob.glob(os.path.join(mnt, glob.escape(file_prefix) + "map_*")):
            try:
                os.unlink(path)
            except OSError:
                pass
    shutil.rmtree(os.path.join(DPDK_RUN_DIR, file_prefix), ignore_errors=True)


class Dataplane:
    """weir-dataplane running in lab.ns_dp.

    Dataplane(lab, conf_text, build_dir, workdir) writes conf_text to workdir/weir.conf
    and starts `<build_dir>/dataplane/weir-dataplane -c workdir/weir.conf` with stdout and
    stderr appended to workdir/dataplane.log. The config must put the runtime socket at
    workdir/weir.sock (config.base_config() does).

    conf_file: run an existing config instead of writing conf_text (which is then None);
    socket: where that config puts the runtime socket. args: extra command-line
    arguments. start=False: only prepare; call start() later.
    """

    def __init__(self, lab, conf_text, build_dir, workdir, *, conf_file=None, socket=None, args=(), start=True):
        self.lab = lab
        self.workdir = str(workdir)
        self.binary = os.path.join(os.path.abspath(build_dir), "dataplane", "weir-dataplane")
        self.conf_text = conf_text
        self.conf_path = os.path.abspath(conf_file) if conf_file else os.path.join(self.workdir, "weir.conf")
        self.socket = str(socket) if socket else os.path.join(self.workdir, "weir.sock")
        self.log_path = os.path.join(self.workdir, "dataplane.log")
        self.args = [str(a) for a in args]
        self.runtime = Runtime(self.socket)
        self.proc = None
        self.stopped = False  # stop() or kill() ended it (not a crash)
        if len(self.socket.encode()) > 107:
            raise DataplaneError(f"runtime socket path too long for AF_UNIX: {self.socket}")
        if start:
            self.start()

    def start(self):
        """Start the process (not waiting for it to be ready)."""
        if not os.access(self.binary, os.X_OK):
            raise DataplaneError(f"{self.binary} not found or not executable: build it first (scripts/build.sh)")
        os.makedirs(self.workdir, exist_ok=True)
        if self.conf_text is not None:
            with open(self.conf_path, "w") as f:
                f.write(self.conf_text)
        env = dict(os.environ)
        # Undefined behaviour fails the run in the sanitizer build instead of scrolling by.
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        with open(self.log_path, "ab") as log:
            self.proc = self.lab.popen(self.lab.ns_dp, [self.binary, "-c", self.conf_path, *self.args], stdout=log, stderr=subprocess.STDOUT, env=env)
        self.stopped = False
        return self

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=30):
        """Wait until the runtime socket answers `show info`. Raises DataplaneError (with
        the log's tail) if the process exits first or timeout seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise DataplaneError(f"weir-dataplane exited with code {self.proc.returncode} before it was ready\n{self.log_tail()}")
            try:
                if self.runtime.cmd("show info", timeout=2).strip():
                    return self
            except OSError:  # not listening yet; TimeoutError is an OSError too
                pass
            if time.monotonic() > deadline:
                raise DataplaneError(f"weir-dataplane's runtime socket {self.socket} did not answer within {timeout} s\n{self.log_tail()}")
            time.sleep(0.1)

    def cmd(self, line, timeout=None):
        """One runtime command; see Runtime.cmd()."""
        return self.runtime.cmd(line, timeout)

    def wait(self, timeout=20):
        """Wait for the process to exit by itself and return its exit code."""
        return self.proc.wait(timeout)

    def stop(self, timeout=20):
        """SIGTERM, wait up to timeout seconds, return the exit code (negative: killed by
        that signal). If it is still running then, SIGKILL it and raise DataplaneError."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise DataplaneError(f"weir-dataplane did not exit within {timeout} s of SIGTERM; killed it\n{self.log_tail()}")
        self.stopped = True
        return self.proc.returncode

    def kill(self):
        """SIGKILL if running, and remove the DPDK files it could not."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            prefix = self.file_prefix()
            if prefix:
                remove_dpdk_files(prefix)
        self.stopped = True

    def file_prefix(self):
        """global.file_prefix of the config, or None."""
        try:
            with open(self.conf_path) as f:
                m = re.search(r'\bfile_prefix\s*[=:]\s*"([^"]+)"', f.read())
        except OSError:
            return None
        return m.group(1) if m else None

    def log(self):
        """Everything the dataplane printed so far."""
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=60):
        tail = self.log().splitlines()[-lines:]
        return f"--- {self.log_path} (last {len(tail)} lines) ---\n" + "\n".join(tail)
