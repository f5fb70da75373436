"""The installed package must carry every subpackage and the default rule pack."""

from __future__ import annotations

import tomllib
from pathlib import Path

from whatsapp_audit.rules.pack import default_pack_dir, load_pack

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(ROOT).parts) for p in (ROOT / "whatsapp_audit").rglob("*")
             if p.is_dir() and "__pycache__" not in p.parts and any(p.glob("*.py"))}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_default_pack_is_the_rules_folder_and_loads():
    assert sorted(p.name for p in default_pack_dir().glob("*.yaml")) == \
        sorted(p.name for p in (ROOT / "rules").glob("*.yaml"))
    pack = load_pack()
    assert pack.rules and pack.name and pack.version
