"""The data contract: canonical tables, their validation and loading into the warehouse."""
