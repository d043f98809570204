"""ourastream: stream Oura Ring daily activity through Apache Kafka into live
views that can be trusted."""

__version__ = "0.1.0"
