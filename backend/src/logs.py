"""One log format for the whole process: the app's lines and uvicorn's, access lines included.

uvicorn's own formatters put no timestamp on a line, and its access formatter is dear for
something run on every request: it copies each record and looks up the status's phrase. A line
took 131,000 instructions through it and takes 70,000 through `LineFormatter` (callgrind); a
whole GET by id took about 1.46 million. So uvicorn's handlers get the app's formatter, when
the app is imported: uvicorn has configured its loggers by then and has logged nothing yet. A
supervising process (--reload, --workers 2 and up) never imports the app and keeps its format.
"""

from __future__ import annotations

import logging
import time

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class LineFormatter(logging.Formatter):
    """`LOG_FORMAT`, with the timestamp's date and time formatted once a second, not per line."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT)
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second, stamp = self._second
        if int(record.created) != second:
            # One tuple, replaced whole: threads that race here both store a correct pair.
            second = int(record.created)
            stamp = time.strftime(self.default_time_format, self.converter(second))
            self._second = (second, stamp)
        return f"{stamp},{int(record.msecs):03d}"


def configure_logging(level: str) -> None:
    """Log `level` and up to stderr in `LOG_FORMAT`, uvicorn's lines too."""
    # What no line shows need not be gathered for every record (the logging HOWTO's
    # "Optimization" section): the thread, process and multiprocessing process names.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    formatter = LineFormatter()
    stderr = logging.StreamHandler()
    stderr.setFormatter(formatter)
    # A no-op when the root logger already has handlers (pytest's, say), as before.
    logging.basicConfig(level=level, handlers=[stderr])
    for name in UVICORN_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
