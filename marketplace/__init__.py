"""Institutions, listings and the workflows on them."""
