"""Log lines of the long-running processes (`ykien serve`, `ykien worker`) on stderr: readable text, or one JSON
object a line (YKIEN_LOG_FORMAT=json) for a log collector. Vietnamese stays readable in both (no \\u escapes)."""
from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
JSON_FIELDS = "%(asctime)s %(name)s %(levelname)s %(message)s %(threadName)s"
JSON_NAMES = {"asctime": "time", "name": "logger", "levelname": "level", "threadName": "thread"}
QUIET = {"apscheduler": logging.ERROR, "httpx": logging.WARNING, "mail.log": logging.WARNING}


def configure_logging(log_format: str, only: str | None = None) -> None:
    """Send every logger's lines (uvicorn's too: it is started with log_config=None) through one stderr handler; with
    `only`, that logger's alone, kept apart from the root logger (which Prefect's engine configures its own way)."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields=JSON_NAMES, json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logger = logging.getLogger(only)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    if only is not None:
        logger.propagate = False
        return
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)


def log_refusal(logger_name: str, code: str, message: str) -> None:
    """A long-running process's refusal to start (or go on) as one record of its logger, with the refusal's code."""
    configure_logging("json", only="ykien")
    logging.getLogger(logger_name).error(message, extra={"code": code})


def filter_once(logger_name: str, kind: type[logging.Filter]) -> None:
    """A filter of `kind` on the logger, unless it has one already (each worker or run of a process installs it)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, kind) for existing in logger.filters):
        logger.addFilter(kind())
