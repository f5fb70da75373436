"""Split a message's text into plain and evidence segments, for every format that highlights evidence."""

from __future__ import annotations

from whatsapp_audit.model import Evidence


def segments(text: str, evidence: list[Evidence]) -> list[tuple[str, bool]]:
    """[(chunk, is_evidence), ...] covering `text` in order; overlapping spans are merged."""
    spans = sorted((e.start, e.end) for e in evidence if 0 <= e.start < e.end <= len(text))
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out: list[tuple[str, bool]] = []
    pos = 0
    for s, e in merged:
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < len(text):
        out.append((text[pos:], False))
    return out
