"""Personal details in chat text: UK phone numbers, e-mail addresses, postcodes and street addresses, dates of
birth, vehicle registrations. Pure regular expressions plus validation, so a date, a price or a time is never
taken for a phone number. Health details need word lists and a person nearby: see rules/types/details.py.

Every finder returns (start, end, text) spans.
"""

from __future__ import annotations

import re

import regex

Span = tuple[int, int, str]

# A run of digits with the separators people use in phone numbers (never / or :, which dates and times use).
_PHONE = regex.compile(
    r"(?<![\w£$€¥%+.,/])(?:\+|00)?\s?\(?\d[\d\s().\-\u00a0]{7,18}\d(?![\w%]|[.,]\d|\s?(?:p|pm|am)\b)",
    regex.V1 | regex.I)
_NOT_PHONE_BEFORE = regex.compile(r"(?:order|ref|reference|account|acc|invoice|booking|tracking|policy|id|pin|"
                                  r"code|serial|barcode)\s*(?:no\.?|number|#)?\s*[:.]?\s*$", regex.V1 | regex.I)
_DATEISH = regex.compile(r"^\(?\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}\b")
_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", regex.V1 | regex.I)
# UK postcode areas (the letters before the first digit): validating them keeps "KS2 3RD" and "Y6 5PM" out.
_AREAS = """AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT
DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME
MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN
TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"""
AREAS = frozenset(_AREAS.split())
_POSTCODE = regex.compile(r"\b(?P<area>[A-Z]{1,2})\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", regex.V1)
_POSTCODE_I = regex.compile(r"\b(?P<area>[A-Za-z]{1,2})\d[A-Za-z\d]?\s+\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}\b",
                            regex.V1)
STREET_TYPES = ("Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Way|Drive|Dr|Crescent|Cres|Court|Ct|Gardens|Gdns|"
                "Grove|Gr|Place|Pl|Terrace|Terr|Hill|Park|Row|Mews|View|Walk|Square|Sq|Rise|Green|Vale|Parade|"
                "Meadows?|Fields|Croft|Chase|Gate|Wharf|Heights|Boulevard|Estate")
_STREET_NAME = r"(?:[A-Z][\w'’\-]+\s+){1,3}(?:" + STREET_TYPES + r")\b\.?"
_ADDRESS = regex.compile(
    r"\b(?:(?:flat|apartment|apt|unit)\s+\d+[A-Za-z]?,?\s+)?(?:no\.?\s*)?\d{1,4}[A-Za-z]?,?\s+" + _STREET_NAME,
    regex.V1)
# "the flat above the chippy on Chapel Lane", "they live on Moss Lane": where a family lives.
_RESIDENCE = regex.compile(
    r"\b(?:(?:lives?|living|moved(?:\s+in)?|stays?|staying)\s+(?:on|in|at|round|down|up)\s+(?:the\s+)?"
    r"|(?:flat|house|home|bungalow)\s+(?:[\w'’]+\s+){0,6}?(?:on|in)\s+)" + _STREET_NAME,
    regex.V1 | regex.I)
_MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
           "oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_DATE = (r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS +
         r")(?:\s+\d{4})?|(?:" + _MONTHS + r")\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|(?:" + _MONTHS +
         r")\s+\d{4}|\d{4}-\d{2}-\d{2})")
_DOB = regex.compile(
    r"\b(?:(?:d\.?o\.?b\.?|date\s+of\s+birth)\b\s*(?:is|was|:|-)?\s*(?:" + _DATE + r")?"
    r"|born\s+(?:on\s+(?:the\s+)?|in\s+)?(?:" + _DATE + r")"
    r"|birthday\s+is\s+(?:on\s+)?(?:the\s+)?(?:" + _DATE + r"))",
    regex.V1 | regex.I)
