"""The README documents every account metric exactly as the registry defines it."""

from pathlib import Path

from tenure.metrics.registry import METRICS

README = Path(__file__).parents[1] / "README.md"


def test_every_registered_metric_is_documented_with_its_definition():
    text = README.read_text(encoding="utf-8")
    missing = [m.name for m in METRICS
               if f"| `{m.name}` | {m.family} | {m.unit} | {m.needs} | {m.description} |" not in text]
    assert missing == []
