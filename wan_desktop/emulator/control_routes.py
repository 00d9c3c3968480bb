"""The control endpoint: ``/_emulator/faults`` (GET, POST to merge, DELETE to clear),
``GET /_emulator/stats`` and ``POST /_emulator/reset`` (the handler's thread)."""

from __future__ import annotations

from .exchange import Exchange
from .faults import FaultError
from .json_input import JsonInputError, decode_json

__all__ = ["control"]


def control(ex: Exchange, body: bytes) -> None:
    """Answer one admitted control request; 404 for an unknown path or method."""
    engine = ex.engine
    where = (ex.path.rstrip("/"), ex.method)
    if where == ("/_emulator/faults", "POST"):
        _merge_faults(ex, body)
    elif where == ("/_emulator/faults", "DELETE"):
        engine.faults.clear()
        ex.json(200, {"faults": {}})
    elif where == ("/_emulator/faults", "GET"):
        ex.json(200, {"faults": engine.faults.active()})
    elif where == ("/_emulator/stats", "GET"):
        ex.json(200, engine.stats())
    elif where == ("/_emulator/reset", "POST"):
        engine.reset()
        ex.json(200, {"reset": True})
    else:
        ex.json(404, {"detail": "Not Found"})


def _merge_faults(ex: Exchange, body: bytes) -> None:
    """422 with a sentence when the body is not JSON, is nested too deep, holds a number out
    of range, or names an unknown fault or parameter: then no fault changes."""
    try:
        ex.engine.faults.update(decode_json(body or b"{}"))
    except (JsonInputError, FaultError) as exc:
        ex.json(422, {"detail": str(exc)})
        return
    except TypeError:  # a parameter name that is not a string
        ex.json(422, {"detail": "Fault parameters must be an object of named values."})
        return
    ex.json(200, {"faults": ex.engine.faults.active()})
