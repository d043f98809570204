"""Finding Java and Kafka's jars: a ``KAFKA_HOME`` distribution when one is
given, else the jars resolved once from Maven Central into the cache."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from ourastream.errors import InstallError, JavaError
from ourastream.settings import Settings

log = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"
MIN_JAVA = 17


def java_executable() -> str:
    """The ``java`` to run: ``$JAVA_HOME/bin/java`` when set, else the PATH's.

    Raises:
        JavaError: none found, or older than Java 17.
    """
    home = os.environ.get("JAVA_HOME")
    candidate = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not candidate or not Path(candidate).exists():
        raise JavaError(
            f"Java {MIN_JAVA} or newer is needed to run the Kafka broker and none "
            "was found. Install one (e.g. `apt-get install openjdk-17-jre-headless`) "
            "or set JAVA_HOME."
        )
    version = java_version(candidate)
    if version < MIN_JAVA:
        raise JavaError(
            f"{candidate} is Java {version}; the Kafka broker needs {MIN_JAVA} or "
            "newer. Install a newer Java or point JAVA_HOME at one."
        )
    return candidate


def java_version(java: str) -> int:
    """The major version of a ``java`` executable (8 for 1.8)."""
    result = subprocess.run(
        [java, "-version"], capture_output=True, text=True, check=False
    )
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        raise JavaError(f"Cannot tell the version of {java}: {result.stderr.strip()}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def kafka_libs(settings: Settings) -> Path:
    """The folder of Kafka's jars, installing them first if needed.

    Raises:
        InstallError: ``KAFKA_HOME`` is not a Kafka distribution, or Maven is
            missing or fails.
    """
    if settings.kafka_home:
        libs = settings.kafka_home / "libs"
        if not any(libs.glob("kafka_*.jar")):
            raise InstallError(
                f"KAFKA_HOME={settings.kafka_home} holds no Kafka jars in libs/. "
                "Point it at an unpacked Kafka distribution, or unset it to "
                "install Kafka through Maven."
            )
        return libs
    libs = installed_libs(settings)
    if not libs.exists():
        install(settings)
    return libs


def installed_libs(settings: Settings) -> Path:
    return settings.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"


def install(settings: Settings) -> Path:
    """Resolve Kafka's jars from Maven Central into the cache, once.

    The jars land in a temporary folder that is renamed when complete, so an
    interrupted install is never taken for a finished one.
    """
    mvn = shutil.which("mvn")
    if not mvn:
        raise InstallError(
            "Neither Maven (`mvn`) nor KAFKA_HOME is available to get Kafka's "
            "jars. Install Maven (e.g. `apt-get install maven`) or set "
            "KAFKA_HOME to an unpacked Kafka distribution."
        )
    target = installed_libs(settings)
    work = target.parent
    partial = work / "libs.partial"
    try:
        work.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        pom = work / "pom.xml"
        pom.write_bytes(
            resources.files("ourastream.broker").joinpath("pom.xml").read_bytes()
        )
    except OSError as exc:
        raise InstallError(
            f"Cannot write to the cache {work}: {exc.strerror}. "
            "Set OURASTREAM_CACHE_DIR to a writable folder."
        ) from exc
    log.info(
        "installing Apache Kafka %s jars from Maven Central into %s",
        KAFKA_VERSION,
        target,
    )
    command = [
        mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
        f"-DoutputDirectory={partial}", "-DincludeScope=runtime",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-8:])
        raise InstallError(
            f"Maven could not fetch Kafka {KAFKA_VERSION} (exit {result.returncode}):"
            f"\n{tail}\nCheck access to Maven Central, or set KAFKA_HOME."
        )
    partial.rename(target)
    return target


def kafka_version_of(libs: Path) -> str:
    """The Kafka version of a folder of jars, read from the client jar's name."""
    for jar in libs.glob("kafka-clients-*.jar"):
        match = re.match(r"kafka-clients-(\d[\w.\-]*?)\.jar$", jar.name)
        if match:
            return match.group(1)
    return "unknown"
