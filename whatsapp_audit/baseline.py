"""Review baselines: findings a class rep has already looked at, so the next scan shows only new ones.

Every finding carries a `fingerprint` that survives re-exporting the chat (which renumbers lines and
messages, may drop the oldest messages, and may come from another phone):

    message findings: category + author + time to the minute + the message's kind and normalised text
    roster findings:  category + rule + the member concerned

Normalised text: Unicode NFKC, WhatsApp's invisible direction marks removed, case-folded, runs of white
space collapsed. The rule id is left out of message findings on purpose: per message there is one finding per
category, and editing the rules may change which rule names it. When several findings share all of that (one
member posting the same text twice in a minute) the second and later get `#2`, `#3` ... mixed in, in file
order. A fingerprint is 16 hex digits; commands accept any unique prefix of 6 or more.

The baseline file (`reviewed.json`) is JSON a person may edit:

    {"wa-audit-baseline": 1,
     "findings": {"3f9a0c1d22e4b7a8": {"category": "humour", "rule": "humour-laughing", "member": "Jane Smith",
                                      "when": "2024-01-02T10:11", "reviewed": "2024-05-01", "reason": "..."}}}

Only the fingerprint matters when matching; the other fields are for people. It holds member names (not
message text), so it is written readable by its owner only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import re
import tempfile
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Finding
from whatsapp_audit.spool import Findings

if TYPE_CHECKING:
    from whatsapp_audit.results import ScanResult

FORMAT = 1
MIN_PREFIX = 6
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalise(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(_INVISIBLE.sub("", text).casefold().split())


_author = functools.lru_cache(maxsize=4096)(normalise)


def _basis(f: Finding) -> str:
    m = f.message
    if m is None:
        return "\x1f".join(("roster", f.category, f.rule, normalise(f.subject or "")))
    return "\x1f".join(("message", f.category, _author(m.author or ""), m.timestamp[:16], m.kind,
                        normalise(m.text)))


MINUTES_KEPT = 1024


class Fingerprints:
    """Sets each finding's `fingerprint`, fed a whole chat's findings in file order (as a scan yields them).

    Repeats can only happen within one minute (the time is part of the basis), so repeats are counted per
    minute, for the last MINUTES_KEPT minutes seen: memory stays flat however long the chat. Only an
    export edited so that a minute comes back after a thousand others could give two findings one print."""

    def __init__(self) -> None:
        self.minutes: OrderedDict[str, Counter[bytes]] = OrderedDict()

    def assign(self, f: Finding) -> None:
        basis = _basis(f)
        digest = hashlib.blake2b(basis.encode(), digest_size=8).digest()
        minute = f.message.timestamp[:16] if f.message is not None else ""
        seen = self.minutes.get(minute)
        if seen is None:
            seen = self.minutes[minute] = Counter()
            if len(self.minutes) > MINUTES_KEPT:
                self.minutes.popitem(last=False)
        else:
            self.minutes.move_to_end(minute)
        seen[digest] += 1
        n = seen[digest]
        if n > 1:
            digest = hashlib.blake2b(f"{basis}\x1f#{n}".encode(), digest_size=8).digest()
        f.fingerprint = digest.hex()

    def save(self) -> bytes:
        """The tracker's state (bounded: MINUTES_KEPT minutes), for a re-scan to carry on from (cache.py)."""
        return pickle.dumps(self.minutes, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, saved: bytes) -> None:
        self.minutes = pickle.loads(saved)


def assign(findings: Iterable[Finding]) -> None:
    """Set each finding's `fingerprint` (in place). Call once on a whole chat's findings, in file order."""
    fp = Fingerprints()
    for f in findings:
        fp.assign(f)


