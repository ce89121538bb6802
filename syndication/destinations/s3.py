"""S3Destination: documents in an S3 (or S3-compatible) bucket via boto3.

Credentials come from the standard AWS chain (environment, shared files, instance
roles) or a named ``profile``; a secret in the configuration file is refused. The
SHA-256 of each document is stored as object metadata; listing uses the ETag
(the MD5 of the bytes for a single-part PUT), so one LIST per feed tells which
documents changed without a HEAD per key.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field

from syndication.config import CacheControl
from syndication.definitions import (
    HttpUrl,
    KeyPath,
    Table,
    allows,
    between,
    check,
    problem,
    short,
    text,
)
from syndication.destinations.base import (
    ITEM_DOCUMENTS_DEFAULT,
    ITEM_DOCUMENTS_HELP,
    ItemDocuments,
    PutResult,
    StoredObject,
    join_key,
)
from syndication.errors import ConfigError, DestinationError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_SECRETS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "secret")
# DeleteObjects takes at most 1,000 keys per request.
_DELETE_BATCH = 1000


def _no_secret(value: Any) -> Any:
    raise problem(
        "credentials never go in the configuration file; use the standard AWS "
        "chain (environment, ~/.aws, instance role) or 'profile'"
    )


@allows("letters, digits and -")
def _region(value: str) -> str:
    if not _REGION.match(value):
        raise problem(f"expected a region such as 'eu-west-1', got {short(value)}")
    return value


_REGION = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@allows("1 to 255 letters, digits, ., - or _, starting with a letter or digit")
def _bucket(value: str) -> str:
    if not _BUCKET.match(value):
        raise problem(
            "expected a bucket name: 1 to 255 letters, digits, '.', '-' or '_', "
            f"starting with a letter or digit, got {short(value)}"
        )
    return value


_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")
_Secret = Annotated[Any, AfterValidator(_no_secret)]
_Checksums = Literal["when_supported", "when_required"]


class S3Options(Table):
    """A ``[destinations.NAME]`` table of type ``s3``. A key holding a secret is
    refused with its own message (never "unknown key")."""

    bucket: Annotated[str, AfterValidator(_bucket)] = Field(
        description="The bucket documents are written to."
    )
    prefix: KeyPath = Field(default="", description="Folder inside the bucket.")
    region: Annotated[str, AfterValidator(text(64)), AfterValidator(_region)] | None = (
        Field(default=None, description="The bucket's region (eu-west-1).")
    )
    endpoint_url: Annotated[HttpUrl, AfterValidator(text(2048))] | None = Field(
        default=None, description="An S3-compatible store's address (MinIO)."
    )
    profile: Annotated[str, AfterValidator(text(128))] | None = Field(
        default=None,
        description="A named AWS credentials profile; otherwise the standard chain. "
        "[env: SYNDICATION_DESTINATION_<NAME>_PROFILE, SYNDICATION_S3_PROFILE]",
    )
    public_base_url: HttpUrl = Field(
        default="", description="Address partners read the prefix at (for url)."
    )
    max_attempts: Annotated[int, AfterValidator(between(1, 20))] = Field(
        default=4, description="Tries per request (standard retry mode)."
    )
    connect_timeout: Annotated[int, AfterValidator(between(1, 300))] = Field(
        default=5, description="Seconds to connect."
    )
    read_timeout: Annotated[int, AfterValidator(between(1, 3600))] = Field(
        default=30, description="Seconds to wait for an answer."
    )
    request_checksum_calculation: _Checksums = Field(
        default="when_supported",
        description="when_required for stores that reject new checksums.",
    )
    response_checksum_validation: _Checksums = Field(
        default="when_supported",
        description="when_required for stores that reject new checksums.",
    )
    addressing_style: Literal["auto", "virtual", "path"] = Field(
        default="auto", description="path for most S3-compatible stores."
    )
    cache_control_index: CacheControl | None = Field(
        default=None,
        description="Cache-Control of indexes here ([publish]'s if unset).",
    )
    cache_control_item: CacheControl | None = Field(
        default=None, description="Cache-Control of items here ([publish]'s if unset)."
    )
    item_documents: ItemDocuments = Field(
        default=ITEM_DOCUMENTS_DEFAULT, description=ITEM_DOCUMENTS_HELP
    )
    conditional_writes: bool = Field(
        default=True,
        description="Send If-Match/If-None-Match on expected writes; false for "
        "stores without conditional PUTs.",
    )
    aws_access_key_id: _Secret = Field(default=None, exclude=True)
    aws_secret_access_key: _Secret = Field(default=None, exclude=True)
    aws_session_token: _Secret = Field(default=None, exclude=True)
    secret: _Secret = Field(default=None, exclude=True)

    def root(self) -> tuple[str, ...]:
        """Where it writes: endpoint, bucket and prefix, compared without case."""
        parts = (self.endpoint_url or "aws", self.bucket, *self.prefix.split("/"))
        return ("s3", *(part.casefold() for part in parts if part))


class S3Destination:
    """Documents under ``prefix`` in ``bucket``."""

    presigns = True
    remote = True
    fingerprints_sha256 = False

    def __init__(self, name: str, options: Mapping[str, Any] | S3Options) -> None:
        """Raises ConfigError (every problem, with key) for bad options."""
        if not isinstance(options, S3Options):
            checked, problems = check(
                S3Options, options, "", prefix=("destinations", name)
            )
            if checked is None:
                raise ConfigError.from_problems(problems)
            options = checked
        self.name = name
        self.options = options
        self.shared_items = options.item_documents == "shared"
        self.bucket = options.bucket
        self.prefix = options.prefix
        self.public_base_url = options.public_base_url.rstrip("/")
        self.cache_control_index = options.cache_control_index
        self.cache_control_item = options.cache_control_item
        # If-Match / If-None-Match on PutObject; off for stores that reject them.
        self.conditional_writes = options.conditional_writes
        self._client: S3Client | None = None
        self._client_lock = threading.Lock()

    @classmethod
    def from_options(
        cls, name: str, options: Mapping[str, Any] | S3Options
    ) -> S3Destination:
        return cls(name, options)

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

            options = self.options
            session = boto3.session.Session(profile_name=options.profile)
            config = Config(
                retries={"mode": "standard", "max_attempts": options.max_attempts},
                connect_timeout=options.connect_timeout,
                read_timeout=options.read_timeout,
                request_checksum_calculation=options.request_checksum_calculation,
                response_checksum_validation=options.response_checksum_validation,
                s3={"addressing_style": options.addressing_style},
                signature_version="s3v4",
            )
            self._client = session.client(
                "s3",
                region_name=options.region,
                endpoint_url=options.endpoint_url,
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
