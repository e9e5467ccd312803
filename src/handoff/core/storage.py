"""Where files live: the local folder, or S3-compatible object storage from one setting.

``HANDOFF_STORAGE_URL=s3://BUCKET[/PREFIX]`` (with ``HANDOFF_S3_ENDPOINT_URL`` for a store
other than AWS, ``HANDOFF_S3_REGION``, and the keys in ``HANDOFF_S3_ACCESS_KEY_ID`` /
``HANDOFF_S3_SECRET_ACCESS_KEY`` or boto3's usual chain: environment, instance role) puts every
uploaded file in the bucket through django-storages' ``S3Storage``:

- objects are private (no ACL: the bucket's own, which must not be public) and written with
  server-side encryption (``AES256``);
- an existing name is never overwritten (a new name is chosen, as on disk);
- pages and the API stream files to the reader after their permission check (W-9 scans are
  decrypted on the way); should a link to an object ever be made, it is signed and lives five
  minutes (``querystring_expire``) — nothing is publicly readable.

Imported by settings: nothing here may import Django models.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

SIGNED_URL_SECONDS = 300

UNAVAILABLE = (
    "The file store does not answer just now, so the file could not be saved or read. Nothing "
    "was changed: try again in a minute. (The administrator sees the reason in /healthz.)"
)


def unavailable_errors() -> tuple[type[Exception], ...]:
    """The exceptions of a file store that does not answer (missing bucket, wrong keys, no
    connection): botocore's, whichever S3 call raised them."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def s3_options(
    url: str,
    *,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
) -> dict:
    """django-storages' S3Storage options for ``s3://BUCKET[/PREFIX]``."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"HANDOFF_STORAGE_URL must look like s3://BUCKET or s3://BUCKET/PREFIX, not {url!r}."
        )
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both HANDOFF_S3_ACCESS_KEY_ID and HANDOFF_S3_SECRET_ACCESS_KEY, or neither "
            "(boto3 then finds the keys itself)."
        )
    from botocore.config import Config

    options = {
        "bucket_name": parts.netloc,
        # A store that does not answer fails in seconds (a page, /healthz), not minutes.
        "client_config": Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            signature_version="s3v4",
        ),
        "location": parts.path.strip("/"),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    return options


def storage_settings(url: str, **s3) -> dict:
    """The ``STORAGES["default"]`` entry: the bucket of ``url``, or the local folder."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(url, **s3)}
