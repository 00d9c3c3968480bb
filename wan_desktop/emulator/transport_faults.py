"""The faults that replace a whole response: a dropped connection, a delay, an ingress error
page, a rate limit, a refused key, a locked account (the handler's thread)."""

from __future__ import annotations

from http import HTTPStatus

from .exchange import Exchange

__all__ = ["LOCKED_DETAIL", "apply_transport_fault"]

#: fal's answer (403) when the account has no credit left: not a bad key.
LOCKED_DETAIL = (
    "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing"
)

_NGINX_PAGE = (
    "<html><head><title>{code}</title></head><body><center><h1>{code}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)


def apply_transport_fault(ex: Exchange, route: str) -> bool:
    """Apply the active fault for ``route`` that replaces the response; True when one did
    (``slow`` only delays, and the request goes on)."""
    faults = ex.engine.faults
    if faults.take("drop_connection", route) is not None:
        ex.hang_up()
        return True
    slow = faults.take("slow", route)
    if slow is not None:
        ex.engine.sleep(float(slow["delay_s"]))
    ingress = faults.take("ingress_error", route)
    if ingress is not None:
        code = int(ingress["status"])
        page = _NGINX_PAGE.format(code=f"{code} {_phrase(code)}")
        ex.send(code, page.encode(), "text/html", request_id=None)
        return True
    limited = faults.take("rate_limit", route)
    if limited is not None:
        # A number we format: the parameter was checked as one, never copied as text.
        retry_after = f"{float(limited['retry_after_s']):g}"
        detail = {"detail": "Too many requests: rate limit exceeded.", "error_type": "rate_limited"}
        ex.json(429, detail, {"Retry-After": retry_after})
        return True
    if faults.take("auth", route) is not None:
        ex.json(401, {"detail": "Invalid key: authentication failed."})
        return True
    if faults.take("locked_account", route) is not None:
        ex.json(403, {"detail": LOCKED_DETAIL})
        return True
    return False


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""
