import os
import sys
from pathlib import Path

import pytest

# Let tests import the small helper modules that live beside them (rulekit.py ...).
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """CLI scans use the re-scan cache by default: keep it out of the real ~/.cache during tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    yield
    mp.undo()


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A re-scan cache folder of this test's own (tests/test_cache.py, tests/test_checkpoint.py)."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "wa-audit"


@pytest.fixture(scope="module")
def pack():
    """The default rule pack (a module may define its own `pack`)."""
    from whatsapp_audit.rules.pack import load_pack

    return load_pack()


@pytest.fixture(scope="module")
def group():
    """The bundled example's group file (a module may define its own `group`)."""
    from whatsapp_audit.roster.load import load_group

    return load_group(str(Path(__file__).resolve().parents[1] / "examples" / "group.yaml"))


# ---------------------------------------------------------------------------------------------- offline
# Every test fails if any code path (in this process or a Python subprocess it starts) opens an internet
# socket or looks up a host name: see netguard.py. Installed here, at import, before any test module has
# imported wa-audit, so network use at import time is caught as well.
import netguard  # noqa: E402

netguard.install()
_SITE = str(Path(__file__).parent / "netguard_site")


@pytest.fixture(autouse=True, scope="session")
def _offline_subprocesses(tmp_path_factory):
    log = tmp_path_factory.mktemp("netguard") / "attempts.log"
    mp = pytest.MonkeyPatch()
    mp.setenv(netguard.ENV, str(log))
    mp.setenv("PYTHONPATH", os.pathsep.join(p for p in (_SITE, os.environ.get("PYTHONPATH", "")) if p))
    yield log
    mp.undo()


_checked = {"attempts": 0, "log": 0}   # what earlier checks have seen: attempts at collection count too


@pytest.fixture(autouse=True)
def _no_network(_offline_subprocesses):
    """Fail the test that made (or whose subprocess made) a network attempt, even if the code caught it;
    an attempt made outside any test (while collecting, at import) fails the next test."""
    log = _offline_subprocesses
    yield
    tried = netguard.attempts[_checked["attempts"]:]   # also in the log, unless a test cleared the variable
    _checked["attempts"] = len(netguard.attempts)
    size = log.stat().st_size if log.exists() else 0
    if size > _checked["log"]:
        with open(log, encoding="utf-8") as f:
            f.seek(_checked["log"])
            tried = [f.read()]
    _checked["log"] = size
    if tried:
        pytest.fail("network access attempted (wa-audit must run offline):\n" + "\n".join(tried), pytrace=False)
