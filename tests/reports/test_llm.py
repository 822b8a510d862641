"""The optional language-model rewrite against real local HTTP servers that behave well and badly."""

from __future__ import annotations

import pytest

from reports.fake_chat import chat_server, completion
from tenure.reports.board.section import Section
from tenure.reports.llm import chat_endpoint, rewrite_sections

ORIGINAL = ["ARR grew 4.2% to 12.3M in the quarter, led by expansion of 850K.",
            "GRR was 91.5% against a target of 90.0% (+1.5 pp)."]
FAITHFUL = ("In the quarter ARR rose 4.2% to 12.3M, driven by 850K of expansion.\n\n"
            "At 91.5%, GRR beat its 90.0% target by +1.5 pp.")
UNFAITHFUL = "ARR rose about 4% to 12.3M on 850K of expansion.\n\nGRR of 91.5% beat its 90.0% target by 1.5 pp."

def sections() -> list[Section]:
    return [Section("headline", "Headline", narrative=list(ORIGINAL)),
            Section("empty", "Forecast", no_data="no model trained")]


def test_a_faithful_rewrite_replaces_the_text_and_the_server_sees_model_and_messages():
    with chat_server(lambda body: completion(FAITHFUL)) as (url, received):
        made = sections()
        notes = rewrite_sections(made, url=url + "/v1/")
    assert notes == []
    assert made[0].narrative == FAITHFUL.split("\n\n")
    assert len(received) == 1  # the section without a narrative is not sent
    body = received[0]
    assert body["_path"] == "/v1/chat/completions"
    assert body["model"] == "local-model"  # the one model the server lists
    assert body["messages"][0]["role"] == "system" and "figure" in body["messages"][0]["content"]
    assert body["messages"][1]["content"] == "\n\n".join(ORIGINAL)


def test_a_rewrite_that_changes_a_figure_is_rejected_and_the_computed_text_kept():
    with chat_server(lambda body: completion(UNFAITHFUL)) as (url, _):
        made = sections()
        notes = rewrite_sections(made, url=url, model="m")
    assert made[0].narrative == ORIGINAL
    assert len(notes) == 1
    assert notes[0].startswith("Headline: kept the computed text")
    assert "added 4" in notes[0] and "dropped 4.2%" in notes[0]


def test_a_server_error_keeps_the_text_with_a_note_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("TENURE_LLM_API_KEY", "sk-secret-123")
    with chat_server(lambda body: (500, {"error": "boom"})) as (url, received):
        made = sections()
        notes = rewrite_sections(made, url=url, model="m")
    assert made[0].narrative == ORIGINAL
    assert notes == ["Headline: kept the computed text (the language model call failed: HTTP 500)"]
    assert received[0]["_authorization"] == "Bearer sk-secret-123"
    assert "sk-secret" not in " ".join(notes)


@pytest.mark.parametrize("reply", [
    lambda body: (200, "not json at all"),
    lambda body: (200, {"choices": []}),
    lambda body: completion("   "),
])
def test_junk_replies_keep_the_text(reply):
    with chat_server(reply) as (url, _):
        made = sections()
        notes = rewrite_sections(made, url=url, model="m")
    assert made[0].narrative == ORIGINAL
    assert len(notes) == 1 and notes[0].startswith("Headline: kept the computed text (the language model")


def test_a_slow_server_times_out_and_the_text_stays():
    import time

    def slow(body):
        time.sleep(1.0)
        return completion(FAITHFUL)

    with chat_server(slow) as (url, _):
        made = sections()
        notes = rewrite_sections(made, url=url, model="m", timeout=0.2)
    assert made[0].narrative == ORIGINAL
    assert notes == ["Headline: kept the computed text (the language model call failed: it timed out)"]


def test_no_model_named_and_none_listed_leaves_every_section_alone():
    with chat_server(lambda body: completion(FAITHFUL), models=[]) as (url, received):
        made = sections()
        notes = rewrite_sections(made, url=url)
    assert made[0].narrative == ORIGINAL and received == []
    assert len(notes) == 1 and "TENURE_LLM_MODEL" in notes[0] and "HTTP 404" in notes[0]


def test_an_unreachable_endpoint_is_a_note_not_a_traceback():
    with chat_server(lambda body: completion(FAITHFUL)) as (url, _):
        pass  # the server is gone: its port refuses connections
    made = sections()
    notes = rewrite_sections(made, url=url, model="m", timeout=2)
    assert made[0].narrative == ORIGINAL
    assert notes == ["Headline: kept the computed text (the language model call failed: ConnectError)"]


@pytest.mark.parametrize("url", ["http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/",
                                 "http://h:1/v1/chat/completions"])
def test_the_endpoint_is_found_with_or_without_v1(url):
    assert chat_endpoint(url) == "http://h:1/v1/chat/completions"
