"""schemathesis hooks for `tests/schemathesis.sh` (loaded through SCHEMATHESIS_HOOKS).

Signs in as DD_USERNAME / DD_PASSWORD on DD_BASE_URL and sends that token with every case.
`POST /api/v1/auth/logout` ends the token it is sent with (issue 12, item 9), so each logout
case gets a token of its own: a shared one would leave every later case answering 401.
The sign-ins name a client address of their own in X-Forwarded-For (the server trusts it from
the loopback): the failed sign-ins schemathesis sends on purpose slow down the loopback
address, which would otherwise refuse these too.
"""

import os
import threading

import requests
import schemathesis

BASE = os.environ["DD_BASE_URL"].rstrip("/")
LOGOUT = "/api/v1/auth/logout"

_lock = threading.Lock()
_shared = None


def _sign_in():
    r = requests.post(
        f"{BASE}/api/v1/auth/login",
        json={"username": os.environ["DD_USERNAME"], "password": os.environ["DD_PASSWORD"]},
        headers={"X-Forwarded-For": "192.0.2.10"},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["accessToken"]


@schemathesis.auth(refresh_interval=None)
class Session:
    def get(self, case, ctx):
        global _shared
        if case.operation.path == LOGOUT:
            return _sign_in()
        with _lock:
            if _shared is None:
                _shared = _sign_in()
            return _shared

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
