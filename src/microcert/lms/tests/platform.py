"""A small LTI 1.3 platform that is real over HTTP, for the tool's tests.

It runs in a background thread on 127.0.0.1 (a free port) and serves what a learning platform
serves a tool: its JWKS, the OIDC authentication endpoint (an auto-posting form with an
id_token it signs with its own RSA key through PyJWT), an OAuth 2 token endpoint that checks
the tool's client assertion against the tool's published JWKS, and an AGS results endpoint
that wants the bearer token it issued. It knows nothing of the tool's code.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


@dataclass
class Seen:
    """What the platform was asked, for the tests to look at."""

    token_requests: list[dict] = field(default_factory=list)
    token_errors: list[str] = field(default_factory=list)
    result_requests: list[dict] = field(default_factory=list)
    auth_requests: list[dict] = field(default_factory=list)


class Platform:
    client_id = "microcert-tool-7"
    deployment_id = "deployment-1"
    kid = "platform-key-2026"

    def __init__(self) -> None:
        self.key = new_rsa_key()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.platform = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    # --- set-up ---------------------------------------------------------------------------

    def reset(self) -> None:
        self.redirect_uris: set[str] = set()
        self.tool_jwks: dict | None = None
        self.tool_jwks_url: str | None = None
        self.results: dict[str, list[dict]] = {}
        self.tokens: dict[str, list[str]] = {}
        self.assertion_ids: set[str] = set()
        self.prepared: dict[str, dict[str, Any]] = {}
        self.seen = Seen()

    def start(self) -> Platform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"

    def lineitem(self, name: str) -> str:
        return f"{self.url}/courses/7/lineitems/{name}/lineitem?type_id=3"

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.key, self.kid)]}

    def set_result(self, lineitem: str, user_id: str, **fields: Any) -> None:
        """The gradebook: what ``GET <lineitem>/results`` answers for ``user_id``."""
        path = urlsplit(lineitem).path
        rows = [r for r in self.results.get(path, []) if r["userId"] != user_id]
        rows.append(
            {"id": f"{lineitem}/results/{user_id}", "scoreOf": lineitem, "userId": user_id} | fields
        )
        self.results[path] = rows

    def prepare(self, login_hint: str, **claims: Any) -> None:
        """What the next authentication request for ``login_hint`` puts in the id_token."""
        self.prepared[login_hint] = claims

    # --- id_tokens ------------------------------------------------------------------------

    def claims(
        self,
        *,
        nonce: str,
        sub: str = "moodle-user-42",
        email: str | None = "lan.pham@hust.example",
        resource_link_id: str = "resource-link-77",
        title: str = "Week 3 quiz: collaborative design",
        spec: str | None = "organise-and-facilitate-online-collaborative-learning",
        lineitem: str | None = None,
        scopes: tuple[str, ...] = (RESULT_READONLY, SCORE),
        deployment_id: str | None = None,
        message_type: str = "LtiResourceLinkRequest",
        aud: str | list[str] | None = None,
        expires_in: int = 300,
        issued_ago: int = 0,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": aud if aud is not None else self.client_id,
            "sub": sub,
            "iat": now - issued_ago,
            "exp": now - issued_ago + expires_in,
            "nonce": nonce,
            "name": "Phạm Thị Lan",
            CLAIM + "message_type": message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": deployment_id or self.deployment_id,
            CLAIM + "target_link_uri": "https://microcert.test/lti/launch/",
            CLAIM + "resource_link": {"id": resource_link_id, "title": title},
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "context": {"id": "course-7", "title": "Teaching online (HUST)"},
            CLAIM + "launch_presentation": {"locale": "en-GB", "document_target": "iframe"},
        }
        if email is not None:
            claims["email"] = email
        if spec is not None:
            claims[CLAIM + "custom"] = {"microcert_spec": spec}
        if lineitem is not None:
            claims[AGS] = {
                "scope": list(scopes),
                "lineitems": f"{self.url}/courses/7/lineitems",
                "lineitem": lineitem,
            }
        claims.update(extra)
        return claims

    def sign(
        self, claims: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None, kid: str = ""
    ) -> str:
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    # --- the endpoints --------------------------------------------------------------------

    def authenticate(self, query: dict[str, str]) -> tuple[int, str]:
        """OIDC authentication request → the auto-posting form of the id_token."""
        self.seen.auth_requests.append(query)
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if query.get(name) != value:
                return 400, f"bad {name}"
        if query.get("redirect_uri") not in self.redirect_uris:
            return 400, "unregistered redirect_uri"
        prepared = self.prepared.get(query.get("login_hint", ""))
        if prepared is None or not query.get("nonce") or not query.get("state"):
            return 400, "unknown login"
        token = self.sign(self.claims(nonce=query["nonce"], **prepared))
        page = (
            '<!DOCTYPE html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
            f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
            "</form></body></html>"
        )
        return 200, page

    def _tool_keys(self) -> list[dict]:
        if self.tool_jwks_url:
            return requests.get(self.tool_jwks_url, timeout=5).json()["keys"]
        return (self.tool_jwks or {}).get("keys", [])

    def issue_token(self, form: dict[str, str]) -> tuple[int, dict]:
        """Client-credentials grant with a JWT client assertion (RFC 7523)."""
        self.seen.token_requests.append(form)

        def refuse(status: int, error: str, why: str) -> tuple[int, dict]:
            self.seen.token_errors.append(why)
            return status, {"error": error}

        if form.get("grant_type") != "client_credentials":
            return refuse(400, "unsupported_grant_type", "grant_type")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return refuse(400, "invalid_request", "client_assertion_type")
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            jwk = next(k for k in self._tool_keys() if k.get("kid") == kid)
            claims = jwt.decode(
                assertion,
                jwt.PyJWK(jwk, algorithm="RS256"),
                algorithms=["RS256"],
                audience=self.token_url,
                issuer=self.client_id,
                options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
            )
        except StopIteration:
            return refuse(401, "invalid_client", "unknown kid")
        except jwt.PyJWTError as error:
            return refuse(401, "invalid_client", type(error).__name__)
        if claims["sub"] != self.client_id:
            return refuse(401, "invalid_client", "sub")
        if claims["jti"] in self.assertion_ids:
            return refuse(401, "invalid_client", "jti replay")
        self.assertion_ids.add(claims["jti"])
        scopes = form.get("scope", "").split()
        if RESULT_READONLY not in scopes:
            return refuse(400, "invalid_scope", "scope")
        token = secrets.token_urlsafe(24)
        self.tokens[token] = scopes
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": " ".join(scopes),
        }

    def results_for(self, path: str, query: dict[str, str], authorization: str) -> tuple[int, Any]:
        self.seen.result_requests.append({"path": path, "query": query})
        token = authorization.removeprefix("Bearer ")
        if not authorization.startswith("Bearer ") or token not in self.tokens:
            return 401, {"error": "invalid_token"}
        if RESULT_READONLY not in self.tokens[token]:
            return 403, {"error": "insufficient_scope"}
        if query.get("type_id") != "3":
            return 404, {"error": "no such line item"}
        lineitem_path = path.removesuffix("/results")
        rows = self.results.get(lineitem_path, [])
        if "user_id" in query:
            rows = [r for r in rows if r["userId"] == query["user_id"]]
        return 200, rows


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        platform: Platform = self.server.platform
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/jwks.json":
            self._send(200, platform.jwks())
        elif parts.path == "/auth":
            status, page = platform.authenticate(query)
            self._send(status, page, "text/html; charset=utf-8")
        elif parts.path.endswith("/results"):
            status, body = platform.results_for(
                parts.path, query, self.headers.get("Authorization", "")
            )
            self._send(status, body, "application/vnd.ims.lis.v2.resultcontainer+json")
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        platform: Platform = self.server.platform
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path == "/token":
            status, body = platform.issue_token(form)
            self._send(status, body)
        else:
            self._send(404, {"error": "not found"})


class AutoPostForm(HTMLParser):
    """Reads the platform's auto-posting form the way a browser would submit it."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action") or ""
        elif tag == "input" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""
