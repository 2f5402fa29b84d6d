"""A tiny blink-pattern library; compiled to .mpy by mpyship."""
