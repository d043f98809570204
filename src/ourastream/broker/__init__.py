"""The local single-node Apache Kafka broker (KRaft) that ourastream installs
from Maven Central and runs by itself when no cluster is configured."""

from ourastream.broker.runner import BrokerStatus, LocalBroker, ensure_broker

__all__ = ["BrokerStatus", "LocalBroker", "ensure_broker"]
