"""YAML read strictly: tenure.yaml and mapping files refuse a key given twice."""

from __future__ import annotations

import yaml


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in a mapping (YAML forbids it; PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' is given twice (line {key_node.start_mark.line + 1})",
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)
