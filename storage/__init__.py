"""Persistence: Tortoise models and database lifecycle, and the key-value stores (memory or Redis)."""
