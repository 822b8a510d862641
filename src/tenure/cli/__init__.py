"""The `tenure` command: one module per noun, each command thin (CONVENTIONS rule 6)."""
