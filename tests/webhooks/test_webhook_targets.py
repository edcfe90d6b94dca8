"""Webhooks post to the internet only: a subscription to a loopback, private, link-local or
other non-public address is refused, and at delivery every address a host name resolves to is
checked, once, and the post goes to the checked address (no DNS rebinding), is not redirected,
and reaches a private address only when `webhook_allow_private_targets` allows it.

Real receivers and listeners on loopback, a real HTTP client; only name resolution is a stub
(the worker takes a resolver: host, port → addresses), so no test depends on DNS."""

import datetime as dt
import ipaddress
import re
import socket
import ssl

import httpx
import pytest
from sqlalchemy import update

from kvalitet.models import WebhookSubscription
from kvalitet.webhooks.targets import host_refusal, is_public
from kvalitet.webhooks.worker import deliver_due
from tests.support.cycle import Cycle
from tests.support.receiver import Listener, Receiver

SUBSCRIBE = """mutation ($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
  secret webhookSubscription { id version url } errors { field code message } } }"""
DELIVERIES = """query ($id: ID!) { node(id: $id) { ... on WebhookSubscription {
  deliveries(first: 20) { nodes { status attempts lastStatusCode lastError } } } } }"""
PUBLIC = "93.184.216.34"  # a public address; no test connects to it (the rebinding test uses a proxy)

REFUSED_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://127.1/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://0x7f.0.0.1/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://printer.local/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://receiver:8080/hook",  # one label: a name on the local network
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "https://user:pw@127.0.0.1/hook",
]


@pytest.fixture
async def municipality(gql):
    return await Cycle(gql).municipality("9901", "Testkommune", "testprofil")


async def _subscribe(gql, municipality, url):
    return (
        await gql(
            SUBSCRIBE, {"input": {"municipalityId": municipality["id"], "url": url, "eventTypes": ["unit.created"]}}
        )
    )["createWebhookSubscription"]


async def _store_url(database, url):
    """Change the URL behind the API's back: a subscription stored before the check, or one
    whose name has since come to lead somewhere else."""
    async with database.session() as session, session.begin():
        await session.execute(update(WebhookSubscription.__table__).values(url=url))


async def _deliver(database, client=None, **options):
    options = {"max_attempts": 5, "backoff_seconds": 0.001, **options}
    async with client or httpx.AsyncClient(timeout=5) as http:
        return await deliver_due(database.engine, http, **options)


async def _log(gql, subscription):
    return (await gql(DELIVERIES, {"id": subscription["webhookSubscription"]["id"]}))["node"]["deliveries"]["nodes"]


