"""Option types shared by several commands."""

from __future__ import annotations

from enum import StrEnum


class FailOn(StrEnum):
    info = "info"
    warning = "warning"
    breach = "breach"
    never = "never"


class DateOrder(StrEnum):
    auto = "auto"
    dmy = "dmy"
    mdy = "mdy"
