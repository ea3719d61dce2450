"""Stored German failure texts are shown in English to an English reader, with their details kept."""

from __future__ import annotations

import string

from app.domain.media.converters import _classify_http_failure, output_too_large
from app.domain.periods.feed_fetch import FeedError
from app.messages import MESSAGES, translate_stored
from app.messages.failures import MESSAGES as FAILURES


def test_converter_failures_as_the_domain_writes_them_read_in_english() -> None:
    refused = _classify_http_failure(400, "scripted failure 400").message
    assert translate_stored(refused, "en") == "The file could not be converted (HTTP 400): scripted failure 400"
    unavailable = _classify_http_failure(503, "busy").message
    assert translate_stored(unavailable, "en") == "Gotenberg temporarily unavailable (HTTP 503): busy"
    too_large = output_too_large(50 * 1024 * 1024).message
    assert translate_stored(too_large, "en") == (
        "The produced PDF would be larger than 50 MB; the conversion was stopped."
    )


def test_nested_texts_and_domain_messages_are_translated_and_german_stays_german() -> None:
    retried = "Gotenberg ist nicht erreichbar: ConnectError: refused (nach 3 Versuchen)"
    assert translate_stored(retried, "en") == "Gotenberg cannot be reached: ConnectError: refused (after 3 attempts)"
    assert translate_stored(retried, "de") == retried
    feed = FeedError("Der Server antwortete mit HTTP 404.", 404)
    assert translate_stored(feed.message, "en") == "The server answered with HTTP 404."
    german, english = MESSAGES["auth.forbidden"]
    assert translate_stored(german, "en") == english


def test_unknown_text_is_shown_as_it_is() -> None:
    assert translate_stored("Etwas ganz anderes", "en") == "Etwas ganz anderes"
    assert translate_stored(None, "en") == ""


def test_every_failure_template_has_the_same_parameters_in_both_languages() -> None:
    for key, (german, english) in FAILURES.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(german) if name}
        assert fields == {name for _, name, _, _ in string.Formatter().parse(english) if name}, key
