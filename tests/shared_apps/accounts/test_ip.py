import pytest
from django.test import RequestFactory

from backend.lib.ip import client_ip


def request(**meta):
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize("num_proxies, meta, expected", [
    (0, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "10.0.0.1"),
    (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.1.1.1"}, "1.1.1.1"),
    (2, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.1.1.1, 10.0.0.2"}, "1.1.1.1"),
    (1, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "junk"}, "10.0.0.1"),
    (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "2001:db8::1"}, "2001:db8::1"),
    (0, {"REMOTE_ADDR": ""}, None),
])
def test_client_ip(settings, num_proxies, meta, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    assert client_ip(request(**meta)) == expected
