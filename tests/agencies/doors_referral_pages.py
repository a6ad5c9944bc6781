"""Rows of the access matrix for the referral work pages: see test_access_matrix.py."""

REFERRAL_PAGE_DOORS: dict = {}