# Current-format number plates ("FL19 ABC") and "reg (plate/number) (is/starts) FL19": a car people can find.
_PLATE = regex.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", regex.V1)
_REG = regex.compile(r"\b(?:reg(?:istration)?|number\s*plate|plate)\s+(?:number\s+|plate\s+)?(?:is\s+|starts\s+"
                     r"(?:with\s+)?|was\s+)?(?P<hit>[A-Z]{1,3}\d{1,3}[A-Z]{0,3}|[A-Z]{2}\d{2}\s?[A-Z]{3})\b",
                     regex.V1 | regex.I)

TIMEOUT = 0.5


def _national(digits: str, plus: bool) -> str | None:
    if plus or digits.startswith("00"):
        d = digits[2:] if digits.startswith("00") else digits
        if not d.startswith("44"):
            return None
        d = d[2:]
        return "0" + d.lstrip("0") if d else None
    return digits


def is_uk_phone(candidate: str) -> bool:
    """Whether a digit run is a UK mobile or landline number in any common writing."""
    s = candidate.strip()
    if _DATEISH.match(s) or s.count(".") > 2:
        return False
    plus = s.startswith("+")
    s2 = s.replace("(0)", "")
    digits = "".join(c for c in s2 if c.isdigit())
    nat = _national(digits, plus)
    if nat is None:
        return False
    if not nat.startswith("0"):
        return False
    if nat.startswith("07"):
        return len(nat) == 11 and not nat.startswith("070")
    if nat.startswith(("01", "02")):
        return len(nat) in (10, 11)
    return False


def _digits(text: str) -> int:
    return sum(map(str.isdigit, text))


_ADDRESS_WORDS = re.compile(r"liv|flat|house|home|bungalow|stay|moved|apartment", re.I)
_DOB_WORDS = re.compile(r"dob|d\.o\.b|birth|born", re.I)
_REG_WORDS = re.compile(r"reg|plate|[A-Za-z]{2}\d{2}", re.I)


def phones(text: str) -> list[Span]:
    if _digits(text) < 9:
        return []
    out = []
    for m in _PHONE.finditer(text, timeout=TIMEOUT):
        s, e = m.start(), m.end()
        raw = m.group()
        lead = len(raw) - len(raw.lstrip())
        if is_uk_phone(raw) and not _NOT_PHONE_BEFORE.search(text[max(0, s - 24):s]):
            out.append((s + lead, e, raw.strip()))
    return out


def emails(text: str) -> list[Span]:
    return [(m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text, timeout=TIMEOUT)]


def postcodes(text: str) -> list[Span]:
    if _digits(text) < 2:
        return []
    out = []
    for pat in (_POSTCODE, _POSTCODE_I):
        for m in pat.finditer(text, timeout=TIMEOUT):
            if m.group("area").upper() in AREAS and not any(s <= m.start() < e for s, e, _ in out):
                out.append((m.start(), m.end(), m.group()))
    return sorted(out)


def addresses(text: str) -> list[Span]:
    out = [(m.start(), m.end(), m.group()) for m in _ADDRESS.finditer(text, timeout=TIMEOUT)] \
        if _digits(text) else []
    if not _ADDRESS_WORDS.search(text):
        return out
    for m in _RESIDENCE.finditer(text, timeout=TIMEOUT):
        if not any(s < m.end() and m.start() < e for s, e, _ in out):
            out.append((m.start(), m.end(), m.group()))
    return sorted(out)


def dates_of_birth(text: str) -> list[Span]:
    if not _DOB_WORDS.search(text):
        return []
    out = []
    for m in _DOB.finditer(text, timeout=TIMEOUT):
        t = m.group().rstrip(" :-")
        out.append((m.start(), m.start() + len(t), t))
    return out


def vehicles(text: str) -> list[Span]:
    if not _REG_WORDS.search(text):
        return []
    out = [(m.start("hit"), m.end("hit"), m.group("hit")) for m in _REG.finditer(text, timeout=TIMEOUT)]
    for m in _PLATE.finditer(text, timeout=TIMEOUT):
        if not any(s < m.end() and m.start() < e for s, e, _ in out):
            out.append((m.start(), m.end(), m.group()))
    return sorted(out)
