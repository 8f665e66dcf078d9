"""One attempt over HTTPS against a real TLS server on loopback, with a certificate authority made for the test.

The URL names `hooks.test`; the guard resolves it (to 127.0.0.1, as the test's resolver answers) and the
request goes to that address, while TLS still names the host: the server sees `hooks.test` as SNI and the
client checks the certificate against it. A certificate for another name, or from a CA the client does not
trust, is a failed attempt that says so, and the receiver never gets the payload.
"""

import asyncio
import datetime
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from libs.common.ssrf import Allowlist
from services.notifier.sender import WebhookSender, webhook_client
from services.notifier.store import DueAttempt
from tests.integration.notifier.webhooks import SECRET

HOST = "hooks.test"
PAYLOAD = '{"event":"generation.complete"}'


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, name: str) -> "Authority":
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        certificate = (
            _valid_now(x509.CertificateBuilder())
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(signs_certificates=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def issue(self, host: str, directory: Path) -> tuple[Path, Path]:
        """A server certificate for `host` signed by this authority, written as PEM files (certificate, key)."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            _valid_now(x509.CertificateBuilder())
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = directory / f"{host}-{uuid4().hex[:6]}.pem", directory / f"{host}-key.pem"
        cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cert_file, key_file

    def trusted_by(self) -> ssl.SSLContext:
        """A client context that trusts this authority only."""
        return ssl.create_default_context(cadata=self.certificate.public_bytes(serialization.Encoding.PEM).decode())


def _valid_now(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    moment = datetime.datetime.now(datetime.UTC)
    return (
        builder.serial_number(x509.random_serial_number())
        .not_valid_before(moment - datetime.timedelta(minutes=5))
        .not_valid_after(moment + datetime.timedelta(days=1))
    )


def _key_usage(signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class TlsReceiver:
    """What an HTTPS receiver saw: the server name of each TLS handshake, and each request that got through."""

    port: int = 0
    server_names: list[str | None] = field(default_factory=list)
    requests: list[tuple[bytes, bytes]] = field(default_factory=list)  # (head, body)


@asynccontextmanager
async def https_receiver(cert_file: Path, key_file: Path) -> AsyncIterator[TlsReceiver]:
    """An HTTPS server on 127.0.0.1 presenting the certificate, answering every request 200."""
    seen = TlsReceiver()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _socket, name, _context: seen.server_names.append(name)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            seen.requests.append((head, await reader.readexactly(length)))
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    seen.port = server.sockets[0].getsockname()[1]
    try:
        yield seen
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def resolves_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """`hooks.test` resolves to 127.0.0.1 (no network, no hosts file)."""

    def resolve(host: str, port: int, **_: object) -> list[tuple]:
        assert host == HOST
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority.create("Reelforge test CA")


@asynccontextmanager
async def sending(trusted: ssl.SSLContext | None) -> AsyncIterator[WebhookSender]:
    client = webhook_client(trusted)
    try:
        yield WebhookSender(client, Allowlist.parse(["127.0.0.1"]), timeout_s=5)
    finally:
        await client.aclose()


def attempt_at(url: str) -> DueAttempt:
    return DueAttempt("msg_tls", 1, uuid4(), url, SECRET, PAYLOAD)


@pytest.mark.usefixtures("resolves_to_loopback")
async def test_a_delivery_over_https_names_the_host_in_sni_and_passes_its_certificate(
    authority: Authority, tmp_path: Path
) -> None:
    async with https_receiver(*authority.issue(HOST, tmp_path)) as receiver, sending(authority.trusted_by()) as sender:
        result = await sender.attempt(attempt_at(f"https://{HOST}:{receiver.port}/hook"))
    assert (result.http_status, result.error) == (200, None)
    assert receiver.server_names == [HOST]
    [(head, body)] = receiver.requests
    assert head.startswith(b"POST /hook HTTP/1.1\r\n")
    assert f"host: {HOST}:{receiver.port}\r\n".encode() in head.lower()
    assert body == PAYLOAD.encode()


@pytest.mark.usefixtures("resolves_to_loopback")
async def test_a_certificate_for_another_name_is_a_failed_attempt(authority: Authority, tmp_path: Path) -> None:
    async with (
        https_receiver(*authority.issue("elsewhere.test", tmp_path)) as receiver,
        sending(authority.trusted_by()) as sender,
    ):
        result = await sender.attempt(attempt_at(f"https://{HOST}:{receiver.port}/hook"))
    assert (result.http_status, result.delivered) == (None, False)
    assert result.error is not None and "certificate" in result.error and f"not valid for '{HOST}'" in result.error
    assert receiver.server_names == [HOST] and receiver.requests == []


@pytest.mark.usefixtures("resolves_to_loopback")
async def test_a_certificate_from_an_untrusted_authority_is_a_failed_attempt(
    authority: Authority, tmp_path: Path
) -> None:
    """Signed by a CA the client does not trust: one of its own making, or the test's CA under the default
    client, which trusts only the public CAs."""
    stranger = Authority.create("Someone else's CA")
    for trusted in (stranger.trusted_by(), None):
        async with https_receiver(*authority.issue(HOST, tmp_path)) as receiver, sending(trusted) as sender:
            result = await sender.attempt(attempt_at(f"https://{HOST}:{receiver.port}/hook"))
        assert (result.http_status, result.delivered) == (None, False)
        assert result.error is not None and "unable to get local issuer certificate" in result.error, result.error
        assert receiver.requests == []
