"""双创专区: Wagtail pages for innovation news and policy."""
