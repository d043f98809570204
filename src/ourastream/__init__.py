"""ourastream: stream Oura Ring daily activity through Apache Kafka into live
views that can be trusted."""

import warnings

__version__ = "0.1.0"

# Quix Streams imports confluent-kafka's schema registry client, which we do not
# use; it imports authlib's httpx integration, and recent authlib releases
# announce that as deprecated on every start. Nothing for a user to act on.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
