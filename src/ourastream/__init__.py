"""ourastream: stream Oura Ring daily activity through Apache Kafka into live
views that can be trusted."""

import contextlib
import warnings

__version__ = "0.1.0"

# Quix Streams imports confluent-kafka's schema registry client, which we do not
# use; it imports authlib's httpx integration, and recent authlib releases
# announce that as deprecated on every start: nothing for a user to act on.
# authlib puts an "always show" filter first when its deprecation module is
# imported, so that module is imported here and ours is put before it.
with contextlib.suppress(ImportError):  # no authlib: nothing to hide
    import authlib.deprecate  # noqa: F401
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
