"""Reading mapping files and presets, and combining several into one mapping.

A mapping file holds the same `sources:` section as `tenure.yaml`, so a mapping can move from
one to the other unchanged. A preset is a mapping file shipped with tenure
(`presets/<name>.yaml`), chosen by name.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from tenure.contract.mapping.model import Mapping, MappingFile
from tenure.errors import ConfigError, NotFound
from tenure.strict_yaml import UniqueKeyLoader

PRESETS = Path(__file__).parent / "presets"


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # a SafeLoader
    except FileNotFoundError:
        raise NotFound(f"{path}: no such mapping file") from None
    except IsADirectoryError:
        raise NotFound(f"{path}: is a folder, not a mapping file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a mapping file is a YAML mapping with a `sources:` section")
    return parse_mapping(raw, source=str(path)).located(path.parent, f"{path.name}: ")


def parse_mapping(raw: dict, *, source: str) -> Mapping:
    """Validate the content of a mapping file, translating Pydantic's errors into one ConfigError."""
    try:
        return MappingFile.model_validate(raw).sources.located(None, f"{source}: ")
    except ValidationError as exc:
        raise ConfigError("\n".join(error_lines(exc, source))) from None


def error_lines(exc: ValidationError, source: str) -> list[str]:
    """`file: key 'sources.files.0.derived.mrr': message`, one line per problem.

    A check that spans a whole file mapping reports `sub.key: message`; the sub-key joins the key.
    """
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: key '{key}': unknown key")
            continue
        message = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        shown = "" if err["type"] == "value_error" or isinstance(value, dict | list) else f" (got {value!r})"
        for line in message.splitlines():
            sub, sep, rest = line.partition(": ")
            if sep and re.fullmatch(r"[\w.*-]+", sub):
                lines.append(f"{source}: key '{key}.{sub}': {rest}{shown}")
            else:
                lines.append(f"{source}: key '{key or '(top level)'}': {line}{shown}")
    return lines


def presets() -> dict[str, Path]:
    """The presets shipped with tenure, by name."""
    return {path.stem: path for path in sorted(PRESETS.glob("*.yaml"))}


def preset_description(name: str) -> str:
    """The one-line description of a preset."""
    raw = yaml.safe_load(presets()[name].read_text(encoding="utf-8")) or {}
    return str(raw.get("description") or "").strip().splitlines()[0] if raw.get("description") else ""


def load_preset(name: str) -> Mapping:
    """The preset called `name`; an unknown name lists the known ones."""
    known = presets()
    if name not in known:
        listed = ", ".join(known) or "none"
        raise NotFound(f"unknown preset {name!r}; known presets: {listed}")
    return load_mapping(known[name])


def combine(mappings: list[Mapping]) -> Mapping:
    """One mapping from several (e.g. two presets): their files in order, their lookups together."""
    if len(mappings) == 1:
        return mappings[0]
    combined = Mapping()
    for mapping in mappings:
        for spec in mapping.files:  # each mapping's zone stays with its own files
            spec.timezone = spec.timezone or mapping.timezone
        for name, lookup in mapping.lookups.items():
            if name in combined.lookups:
                raise ConfigError(f"{lookup._origin}: the lookup {name!r} is also declared by "
                                  f"{combined.lookups[name]._origin}")
            combined.lookups[name] = lookup
        combined.files.extend(mapping.files)
    return combined


def choose(*, mapping_files: list[Path] | None = None, preset_names: list[str] | None = None,
           configured: Mapping | None = None, workspace: Path | None = None) -> Mapping | None:
    """The mapping of a command: `--mapping` files and `--preset`s if given, else tenure.yaml's `sources:`."""
    chosen = [load_mapping(path) for path in mapping_files or []]
    chosen += [load_preset(name) for name in preset_names or []]
    if chosen:
        return combine(chosen)
    if configured is not None and configured.files:
        return configured.located(workspace, "tenure.yaml: ")
    return None