class StubResolver:
    """Answers in turn (the last answer again once they run out), and counts the questions."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host, port):
        self.calls.append((host, port))
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


@pytest.fixture
def victim():
    """Something on loopback that must never be reached."""
    listener = Listener().start()
    yield listener
    listener.stop()


# ---- the policy --------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.9",
        "10.1.2.3",
        "172.31.255.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.251",
        "240.0.0.1",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "2002:a00:1::",
    ],
)
def test_non_public_addresses_are_not(address):
    assert not is_public(ipaddress.ip_address(address))


def test_names_are_refused_only_when_local_by_their_spelling():
    assert host_refusal("hooks.example.org") is None and host_refusal("93.184.216.34") is None
    assert str(host_refusal("localhost")) == "localhost is a local name"
    assert str(host_refusal("2130706433")) == "2130706433 (127.0.0.1) is not a public address"
    assert str(host_refusal("::ffff:127.0.0.1")) == "::ffff:127.0.0.1 is not a public address"


# ---- at subscription ---------------------------------------------------------------------


async def test_a_subscription_to_a_non_public_host_is_refused(gql, municipality):
    for url in REFUSED_URLS:  # in one test: one database for them all
        made = await _subscribe(gql, municipality, url)
        assert made["webhookSubscription"] is None and made["secret"] is None, url
        [error] = made["errors"]
        assert (error["field"], error["code"]) == ("url", "INVALID_VALUE"), url
        assert error["message"].startswith("The URL must point to a public host: "), url
        assert re.search(r"is not a public address|is a local name", error["message"]), (url, error["message"])


async def test_changing_a_subscription_to_a_non_public_host_is_refused(gql, municipality):
    made = await _subscribe(gql, municipality, "https://hooks.example.org/kvalitet")
    assert made["errors"] == []
    hook = made["webhookSubscription"]
    for url in ["http://169.254.169.254/latest/meta-data/", "http://[::1]:9/", "http://localhost:5432/"]:
        errors = await Cycle(gql).refused(
            "updateWebhookSubscription", {"id": hook["id"], "version": hook["version"], "url": url}
        )
        assert [(e["field"], e["code"]) for e in errors] == [("url", "INVALID_VALUE")], errors


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/kvalitet",
        f"https://{PUBLIC}/hook",
        "https://[2606:4700::1111]:8443/hook",
        "http://xn--bcher-kva.example/hook",
    ],
)
async def test_a_subscription_to_a_public_host_is_accepted(gql, municipality, url):
    made = await _subscribe(gql, municipality, url)
    assert made["errors"] == [] and made["webhookSubscription"]["url"] == url


async def test_the_allow_setting_accepts_private_hosts(settings, profiles, database):
    from kvalitet.access.actor import PermissiveAccessPolicy
    from kvalitet.app import create_app
    from tests.support.client import GraphQLClient

    allowing = settings.model_copy(update={"webhook_allow_private_targets": True})
    app = create_app(allowing, profiles=profiles, policy=PermissiveAccessPolicy(), database=database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        gql = GraphQLClient(http)
        municipality = await Cycle(gql).municipality("9901", "Testkommune", "testprofil")
        for url in ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.1/"]:
            assert (await _subscribe(gql, municipality, url))["errors"] == []


# ---- at delivery -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, reason",
    [
        ("127.0.0.1", re.escape("127.0.0.1 is not a public address")),
        ("[::ffff:127.0.0.1]", re.escape("::ffff:127.0.0.1 is not a public address")),
        ("2130706433", re.escape("2130706433 (127.0.0.1) is not a public address")),
        (
            "localhost",
            r"localhost resolves to (127\.0\.0\.1|::1), which is not a public address",
        ),  # the system resolver
    ],
    ids=["ipv4", "ipv4-mapped", "one-number", "localhost"],
)
async def test_a_stored_url_to_loopback_is_refused_at_delivery(gql, database, municipality, victim, host, reason):
    made = await _subscribe(gql, municipality, "https://hooks.example.org/kvalitet")
    await _store_url(database, f"http://{host}:{victim.port}/hook")
    await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    assert await _deliver(database) == 1
    [delivery] = await _log(gql, made)
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == ("PENDING", 1, None)
    assert re.fullmatch("refused: " + reason, delivery["lastError"]), delivery["lastError"]
    assert victim.connections == 0 and victim.bytes_received == 0


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1"], ["::1"], ["169.254.169.254"], [PUBLIC, "127.0.0.1"], ["2606:4700::1111", "::ffff:127.0.0.1"]],
    ids="/".join,
)
async def test_a_name_that_resolves_to_a_private_address_is_refused(gql, database, municipality, victim, answer):
    """Every address the name resolves to is checked, not just the first."""
    made = await _subscribe(gql, municipality, f"http://hooks.rebind.test:{victim.port}/hook")
    assert made["errors"] == []
    await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    resolver = StubResolver(answer)
    assert await _deliver(database, resolve=resolver) == 1
    assert resolver.calls == [("hooks.rebind.test", victim.port)]
    [delivery] = await _log(gql, made)
    assert delivery["lastError"].startswith("refused: hooks.rebind.test resolves to ")
    assert delivery["lastError"].endswith(", which is not a public address")
    assert victim.connections == 0


async def test_a_name_that_does_not_resolve_is_a_failed_try(gql, database, municipality):
    async def nowhere(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    made = await _subscribe(gql, municipality, "https://hooks.rebind.test/hook")
    await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
    assert await _deliver(database, resolve=nowhere) == 1
    [delivery] = await _log(gql, made)
    assert (delivery["status"], delivery["lastError"]) == (
        "PENDING",
        "ConnectError: hooks.rebind.test could not be resolved (Name or service not known)",
    )


async def test_a_name_is_resolved_once_and_posted_to_the_address_checked(gql, database, municipality, victim):
    """DNS rebinding: the name resolves to a public address, then to 127.0.0.1. The worker asks
    once per attempt and posts to the address it checked. The post goes through a proxy (a
    loopback listener), which shows the address the request was sent to without it leaving
    the machine; the loopback receiver never sees a byte."""
    proxy = Listener().start()
    try:
        made = await _subscribe(gql, municipality, f"http://hooks.rebind.test:{victim.port}/hook")
        await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
        resolver = StubResolver([PUBLIC], ["127.0.0.1"])
        client = httpx.AsyncClient(timeout=5, proxy=proxy.url, trust_env=False)
        assert await _deliver(database, client, resolve=resolver) == 1
        assert len(resolver.calls) == 1
        [request] = proxy.requests
        head = request.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
        assert head[0] == f"POST http://{PUBLIC}:{victim.port}/hook HTTP/1.1"
        assert f"Host: hooks.rebind.test:{victim.port}" in head
        assert [d["status"] for d in await _log(gql, made)] == ["DELIVERED"]

        # The next event: now the name leads to loopback, and the post is refused.
        await Cycle(gql).unit(municipality["id"], "Nordlys skole", "SCHOOL")
        assert (
            await _deliver(database, httpx.AsyncClient(timeout=5, proxy=proxy.url, trust_env=False), resolve=resolver)
            == 1
        )
        assert len(resolver.calls) == 2 and len(proxy.requests) == 1
        log = await _log(gql, made)
        assert log[1]["lastError"] == "refused: hooks.rebind.test resolves to 127.0.0.1, which is not a public address"
        assert victim.connections == 0
    finally:
        proxy.stop()


async def test_only_the_allow_setting_lets_a_delivery_reach_loopback(gql, database, municipality):
    receiver = Receiver().start()
    try:
        made = await _subscribe(gql, municipality, "https://hooks.example.org/kvalitet")
        await _store_url(database, receiver.url)
        await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
        assert await _deliver(database) == 1
        assert receiver.received == []
        [refused] = await _log(gql, made)
        assert refused["lastError"] == "refused: 127.0.0.1 is not a public address"

        # Due again after its (tiny) backoff; now private targets are allowed.
        for _ in range(50):
            if tried := await _deliver(database, allow_private=True):
                break
        assert tried == 1
        assert len(receiver.received) == 1
        [delivered] = await _log(gql, made)
        assert (delivered["status"], delivered["attempts"], delivered["lastError"]) == ("DELIVERED", 2, None)
    finally:
        receiver.stop()


async def test_a_redirect_is_a_failure_and_is_not_followed(gql, database, municipality, victim):
    """Even with a client that would follow redirects: the worker sends with follow_redirects off."""
    receiver = Receiver(status=302, location=f"http://127.0.0.1:{victim.port}/").start()
    try:
        made = await _subscribe(gql, municipality, "https://hooks.example.org/kvalitet")
        await _store_url(database, receiver.url)
        await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
        client = httpx.AsyncClient(timeout=5, follow_redirects=True)
        assert await _deliver(database, client, allow_private=True) == 1
        assert len(receiver.received) == 1
        [delivery] = await _log(gql, made)
        assert (delivery["status"], delivery["lastStatusCode"], delivery["lastError"]) == ("PENDING", 302, "HTTP 302")
        assert victim.connections == 0
    finally:
        receiver.stop()


def _certificate(directory, name):
    """A self-signed certificate for `name` (and its key), as files; it is its own authority."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certfile), str(keyfile)


