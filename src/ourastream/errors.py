"""The exceptions ourastream raises, all under one root.

    OurastreamError            anything the user can act on; the CLI prints it
    ├── SettingsError          a setting has a value that cannot be used
    ├── BrokerError            the local broker cannot be installed or run
    │   ├── JavaError          no Java, or a Java older than 17
    │   ├── InstallError       neither Maven nor KAFKA_HOME gives Kafka's jars
    │   ├── PortInUseError     another program holds the broker's port
    │   └── NotReadyError      the broker did not answer within the timeout
    ├── KafkaError             a Kafka cluster refused or could not be reached
    │   ├── UnreachableError   nothing answers at the bootstrap address
    │   └── TopicMismatchError an existing topic differs from what we need
    ├── SourceError            an input file or API cannot be read
    └── RecordError            one record cannot be used (becomes a dead letter)

Errors from the layers below (confluent-kafka, subprocess, HTTP) are translated
into these at one boundary and chained with ``raise ... from``.
"""


class OurastreamError(Exception):
    """A problem the person running ourastream can fix; the message says how."""


class SettingsError(OurastreamError):
    """A setting has a value that cannot be used."""


class BrokerError(OurastreamError):
    """The local broker cannot be installed, started or stopped."""


class JavaError(BrokerError):
    """Java is missing or older than the broker needs."""


class InstallError(BrokerError):
    """Kafka's jars cannot be found or installed."""


class PortInUseError(BrokerError):
    """Another program listens on a port the broker needs."""


class NotReadyError(BrokerError):
    """The broker did not become ready in time."""


class KafkaError(OurastreamError):
    """A Kafka cluster refused a request or could not be reached."""


class UnreachableError(KafkaError):
    """No broker answers at the configured bootstrap servers."""


class TopicMismatchError(KafkaError):
    """An existing topic does not have the partitions or policy we need."""


class SourceError(OurastreamError):
    """An input (file, directory, standard input, Oura API) cannot be read."""


class RecordError(OurastreamError):
    """One record cannot be used; it is kept as a dead letter with this reason."""
