"""Benchmarks: scripts that measure the system on seeded PostgreSQL data (see README.md)."""
