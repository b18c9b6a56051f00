"""Helpers shared by several test folders; the fixtures themselves stay in the conftest.py files."""
