"""The error hierarchy. Mapped to HTTP in one place (gateway) and to job failures in one place (worker)."""


class ReelforgeError(Exception):
    """Base of every error we raise on purpose. `message` is safe to show a user; `code`, when set, is a
    stable name for what went wrong that clients can act on (a failed job's `error_code`)."""

    code: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ReelforgeError):
    """The request or job content cannot be processed as given (HTTP 400/422, job failed)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ReelforgeError):
    """The object does not exist, or belongs to someone else (always HTTP 404)."""


class Conflict(ReelforgeError):
    """The request clashes with existing state (HTTP 409)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TooLarge(ReelforgeError):
    """The request's content is bigger than the limit (HTTP 413)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unauthorized(ReelforgeError):
    """Missing or invalid credentials (HTTP 401)."""


class Forbidden(ReelforgeError):
    """Authenticated, but not allowed: a user route reached without the admin role, a bad signed URL (HTTP 403)."""


class QuotaExceeded(ReelforgeError):
    """The request would pass one of the account's limits (storage, job length, cost); `field` names it (HTTP 403)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RateLimited(ReelforgeError):
    """Too many requests in a window (HTTP 429); `headers` carry Retry-After and X-RateLimit-*."""

    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.headers = headers


class ProviderError(ReelforgeError):
    """A provider (ffmpeg, espeak-ng, OpenAI, ...) failed. `retryable` says whether trying again may help;
    `retry_after_s` is how long the provider asked us to wait (a 429/503 `Retry-After`), if it said."""

    def __init__(
        self, message: str, retryable: bool, retry_after_s: float | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.code = code


class Cancelled(ReelforgeError):
    """The job was cancelled while a stage was working on it."""
