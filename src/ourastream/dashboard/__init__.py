"""The live web dashboard of the rolling window."""
