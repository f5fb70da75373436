"""Option types shared by several commands."""

from __future__ import annotations

from enum import StrEnum

from whatsapp_audit.parse.dialect import ORDERS


class FailOn(StrEnum):
    info = "info"
    warning = "warning"
    breach = "breach"
    never = "never"


DateOrder = StrEnum("DateOrder", {o: o for o in ORDERS})   # --date-order: parse/dialect.py's orders
