"""One Spark session (``local[2]``) for the Spark tests: starting the JVM takes seconds. Under xdist
the tests of this folder run in one worker (``xdist_group``), so only one JVM starts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ci_guard import missing


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing("PySpark 未安装（make install 会安装 hotline-coach[spark]）")
    if shutil.which("java") is None:
        missing("没有 Java（apt-packages.txt 里的 openjdk-17-jre-headless）")
    from hotline.batch.spark import session

    spark, _ = session("local[2]", app="hotline-tests")
    yield spark
    spark.stop()
