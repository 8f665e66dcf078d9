"""The SSRF guard: only public http(s) destinations pass, whatever spelling hides an inside address."""

import ipaddress
import socket

import pytest

from libs.common.ssrf import Allowlist, UnsafeUrl, blocked_because, check_url

NOBODY = Allowlist.parse([])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
        ("http://[::1]:8080/", "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://10.0.0.1/", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://192.168.1.1/", "a private address"),
        ("http://[fc00::1]/", "a private address"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://100.64.0.1/", "a shared (carrier-grade NAT) address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://0.0.0.0/", "the unspecified address"),
        ("http://255.255.255.255/", "the broadcast address"),
        ("http://240.0.0.1/", "address"),
        ("http://[::ffff:127.0.0.1]/", "embedding 127.0.0.1, a loopback address"),
        ("http://[2002:a00:1::]/", "embedding 10.0.0.1, a private address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "embedding 169.254.169.254, a cloud metadata address"),
        ("http://2130706433/", "2130706433 resolves to 127.0.0.1, which is a loopback address"),
        ("http://0x7f000001/", "0x7f000001 resolves to 127.0.0.1, which is a loopback address"),
        ("http://017700000001/", "017700000001 resolves to 127.0.0.1, which is a loopback address"),
        ("http://127.1/", "resolves to 127.0.0.1"),
        ("http://localhost:8000/", "localhost resolves to 127.0.0.1, which is a loopback address"),
        ("file:///etc/passwd", "only http and https URLs"),
        ("ftp://x/", "only http and https URLs"),
        ("javascript:alert(1)", "only http and https URLs"),
        ("//example.com/hook", "only http and https URLs"),
        ("http://user:pw@example.com/", "credentials"),
        ("http://@example.com/", "credentials"),
        ("http:///hook", "no host"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
async def test_unsafe_urls_are_rejected_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(UnsafeUrl) as rejected:
        await check_url(url, NOBODY)
    assert says in rejected.value.message
    assert rejected.value.field == "url"
    assert "pw" not in rejected.value.message


async def test_the_allowlist_lets_a_trusted_internal_receiver_through() -> None:
    checked = await check_url("http://127.0.0.1:8765/hook?x=1", Allowlist.parse(["127.0.0.1"]))
    assert (checked.target, checked.host_header) == ("http://127.0.0.1:8765/hook?x=1", "127.0.0.1:8765")
    assert (await check_url("http://10.1.2.3/", Allowlist.parse(["10.0.0.0/8"]))).target == "http://10.1.2.3:80/"
    assert (await check_url("http://localhost/", Allowlist.parse(["LOCALHOST"]))).host_header == "localhost"


async def test_the_allowlist_trusts_only_what_it_names() -> None:
    with pytest.raises(UnsafeUrl):
        await check_url("http://127.0.0.2/", Allowlist.parse(["127.0.0.1"]))
    with pytest.raises(UnsafeUrl):
        await check_url("http://169.254.169.254/", Allowlist.parse(["10.0.0.0/8", "example.com"]))


async def test_a_public_address_passes_without_any_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("the guard looked a literal address up")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    checked = await check_url("https://93.184.216.34/hooks/reelforge", NOBODY)
    assert (checked.target, checked.host_header, checked.hostname) == (
        "https://93.184.216.34:443/hooks/reelforge",
        "93.184.216.34",
        "93.184.216.34",
    )
    v6 = await check_url("http://[2606:2800:220:1:248:1893:25c8:1946]:8080/", NOBODY)
    assert v6.target == "http://[2606:2800:220:1:248:1893:25c8:1946]:8080/"


async def test_a_host_name_is_requested_at_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """What DNS says later no longer matters: the caller connects to `target`, naming the host in `Host`."""

    def resolves_publicly(host: str, port: int, **_: object) -> list[tuple]:
        assert host == "hooks.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolves_publicly)
    checked = await check_url("https://Hooks.Example.com:8443/in", NOBODY)
    assert (checked.target, checked.host_header, checked.hostname) == (
        "https://93.184.216.34:8443/in",
        "hooks.example.com:8443",
        "hooks.example.com",
    )


async def test_one_inside_address_among_public_ones_is_enough_to_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    def mixed(host: str, port: int, **_: object) -> list[tuple]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with pytest.raises(UnsafeUrl) as rejected:
        await check_url("http://rebind.example/", NOBODY)
    assert "rebind.example resolves to 10.0.0.7, which is a private address" in rejected.value.message


def test_public_addresses_are_not_blocked() -> None:
    for address in ("8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert blocked_because(ipaddress.ip_address(address)) is None