@dataclass(slots=True)
class Baseline:
    path: str
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # other top-level keys, kept as they are

    @classmethod
    def load(cls, path: str, *, missing_ok: bool = False) -> Baseline:
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except FileNotFoundError:
            if missing_ok:
                return cls(path)
            raise UserError("baseline file not found", path=path,
                            hint="make one with `wa-audit scan CHAT --write-baseline FILE`") from None
        except json.JSONDecodeError as e:
            raise UserError(f"not a valid baseline file: {e.msg}", path=path, line=e.lineno, col=e.colno) from None
        except (OSError, UnicodeDecodeError) as e:
            raise UserError(f"cannot read the baseline file: {e}", path=path) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("findings", {}), dict):
            raise UserError("not a baseline file: expected {\"wa-audit-baseline\": 1, \"findings\": {...}}",
                            path=path)
        found = doc.pop("findings", {})
        entries = {}
        for fp, entry in found.items():
            if not isinstance(entry, dict):
                entry = {"reason": str(entry)} if entry else {}
            entries[str(fp).strip().lower()] = entry
        doc.pop("wa-audit-baseline", None)
        return cls(path, entries, doc)

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.findings

    def add(self, f: Finding, reason: str | None = None, when: date | None = None) -> bool:
        """Record a finding as reviewed; True when it was not in the baseline before. A reason given
        replaces the old one; without one an existing reason is kept."""
        entry = self.findings.get(f.fingerprint)
        new = entry is None
        if entry is None:
            entry = self.findings[f.fingerprint] = {}
        entry.update({"category": f.category, "rule": f.rule, "member": f.member,
                      "when": f.message.timestamp[:16] if f.message is not None else None})
        if new or reason is not None:
            entry["reviewed"] = (when or date.today()).isoformat()
        if reason is not None or "reason" not in entry:
            entry["reason"] = reason or ""
        return new

    def save(self) -> None:
        doc = {"wa-audit-baseline": FORMAT, **self.extra,
               "findings": dict(sorted(self.findings.items(), key=lambda kv: (str(kv[1].get("when")), kv[0])))}
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        folder = os.path.dirname(os.path.abspath(self.path))
        if os.path.isdir(self.path):
            raise UserError("is a folder, not a file", path=self.path, hint="give a file name such as reviewed.json")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(self.path)}.", suffix=".tmp", dir=folder)
        except OSError as e:
            raise UserError(f"cannot write the baseline here: {e.strerror}", path=self.path) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def resolve(self, wanted: str, findings: list[Finding]) -> Finding:
        """The one finding a (prefix of a) fingerprint names."""
        w = wanted.strip().lower()
        if len(w) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in w):
            raise UserError(f"--finding {wanted!r}: give the finding's fingerprint (16 hex digits, or the first "
                            f"{MIN_PREFIX} or more)")
        hits = [f for f in findings if f.fingerprint.startswith(w)]
        if not hits:
            raise UserError(f"no finding with fingerprint {wanted} in this chat",
                            hint="list them with `wa-audit review CHAT --baseline FILE` (same --group/--rules "
                                 "as the scan)")
        if len(hits) > 1:
            raise UserError(f"fingerprint prefix {wanted} matches {len(hits)} findings: "
                            + ", ".join(f.fingerprint for f in hits[:5]), hint="give more digits")
        return hits[0]


def apply(result: ScanResult, baseline: Baseline) -> int:
    """Drop the findings the baseline lists from `result` (in place); returns how many were dropped."""
    kept = Findings(f for f in result.findings if f.fingerprint not in baseline)
    suppressed = len(result.findings) - len(kept)
    result.findings.close()
    result.findings = kept
    return suppressed


def record(result: ScanResult, baseline: Baseline) -> int:
    """Add every finding of `result` to the baseline; returns how many were new to it."""
    return sum(baseline.add(f) for f in result.findings)


def use(results: list[ScanResult], show_new_from: str | None, write_to: str | None) -> list[str]:
    """`--write-baseline` (record every finding, before any is left out) then `--baseline` (leave out the
    reviewed ones, noting how many on each result). Returns notes for the user."""
    notes = []
    base = Baseline.load(show_new_from) if show_new_from else None   # as it was before this run writes to it
    if write_to:
        target = Baseline.load(write_to, missing_ok=True)
        total = sum(len(r.findings) for r in results)
        new = sum(record(r, target) for r in results)
        target.save()
        notes.append(f"recorded {total} findings as reviewed in {write_to} ({new} new to it)")
    if show_new_from and base is not None:
        for r in results:
            n = apply(r, base)
            r.baseline = {"file": show_new_from, "suppressed": n}
        n = sum(r.baseline["suppressed"] for r in results if r.baseline)
        if n:
            notes.append(f"{n} findings already reviewed in {show_new_from} are not shown")
    return notes
