"""An optional language model that rewrites a report's interpretation more fluently, and is never trusted.

The written interpretation of every section is computed from the numbers (deterministic, each
figure found in the section's tables). A director may ask an OpenAI-compatible chat endpoint
(`--llm-url`: a local llama.cpp, vLLM or Ollama server, or a hosted one) to make it read
better. Whatever comes back is checked: the figures written in the new text must be exactly
those of the old one, as a multiset (same numbers, as often). Any difference — a rounded,
invented or dropped figure — and the computed text stays, with a note saying why; so does a
failed, slow or malformed call. The key, when one is needed, comes from the environment
(`TENURE_LLM_API_KEY`) and is never written anywhere.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from tenure.reports.figures import figures_in

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

    from tenure.reports.board.section import Section

KEY_VARIABLE = "TENURE_LLM_API_KEY"
MODEL_VARIABLE = "TENURE_LLM_MODEL"
INSTRUCTIONS = (
    "You edit the written interpretation of a board report for a customer success team. Rewrite the text "
    "you are given so that it reads fluently and plainly for a board member. Keep its meaning. Keep every "
    "figure exactly as written, character for character, with its unit or suffix (12.3K, 4.5%, +1.2 pp, "
    "30 days, 2026-09-30): do not round, convert, spell out, add or drop any number. Keep the paragraph "
    "breaks (a blank line between paragraphs). Reply with the rewritten text only."
)


class RewriteFailed(Exception):
    """The endpoint gave no usable text; the message says why (it never holds the key)."""


def chat_endpoint(url: str) -> str:
    """`{base}/v1/chat/completions` from a server URL given with or without its `/v1` (or the full path)."""
    base = url.strip().rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return f"{base}/chat/completions"


def rewrite_sections(sections: Sequence[Section], *, url: str, model: str | None = None,
                     timeout: float = 30) -> list[str]:
    """Rewrite each section's narrative in place where the figures survive; the notes say where they did not."""
    import httpx

    key = os.environ.get(KEY_VARIABLE)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    endpoint = chat_endpoint(url)
    notes = []
    with httpx.Client(timeout=timeout, headers=headers) as client:
        try:
            chosen = model or os.environ.get(MODEL_VARIABLE) or _served_model(client, endpoint)
        except RewriteFailed as exc:
            return [f"language model not used: {exc}; every section keeps its computed text"]
        for section in sections:
            if not section.narrative:
                continue
            old = "\n\n".join(section.narrative)
            try:
                new = _rewrite(client, endpoint, chosen, old)
            except RewriteFailed as exc:
                notes.append(f"{section.title}: kept the computed text ({exc})")
                continue
            changed = _figure_changes(old, new)
            if changed:
                notes.append(f"{section.title}: kept the computed text (the rewrite changed figures: {changed})")
                continue
            section.narrative = [part.strip() for part in new.split("\n\n") if part.strip()]
    return notes


def _served_model(client: httpx.Client, endpoint: str) -> str:
    """The first model the server lists at `/v1/models` (servers that host one model need no name)."""
    import httpx

    models = endpoint.removesuffix("/chat/completions") + "/models"
    try:
        response = client.get(models)
        response.raise_for_status()
        return str(response.json()["data"][0]["id"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise RewriteFailed(f"no model named (set {MODEL_VARIABLE}) and {models} lists none ({_reason(exc)})") from None


def _rewrite(client: httpx.Client, endpoint: str, model: str, text: str) -> str:
    import httpx

    body = {"model": model, "temperature": 0,
            "messages": [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": text}]}
    try:
        response = client.post(endpoint, json=body)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise RewriteFailed(f"the language model call failed: {_reason(exc)}") from None
    if not isinstance(content, str) or not content.strip():
        raise RewriteFailed("the language model returned no text")
    return content.strip()


def _reason(exc: Exception) -> str:
    """A short, key-free account of what went wrong with a call."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "it timed out"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__}"
    return "the reply was not a chat completion"


def _figure_changes(old: str, new: str) -> str:
    """The figures added and dropped by a rewrite ('' when it kept exactly the same ones)."""
    before, after = Counter(figures_in(old)), Counter(figures_in(new))
    added, dropped = after - before, before - after
    parts = []
    if added:
        parts.append("added " + ", ".join(sorted(added.elements())))
    if dropped:
        parts.append("dropped " + ", ".join(sorted(dropped.elements())))
    return "; ".join(parts)
