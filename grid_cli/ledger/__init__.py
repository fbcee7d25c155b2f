"""The ledger: one SQLite file per grid or hub, its schema, its single write path, and its queries."""

from grid_cli.ledger.store import Ledger, Writer, canonical

__all__ = ["Ledger", "Writer", "canonical"]
