"""Who is asking, for the API's rate limits: the connecting address, or behind our proxies the address
they saw; a client never picks its own bucket."""

from __future__ import annotations

from unittest import mock

from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from bot.api.core import client_address, proxy_networks, rate_key

PROXY = proxy_networks("10.0.0.5")


def request(remote: str, *forwarded: str) -> object:
    headers = CIMultiDict(("X-Forwarded-For", value) for value in forwarded)
    transport = mock.Mock()
    transport.get_extra_info.return_value = (remote, 40000)
    return make_mocked_request("GET", "/api/v1/me", headers=headers, transport=transport)


def test_the_connecting_address_without_a_trusted_proxy() -> None:
    assert client_address(request("8.8.8.8", "1.2.3.4"), PROXY) == "8.8.8.8"  # type: ignore[arg-type]


def test_behind_the_proxy_the_address_it_saw() -> None:
    assert client_address(request("10.0.0.5", "1.1.1.1, 5.6.7.8"), PROXY) == "5.6.7.8"  # type: ignore[arg-type]


def test_a_header_the_client_wrote_itself_beside_the_proxys_is_not_believed() -> None:
    # a proxy that adds its own X-Forwarded-For line after the client's: the lines are one list, in order
    found = client_address(request("10.0.0.5", "1.1.1.1", "5.6.7.8"), PROXY)  # type: ignore[arg-type]
    assert found == "5.6.7.8"


def test_ipv6_addresses_of_one_subscriber_share_a_bucket() -> None:
    # a home or a phone is given a whole /64: rotating inside it is not a fresh limit each time
    assert rate_key("2408:8000:1:2::1") == rate_key("2408:8000:1:2:abcd:ef01:2345:6789")
    assert rate_key("2408:8000:1:2::1") != rate_key("2408:8000:1:3::1")
    assert rate_key("::ffff:1.2.3.4") == rate_key("1.2.3.4") == "1.2.3.4"
    assert rate_key("-") == "-"
