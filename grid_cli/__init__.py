"""grid: an offline-first ledger for village grid monitors (防止返贫动态监测)."""

__version__ = "0.1.0"
