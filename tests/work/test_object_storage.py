"""Files in S3-compatible object storage: the same code path as production (django-storages'
S3Storage) against a local S3 server (moto's server mode) started for these tests."""

import hashlib
import socket
import uuid

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from handoff.core import health
from handoff.core.storage import storage_settings
from handoff.work import services
from handoff.work.models import TaskAttachment
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for

pytestmark = pytest.mark.django_db

KEYS = {"access_key": "handoff-test", "secret_key": "handoff-test-secret", "region": "us-east-1"}
PDF = b"%PDF-1.4 the March invoices"


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region"],
    )


@pytest.fixture
def bucket(s3, s3_endpoint, settings):
    """A new bucket, and the settings HANDOFF_STORAGE_URL=s3://it/files makes."""
    name = f"handoff-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    settings.STORAGE_URL = f"s3://{name}/files"
    settings.STORAGE_S3 = {"endpoint_url": s3_endpoint, **KEYS}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings(settings.STORAGE_URL, **settings.STORAGE_S3),
    }
    return name


def objects(s3, bucket) -> dict:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed
    }


def test_an_attachment_goes_to_the_bucket_private_and_encrypted_and_downloads_through_the_app(
    org, task, member, outsider, s3, bucket
):
    [row] = services.add_attachments(
        principal_for(member, org), task, files=[SimpleUploadedFile("march.pdf", PDF)]
    )
    key = f"files/{row.file.name}"
    assert objects(s3, bucket) == {key: PDF}
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    download = api_client_for(member, org).get(f"/api/v1/tasks/{task.pk}/attachments/{row.pk}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # A signed link, were one made, lives minutes; the object itself is not public.
    assert "X-Amz-Expires=300" in default_storage.url(row.file.name)
    assert Client().get(f"/api/v1/tasks/{task.pk}/attachments/{row.pk}/file").status_code == 401


def test_a_store_that_does_not_answer_is_a_plain_503_and_saves_nothing(
    org, task, member, settings, bucket
):
    [kept] = services.add_attachments(
        principal_for(member, org), task, files=[SimpleUploadedFile("kept.pdf", PDF)]
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings("s3://no-such-bucket", **settings.STORAGE_S3),
    }
    page = client_for(member).post(
        reverse("work:task_attach", args=[org.slug, task.pk]),
        {"files": [SimpleUploadedFile("march.pdf", PDF)]},
    )
    assert page.status_code == 503 and page["Retry-After"] == "60"
    assert "The file store does not answer just now" in page.content.decode()
    api = api_client_for(member, org)
    upload = api.client.post(
        f"/api/v1/tasks/{task.pk}/attachments",
        {"files": [SimpleUploadedFile("m.pdf", PDF)]},
        **api.auth,
    )
    assert upload.status_code == 503
    assert upload.json()["detail"].startswith("The file store does not answer just now")
    assert list(TaskAttachment.objects.all()) == [kept]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings(
            settings.STORAGE_URL, **{**settings.STORAGE_S3, "endpoint_url": "http://127.0.0.1:9"}
        ),
    }
    download = api.get(f"/api/v1/tasks/{task.pk}/attachments/{kept.pk}/file")
    assert download.status_code == 503


def test_health_names_a_missing_bucket_and_wrong_keys(settings, bucket, s3_endpoint):
    assert health.check_storage() == {"ok": True}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings("s3://no-such-bucket", **settings.STORAGE_S3),
    }
    missing = Client().get("/healthz")
    assert missing.status_code == 503
    assert "404" in missing.json()["checks"]["storage"]["reason"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_settings(
            settings.STORAGE_URL, **{**settings.STORAGE_S3, "endpoint_url": "http://127.0.0.1:9"}
        ),
    }
    unreachable = health.check_storage()
    assert not unreachable["ok"] and "EndpointConnectionError" in unreachable["reason"]


def test_move_files_to_the_bucket_and_back_verified_by_checksum(settings, s3, bucket, capsys):
    folder = FileSystemStorage(location=settings.MEDIA_ROOT)
    files = {"org-1/w9/w9-20261206.pdf.enc": b"secret scan", "org-1/tasks/7/a.pdf": PDF}
    for name, content in files.items():
        folder.save(name, SimpleUploadedFile(name, content))
    call_command("move_files", to="bucket")
    assert objects(s3, bucket) == {f"files/{name}": content for name, content in files.items()}
    assert "2 file(s) copied to the bucket, 0 already there." in capsys.readouterr().out
    call_command("move_files", to="bucket", remove=True)  # again: nothing to copy; sources go
    assert "0 file(s) copied to the bucket, 2 already there" in capsys.readouterr().out
    assert not any(folder.exists(name) for name in files)
    call_command("move_files", to="folder")
    for name, content in files.items():
        with folder.open(name) as handle:
            assert hashlib.sha256(handle.read()).digest() == hashlib.sha256(content).digest()


def test_move_files_never_overwrites_a_different_file(settings, s3, bucket):
    folder = FileSystemStorage(location=settings.MEDIA_ROOT)
    folder.save("org-1/a.pdf", SimpleUploadedFile("a.pdf", b"%PDF-1.4 mine"))
    s3.put_object(Bucket=bucket, Key="files/org-1/a.pdf", Body=b"%PDF-1.4 theirs")
    with pytest.raises(CommandError, match="org-1/a.pdf: a different file of that name"):
        call_command("move_files", to="bucket", remove=True)
    assert objects(s3, bucket) == {"files/org-1/a.pdf": b"%PDF-1.4 theirs"}
    assert folder.exists("org-1/a.pdf")


def test_move_files_from_a_folder_never_made_copies_nothing(settings, s3, bucket, capsys):
    settings.MEDIA_ROOT = str(settings.MEDIA_ROOT) + "/never-made"
    call_command("move_files", to="bucket")
    assert "0 file(s) copied to the bucket, 0 already there." in capsys.readouterr().out
    assert objects(s3, bucket) == {}


def test_move_files_needs_the_bucket(settings):
    settings.STORAGE_URL = ""
    with pytest.raises(CommandError, match="Set HANDOFF_STORAGE_URL"):
        call_command("move_files", to="bucket")


@pytest.mark.parametrize(
    ("url", "keys", "says"),
    [
        ("https://bucket.example.com", {}, "must look like s3://BUCKET"),
        ("s3://", {}, "must look like s3://BUCKET"),
        ("s3://bucket?acl=public-read", {}, "must look like s3://BUCKET"),
        ("s3://bucket", {"access_key": "only-one"}, "Set both HANDOFF_S3_ACCESS_KEY_ID"),
    ],
)
def test_a_storage_setting_that_cannot_work_stops_start_up(url, keys, says):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=says):
        storage_settings(url, **keys)