async def test_https_goes_to_the_checked_address_and_verifies_the_host_name(gql, database, municipality, tmp_path):
    """The post goes to the resolved address, and TLS still checks the certificate against the
    URL's host name (sent as the server name), and the receiver sees that name in `Host`."""
    certificate = _certificate(tmp_path, "hooks.rebind.test")
    receiver = Receiver(certificate=certificate).start()
    try:
        port = receiver.url.split(":")[2].split("/")[0]
        made = await _subscribe(gql, municipality, f"https://hooks.rebind.test:{port}/hook")
        await Cycle(gql).unit(municipality["id"], "Solsiden barnehage", "KINDERGARTEN")
        verifying = ssl.create_default_context(cafile=certificate[0])
        resolver = StubResolver(["127.0.0.1"])
        assert (
            await _deliver(
                database, httpx.AsyncClient(timeout=5, verify=verifying), resolve=resolver, allow_private=True
            )
            == 1
        )
        [request] = receiver.received
        assert request.headers["host"] == f"hooks.rebind.test:{port}"
        assert [d["status"] for d in await _log(gql, made)] == ["DELIVERED"]

        # A certificate for another name is refused, though the address is the same.
        await _store_url(database, f"https://other.rebind.test:{port}/hook")
        await Cycle(gql).unit(municipality["id"], "Nordlys skole", "SCHOOL")
        assert (
            await _deliver(
                database, httpx.AsyncClient(timeout=5, verify=verifying), resolve=resolver, allow_private=True
            )
            == 1
        )
        assert len(receiver.received) == 1
        log = await _log(gql, made)
        assert log[1]["status"] == "PENDING" and "certificate verify failed" in log[1]["lastError"], log[1]
    finally:
        receiver.stop()
