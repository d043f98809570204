"""The rolling window drawn with matplotlib."""
