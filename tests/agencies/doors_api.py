"""Rows of the access matrix for the API doors (/api/...): see test_access_matrix.py."""

API_DOORS: dict = {}
