"""Dagster definitions that run the Meltano shard jobs in parallel (README, Production)."""
