"""Tests for tap-pinterest."""
