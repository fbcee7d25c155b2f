"""The rules engine: one small module per rule, an explicit registry, and the year's config models."""
