"""The S3 path of media storage, against a real S3-compatible server (moto in server mode)."""

import socket

import boto3
import pytest

from shared_apps.onboarding import services
from tests.conftest import MALL, client_for
from tests.factories import png_upload

BUCKET = "mall-media-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "access_key": "test",
            "secret_key": "test", "region_name": "us-east-1", "default_acl": None,
            "querystring_auth": True, "file_overwrite": False}},
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


@pytest.mark.django_db
def test_qualification_documents_live_in_the_bucket_and_stay_private(s3_storage, make_user, shopper,
                                                                     django_capture_on_commit_callbacks):
    applicant = make_user()
    application = services.application_create(applicant=applicant)
    document = services.document_add(application_id=application.pk, actor=applicant,
                                      kind="business_licence", upload=png_upload())
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [document.file.name]
    assert keys[0].startswith(f"private/onboarding/{application.pk}/")

    own = client_for(MALL, applicant).get(f"/api/v1/applications/{application.pk}/documents/{document.pk}/")
    assert own.status_code == 200
    assert b"".join(own.streaming_content).startswith(b"\x89PNG")
    other = client_for(MALL, shopper).get(f"/api/v1/applications/{application.pk}/documents/{document.pk}/")
    assert other.status_code == 404
    assert client_for(MALL).get("/media/" + document.file.name).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(application_id=application.pk, document_id=document.pk, actor=applicant)
    assert "Contents" not in s3_storage.list_objects_v2(Bucket=BUCKET)
