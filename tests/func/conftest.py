# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of Weir's functional tests: a namespace lab per test module, and
weir-dataplane started in it from a config each test writes.

    def test_x(lab, nginx, dataplane, workdir):
        dp = dataplane(base_config(lab, workdir, extra=BACKENDS_AND_SERVICES))
        r = lab.run(lab.ns_client, ["curl", "-s", f"http://{lab.vip}/"])

WEIR_BUILD picks the build directory whose weir-dataplane runs (default: build).
"""

import atexit
import itertools
import os
import signal
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from weirlab import Dataplane, Lab, cleanup_stale  # noqa: E402

_lab_numbers = itertools.count(1)
_labs_up = set()  # labs whose finalizer has not run yet; removed at exit if it never does


def _down_leftover_labs():
    for lab in list(_labs_up):
        lab.down()


def _sigterm(signum, frame):
    # Stopped from outside: unwind like Ctrl-C, so the finalizers remove the labs.
    raise KeyboardInterrupt()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long test; deselect with -m 'not slow'")
    signal.signal(signal.SIGTERM, _sigterm)
    atexit.register(_down_leftover_labs)


def pytest_sessionstart(session):
    if os.geteuid() == 0:
        removed = cleanup_stale()
        if removed:
            print(f"weirlab: removed stale labs {' '.join(removed)}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with the tail of each dataplane log it started."""
    outcome = yield
    rep = outcome.get_result()
    factory = getattr(item, "funcargs", {}).get("dataplane")
    if rep.failed and isinstance(factory, DataplaneFactory):
        for n, dp in enumerate(factory.instances):
            if dp.log_path not in str(rep.longrepr):  # a DataplaneError already shows it
                rep.sections.append((f"weir-dataplane {n} log", dp.log_tail()))


@pytest.fixture(scope="module")
def lab(request):
    """The test network (weirlab.Lab), built once per module and always removed."""
    if os.geteuid() != 0:
        pytest.fail("the functional tests need root (network namespaces)")
    lab = Lab(f"wt{os.getpid()}n{next(_lab_numbers)}")
    _labs_up.add(lab)

    def down():
        _labs_up.discard(lab)
        lab.down()

    request.addfinalizer(down)  # before up(): a half-built lab is removed too
    lab.up()
    return lab


@pytest.fixture(scope="module")
def nginx(lab, tmp_path_factory):
    """nginx on every server of the lab (each page says "served by sN (10.1.0.1N)")."""
    d = tmp_path_factory.mktemp("nginx")
    for i in range(len(lab.servers)):
        lab.start_nginx(i, str(d))
    yield lab
    for i in range(len(lab.servers)):
        lab.stop_nginx(i)


@pytest.fixture
def workdir(tmp_path):
    """A fresh directory for this test's config, logs and runtime socket."""
    return str(tmp_path)


@pytest.fixture(scope="session")
def build_dir():
    """Absolute build directory from WEIR_BUILD (default "build"), relative to the
    repository root; fails when it holds no weir-dataplane."""
    d = os.path.join(ROOT, os.environ.get("WEIR_BUILD", "build"))
    binary = os.path.join(d, "dataplane", "weir-dataplane")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} does not exist: build it first (scripts/build.sh), or set WEIR_BUILD")
    return d


class DataplaneFactory:
    """dataplane(conf_text, ready=True, timeout=30, **kw) -> weirlab.Dataplane started
    in the lab with that config (kw: see Dataplane). ready: wait until its runtime
    socket answers; teardown then also requires that it did not die during the test.
    At teardown every one still running is stopped with SIGTERM and must exit 0."""

    def __init__(self, lab, build_dir, workdir):
        self.lab, self.build_dir, self.workdir = lab, build_dir, workdir
        self.instances = []
        self._ready = []

    def __call__(self, conf_text, ready=True, timeout=30, **kw):
        dp = Dataplane(self.lab, conf_text, self.build_dir, self.workdir, **kw)
        self.instances.append(dp)
        self._ready.append(ready)
        if ready:
            dp.wait_ready(timeout)
        return dp

    @property
    def last(self):
        if not self.instances:
            raise RuntimeError("no dataplane started in this test")
        return self.instances[-1]

    def teardown(self):
        problems = []
        for dp, ready in zip(self.instances, self._ready):
            if dp.proc is None:
                continue
            problem = None
            try:
                if dp.running():
                    rc = dp.stop()
                    if rc != 0:
                        problem = f"weir-dataplane (pid {dp.pid}) exited with code {rc} after SIGTERM, expected 0"
                elif ready and not dp.stopped:
                    problem = f"weir-dataplane (pid {dp.pid}) died during the test with code {dp.proc.returncode}"
            except Exception as e:  # stop() timed out and killed it
                problem = str(e).splitlines()[0]
            finally:
                dp.kill()
            if problem:
                problems.append(problem)
        assert not problems, "\n".join(problems)  # the logs follow in the report


@pytest.fixture
def dataplane(request, lab, build_dir, workdir):
    """Factory: dataplane(conf_text) starts weir-dataplane; see DataplaneFactory."""
    factory = DataplaneFactory(lab, build_dir, workdir)
    request.addfinalizer(factory.teardown)
    return factory


class RuntimeHelper:
    """runtime("show info") -> answer text of the last dataplane started in this test;
    runtime.info() and runtime.stat() parse `show info` and `show stat`."""

    def __init__(self, factory):
        self._factory = factory

    def __call__(self, line, timeout=None):
        return self._factory.last.runtime.cmd(line, timeout)

    def info(self):
        return self._factory.last.runtime.info()

    def stat(self):
        return self._factory.last.runtime.stat()


@pytest.fixture
def runtime(dataplane):
    return RuntimeHelper(dataplane)
