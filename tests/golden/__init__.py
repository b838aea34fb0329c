"""Golden answers and the records the tap wrote for them before issue 10's emit-path work."""
