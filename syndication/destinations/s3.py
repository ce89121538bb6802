"""S3Destination: documents in an S3 (or S3-compatible) bucket via boto3.

Credentials come from the standard AWS chain (environment, shared files, instance
roles) or a named ``profile``; a secret in the configuration file is refused. The
SHA-256 of each document is stored as object metadata; listing uses the ETag
(the MD5 of the bytes for a single-part PUT), so one LIST per feed tells which
documents changed without a HEAD per key.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from syndication.config import check_cache_control
from syndication.destinations.base import PutResult, StoredObject, join_key
from syndication.errors import ConfigError, DestinationError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_OPTIONS = {
    "bucket": str,
    "prefix": str,
    "region": str,
    "endpoint_url": str,
    "profile": str,
    "public_base_url": str,
    "max_attempts": int,
    "connect_timeout": int,
    "read_timeout": int,
    "request_checksum_calculation": str,
    "response_checksum_validation": str,
    "addressing_style": str,
    "cache_control_index": str,
    "cache_control_item": str,
    "conditional_writes": bool,
}
_SECRETS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "secret"}
# DeleteObjects takes at most 1,000 keys per request.
_DELETE_BATCH = 1000


class S3Destination:
    """Documents under ``prefix`` in ``bucket``."""

    presigns = True

    def __init__(self, name: str, options: Mapping[str, Any]) -> None:
        for key, value in options.items():
            if key in _SECRETS:
                raise ConfigError(
                    "credentials never go in the configuration file; use the "
                    "standard AWS chain (environment, ~/.aws, instance role) or "
                    "'profile'",
                    key=f"destinations.{name}.{key}",
                )
            expected = _OPTIONS.get(key)
            if expected is None:
                raise ConfigError(
                    f"unknown option; expected one of {', '.join(sorted(_OPTIONS))}",
                    key=f"destinations.{name}.{key}",
                )
            if not isinstance(value, expected) or (
                isinstance(value, bool) and expected is not bool
            ):
                raise ConfigError(
                    f"expected {expected.__name__}, got {value!r}",
                    key=f"destinations.{name}.{key}",
                )
        if not options.get("bucket"):
            raise ConfigError(
                "missing required value 'bucket'", key=f"destinations.{name}.bucket"
            )
        self.name = name
        self.bucket: str = options["bucket"]
        self.prefix: str = str(options.get("prefix", "")).strip("/")
        self.public_base_url = str(options.get("public_base_url", "")).rstrip("/")
        for key in ("cache_control_index", "cache_control_item"):
            if key in options:
                check_cache_control(options[key], key=f"destinations.{name}.{key}")
        self.cache_control_index = options.get("cache_control_index")
        self.cache_control_item = options.get("cache_control_item")
        # If-Match / If-None-Match on PutObject; off for stores that reject them.
        self.conditional_writes = bool(options.get("conditional_writes", True))
        self._options = dict(options)
        self._client: S3Client | None = None
        self._client_lock = threading.Lock()

    @property
    def client(self) -> S3Client:
        from botocore.exceptions import BotoCoreError

        with self._client_lock:  # uploads run in several threads
            try:
                return self._make_client()
            except BotoCoreError as exc:  # a missing profile, a bad region…
                raise DestinationError(
                    f"cannot create an S3 client: {exc}", destination=self.name
                ) from exc

    def _make_client(self) -> S3Client:
        if self._client is None:
            import boto3
            from botocore.config import Config

            options = self._options
            session = boto3.session.Session(profile_name=options.get("profile"))
            config = Config(
                retries={
                    "mode": "standard",
                    "max_attempts": options.get("max_attempts", 4),
                },
                connect_timeout=options.get("connect_timeout", 5),
                read_timeout=options.get("read_timeout", 30),
                request_checksum_calculation=options.get(
                    "request_checksum_calculation", "when_supported"
                ),
                response_checksum_validation=options.get(
                    "response_checksum_validation", "when_supported"
                ),
                s3={"addressing_style": options.get("addressing_style", "auto")},
                signature_version="s3v4",
            )
            self._client = session.client(
                "s3",
                region_name=options.get("region"),
                endpoint_url=options.get("endpoint_url"),
                config=config,
            )
        return self._client

    def _key(self, key: str) -> str:
        safe = join_key(key)
        return f"{self.prefix}/{safe}" if self.prefix else safe

    def fingerprint(self, body: bytes) -> str:
        return hashlib.md5(body, usedforsecurity=False).hexdigest()

    def put(
        self,
        key: str,
        body: bytes,
        *,
        content_type: str,
        cache_control: str,
        sha256: str,
        expected: str | None = None,
        durable: bool = True,
    ) -> PutResult:
        full = self._key(key)
        conditions: dict[str, str] = {}
        if expected is not None and self.conditional_writes:
            if expected:
                conditions["IfMatch"] = f'"{expected}"'
            else:
                conditions["IfNoneMatch"] = "*"
        with self._translated("upload", full):
            response = self.client.put_object(
                Bucket=self.bucket,
                Key=full,
                Body=body,
                ContentType=content_type,
                CacheControl=cache_control,
                Metadata={"sha256": sha256},
                **conditions,  # type: ignore[arg-type]
            )
        return PutResult(
            key=key, etag=response.get("ETag", "").strip('"'), size=len(body)
        )

    def sync(self) -> None:
        """Nothing to do: S3 has stored an object when it answers the PUT."""

    def remove_leftovers(self, prefix: str) -> int:
        """Nothing to do: a PutObject that did not finish stored nothing."""
        return 0

    def delete(self, keys: Sequence[str]) -> None:
        """DeleteObjects, up to 1,000 keys a request; a key S3 reports it could
        not delete is an error (a missing key is not: S3 deletes are idempotent)."""
        unique = sorted(set(keys))
        for start in range(0, len(unique), _DELETE_BATCH):
            chunk = unique[start : start + _DELETE_BATCH]
            full = [self._key(key) for key in chunk]
            with self._translated("delete", full[0]):
                response = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in full], "Quiet": True},
                )
            errors = response.get("Errors", [])
            if errors:
                first = errors[0]
                raise DestinationError(
                    f"delete failed: {first.get('Code', 'error')}: "
                    f"{first.get('Message', '')} ({len(errors)} object(s) not deleted)",
                    destination=self.name,
                    key=f"s3://{self.bucket}/{first.get('Key', '')}",
                )

    def missing(self, keys: Sequence[str]) -> tuple[str, ...]:
        """One listing per folder (with a delimiter, so only that level)."""
        found: set[str] = set()
        strip = len(self.prefix) + 1 if self.prefix else 0
        for folder in sorted({k.rpartition("/")[0] for k in keys}):
            full = self._key(folder) + "/" if folder else self._key_root()
            with self._translated("listing", full):
                paginator = self.client.get_paginator("list_objects_v2")
                pages = paginator.paginate(
                    Bucket=self.bucket, Prefix=full, Delimiter="/"
                )
                for page in pages:
                    for obj in page.get("Contents", []):
                        found.add(obj["Key"][strip:])
        return tuple(k for k in keys if k not in found)

    def _key_root(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    def list(self, prefix: str) -> dict[str, str]:
        return {key: o.fingerprint for key, o in self.inventory(prefix).items()}

    def inventory(self, prefix: str) -> dict[str, StoredObject]:
        """One LIST (paginated): size and ETag of each object; the SHA-256 is
        in the object's metadata, which a listing does not return."""
        full = self._key(prefix) + "/" if prefix else self._key_root()
        strip = len(self.prefix) + 1 if self.prefix else 0
        found: dict[str, StoredObject] = {}
        with self._translated("listing", full):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for obj in page.get("Contents", []):
                    key = obj["Key"][strip:]
                    found[key] = StoredObject(
                        key, obj.get("Size", 0), obj.get("ETag", "").strip('"')
                    )
        return found

    def stored_sha256(self, key: str) -> str:
        full = self._key(key)
        with self._translated("HEAD", full):
            response = self.client.head_object(Bucket=self.bucket, Key=full)
        return response.get("Metadata", {}).get("sha256", "")

    @contextmanager
    def _translated(self, action: str, full_key: str) -> Iterator[None]:
        """botocore errors → DestinationError naming bucket, key and status."""
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"s3://{self.bucket}/{full_key}"
        try:
            yield
        except ClientError as exc:
            raise _translate(exc, self.name, where) from exc
        except BotoCoreError as exc:
            raise DestinationError(
                f"{action} failed: {exc}", destination=self.name, key=where
            ) from exc

    def url(self, key: str, *, expires_seconds: int | None = None) -> str:
        full = self._key(key)
        if expires_seconds is None and self.public_base_url:
            return f"{self.public_base_url}/{join_key(key)}"
        with self._translated("presigning", full):
            # No credentials is botocore's NoCredentialsError: translated.
            return self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": full},
                ExpiresIn=expires_seconds or 3600,
            )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _translate(exc: Any, name: str, where: str) -> DestinationError:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if error.get("Code") == "PreconditionFailed" or status == 412:
        return DestinationError(
            "changed by another publisher since it was listed; not replaced",
            destination=name,
            key=where,
            status=412,
        )
    message = f"{error.get('Code', 'error')}: {error.get('Message', str(exc))}"
    return DestinationError(message, destination=name, key=where, status=status)
