"""`Idempotency-Key` on unsafe API requests (SPEC X1): a retried request never acts twice.

A POST/PUT/PATCH/DELETE under `/api/` on any host that carries `Idempotency-Key: <key>` (1 to 255
printable ASCII characters; anything else is a 400) is run at most once per caller and key:

- the first request claims the key (INSERT … ON CONFLICT DO NOTHING, in its own statement, so
  the claim is visible to every other connection at once), runs, and its response is stored:
  status, body, content type and a few headers (KEPT_HEADERS: Location,
  Content-Disposition, Content-Language, WWW-Authenticate, Allow). 2xx and 4xx responses are stored, 409 and 422 included; 5xx, 3xx, 408 and
  429 (all "try again" answers), streamed responses and requests whose view raised release
  the key, so a retry runs afresh;
- a repeat with the same method, path (query string included) and body gets the stored
  response again, marked `Idempotent-Replayed: true`, and nothing runs;
- the same key with another method, path or body is refused: 409 `idempotency_key_reused`;
- a repeat while the first is still running is refused: 409 `idempotency_in_progress`
  (with `Retry-After`); a claim older than CLAIM_TIMEOUT without a response (its process died)
  may be taken over;
- a first response marked `Cache-Control: no-store` (it carries a secret, such as a new API
  token) or bigger than MAX_STORED_BODY is not kept: its status is, and a repeat gets 409
  `idempotency_response_not_kept` instead of a second effect;
- keys expire after 24 hours (`purge_expired_keys`, run by Celery beat).

Why a middleware and not a DRF mechanism: DRF offers no hook that runs after authentication in
every APIView and that views cannot override (they set their own permission and throttle
classes), and wrapping the response needs the rendered bytes, which only exist after the view.
A middleware placed after the session and authentication middleware sees every API request and
its final response, whatever view answers it.

Who the caller is (the principal) must be known before the view runs, yet DRF authenticates
inside the view. So the principal is built from every credential the request carries, each as a
keyed hash (nothing secret is stored):
- `auth:<hash of the Authorization header>` when there is one: a shop API token
  (`Bearer mshop_…`) or a DRF token. The whole header, not the token prefix: the prefix is
  shown on the console and is only a few characters of the secret, the full value is known
  only to the token's holder;
- `user:<id>` when the session is signed in (AuthenticationMiddleware has read it; the
  host-bound session check ran before), else `session:<hash of the session key>` when the caller
  has a session, else (no credential at all) `ip:<hash of the client address>`.
Several parts are joined, so a request carrying both a header and a session replays only for a
caller presenting both again: whichever of them DRF ends up authenticating, nobody else can
match it. Changing credentials between retries (a new token, signing in) makes a new principal,
so that retry runs afresh. The host is part of the key, so a key used on one shop's host never
meets the same key on another host.

A replay is answered before the view runs, so it skips the view's checks (CSRF, permissions):
it can only hand the caller who made the first request the response they were already given.
Multipart bodies carry a random boundary, so a client that rebuilds a multipart upload for a
retry gets `idempotency_key_reused`; send the same bytes again.
"""

import hashlib
import re
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend.api.errors import error_body
from backend.lib.ip import client_ip

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
TTL = timedelta(hours=24)
# A claim this old without a response belongs to a request whose process died (no request
# runs this long: gunicorn's timeout is far shorter), so its key may be claimed again.
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_STORED_BODY = 1024 * 1024
KEPT_HEADERS = (
    "Location",
    "Content-Disposition",
    "Content-Language",
    "WWW-Authenticate",
    "Allow",
)
# "Try again later" answers: storing them would make every retry get the same refusal.
NOT_STORED = frozenset({408, 429})


def _digest(value: str) -> str:
    return salted_hmac("backend.api.idempotency", value, algorithm="sha256").hexdigest()[:32]


def caller_principal(request) -> str:
    """Who is calling, from the credentials the request carries (see the module docstring)."""
    parts = []
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        parts.append("auth:" + _digest(authorization))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        parts.append(f"user:{user.pk}")
    else:
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        if session_key:
            parts.append("session:" + _digest(session_key))
        elif not parts:
            parts.append("ip:" + _digest(client_ip(request) or ""))
    return "|".join(parts)


