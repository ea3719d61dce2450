"""Every reason a conversion can fail with by code has a German and an English text on the dashboard."""

from __future__ import annotations

import pytest

from app.domain.media.archive import REFUSAL_CODES
from app.domain.media.converters import LIMIT_CODES
from app.ui.i18n import TEXTS, translate
from app.ui.pages.media.library import _conversion_error


@pytest.mark.parametrize("code", [*REFUSAL_CODES, *LIMIT_CODES])
def test_each_failure_code_reads_in_german_and_english(code: str) -> None:
    key = f"conversion_error.{code}"
    assert key in TEXTS
    german, english = translate(key, "de"), translate(key, "en")
    assert german and english and german != english
    # Outside a browser session the page speaks German.
    assert _conversion_error({"errorCode": code, "errorMessage": "Nachricht der API"}) == german


def test_without_a_known_code_the_api_message_is_shown() -> None:
    assert _conversion_error({"errorCode": None, "errorMessage": "LibreOffice ist abgestürzt."}) == (
        "LibreOffice ist abgestürzt."
    )
    assert _conversion_error({"errorCode": "something_new", "errorMessage": "Neu."}) == "Neu."
    assert _conversion_error({}) is None
