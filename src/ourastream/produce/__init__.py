"""Reading Oura exports, API pages and samples, and pacing them into the raw
topic."""