def request_fingerprint(request, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b"\n")
    digest.update(request.get_full_path().encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def _error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


# --- the key table -----------------------------------------------------------------------------


def _claim(
    *, host: str, principal: str, key: str, fingerprint: str, method: str, path: str
) -> int | None:
    """Claim the key for this request; its row id, or None when someone holds it.

    Each statement commits on its own (the request runs in autocommit), so a concurrent
    duplicate sees the claim at once. Times come from the database's clock, the one every web
    process shares. An expired key, or a claim abandoned by a dead process, is deleted first.
    """
    from backend.models import IdempotencyKey

    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE host = %s AND principal = %s AND key = %s"
            " AND (expires_at <= now() OR (status_code IS NULL AND created_at <= now() - %s))",
            [host, principal, key, CLAIM_TIMEOUT],
        )
        cursor.execute(
            f"INSERT INTO {table} (host, principal, key, fingerprint, method, path,"
            " content_type, headers, body, replayable, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, '', '{}'::jsonb, ''::bytea, true, now(), now() + %s)"
            " ON CONFLICT (host, principal, key) DO NOTHING RETURNING id",
            [host, principal, key, fingerprint, method, path[:2000], TTL],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _release(claim_id: int) -> None:
    from backend.models import IdempotencyKey

    IdempotencyKey.objects.filter(pk=claim_id, status_code__isnull=True).delete()


def _store(claim_id: int, response) -> None:
    """Keep the first response (or release the key when it is not one to keep)."""
    from backend.models import IdempotencyKey

    status = response.status_code
    if (
        getattr(response, "streaming", False)
        or status in NOT_STORED
        or not (200 <= status < 300 or 400 <= status < 500)
    ):
        _release(claim_id)
        return
    content = response.content
    replayable = (
        "no-store" not in response.get("Cache-Control", "").lower()
        and len(content) <= MAX_STORED_BODY
    )
    IdempotencyKey.objects.filter(pk=claim_id, status_code__isnull=True).update(
        status_code=status,
        content_type=response.get("Content-Type", "")[:200],
        headers={name: response[name] for name in KEPT_HEADERS if name in response},
        body=content if replayable else b"",
        replayable=replayable,
    )


def _replay(row) -> HttpResponse:
    response = HttpResponse(
        bytes(row.body), status=row.status_code, content_type=row.content_type or None
    )
    for name, value in (row.headers or {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _answer_holder(row, fingerprint: str):
    """The answer to a request whose key is already held by `row`."""
    if row.fingerprint != fingerprint:
        first = f"{row.method} {row.path}"
        return _error(
            409,
            "idempotency_key_reused",
            _(
                "This Idempotency-Key was already used for another request (%(first)s with a "
                "different body or path); send a new key for a new request."
            )
            % {"first": first},
            {HEADER: [_("Already used for another request.")]},
        )
    if row.status_code is None:
        response = _error(
            409,
            "idempotency_in_progress",
            _("A request with this Idempotency-Key is still running; retry in a moment."),
        )
        response["Retry-After"] = "1"
        return response
    if not row.replayable:
        return _error(
            409,
            "idempotency_response_not_kept",
            _(
                "The request with this Idempotency-Key already ran (status %(status)s); its "
                "response was not kept (it held a secret or was too large), so it cannot be sent "
                "again."
            )
            % {"status": row.status_code},
        )
    return _replay(row)


def idempotency_keys_purge() -> int:
    """Delete expired keys and claims abandoned by dead processes. Returns rows deleted."""
    from backend.models import IdempotencyKey

    now = timezone.now()
    deleted, _counts = IdempotencyKey.objects.filter(
        Q(expires_at__lte=now) | Q(status_code__isnull=True, created_at__lte=now - CLAIM_TIMEOUT)
    ).delete()
    return deleted


@shared_task(ignore_result=True)
def purge_expired_keys() -> int:
    """Beat: drop keys older than 24 hours (runs in the public schema)."""
    return idempotency_keys_purge()


# --- the middleware ----------------------------------------------------------------------------


class IdempotencyMiddleware:
    """Honours `Idempotency-Key` on unsafe `/api/` requests (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(META_KEY)
        if (
            key is None
            or request.method not in UNSAFE_METHODS
            or not request.path.startswith("/api/")
        ):
            return self.get_response(request)
        if not KEY_PATTERN.fullmatch(key):
            return _error(
                400,
                "invalid_idempotency_key",
                _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."),
                {HEADER: [_("1 to 255 printable ASCII characters.")]},
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _error(
                413,
                "payload_too_large",
                _("A request with an Idempotency-Key may carry at most %(n)d bytes.")
                % {"n": limit},
            )
        host = request.get_host().split(":")[0].lower()
        principal = caller_principal(request)
        fingerprint = request_fingerprint(request, request.body)
        claim = {"host": host, "principal": principal, "key": key}
        for _attempt in range(3):
            claim_id = _claim(
                **claim,
                fingerprint=fingerprint,
                method=request.method,
                path=request.get_full_path(),
            )
            if claim_id is not None:
                return self._run(request, claim_id)
            from backend.models import IdempotencyKey

            row = IdempotencyKey.objects.filter(**claim).first()
            if row is not None:
                return _answer_holder(row, fingerprint)
            # The holder released the key between our insert and our read: claim again.
        return _error(
            409,
            "idempotency_in_progress",
            _("A request with this Idempotency-Key is still running; retry in a moment."),
        )

    def _run(self, request, claim_id: int):
        try:
            response = self.get_response(request)
        except BaseException:
            _release(claim_id)
            raise
        _store(claim_id, response)
        return response


# --- OpenAPI -----------------------------------------------------------------------------------

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Optional. A unique value per logical request (e.g. a UUID), 1 to 255 printable ASCII "
        "characters. A retry with the same key, method, path and body within 24 hours gets the "
        "first response again (2xx or 4xx) with `Idempotent-Replayed: true`, and nothing runs "
        "twice. The same key with another method, path or body: 409 `idempotency_key_reused`; "
        "while the first request still runs: 409 `idempotency_in_progress`; when the first "
        "response held a secret and was not kept: 409 `idempotency_response_not_kept`. Keys are "
        "per caller and per host."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}


def document_idempotency_key(result, generator, request, public):
    """drf-spectacular postprocessing hook: the header on every unsafe API operation."""
    result.setdefault("components", {}).setdefault("parameters", {})["IdempotencyKey"] = PARAMETER
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method.upper() in UNSAFE_METHODS and isinstance(operation, dict):
                operation.setdefault("parameters", []).append(ref)
    return result
