"""``portal pull DIR`` (README, "Portal snapshots"): a snapshot saved from HubSpot's API, here a
fake of it on 127.0.0.1 serving fixtures/portal's bodies and recording each request it got."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from validator import __version__
from validator.cli import cli, main
from validator.findings import ValidatorError
from validator.portal import load_portal
from validator.portal_pull import pull

PORTAL = ROOT / "fixtures" / "portal"
DEALS = ROOT / "fixtures" / "examples" / "deals" / "deals.import.json"
TOKEN = "pat-na1-0a1b2c3d-secret-token-4e5f"


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # bytes as they are, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between pieces of 2 bytes (a server that trickles its answer)


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeHubSpot:
    """HubSpot's answers from a snapshot folder (``/crm/v3/owners?archived=true`` ->
    owners-archived.json ...), a 404 where it has no file (an empty list for ``archived=true``);
    ``script[key]`` (key: the path, with ``?archived=true`` for those) answers its calls in turn
    instead, the last answer repeating, or ``handlers[key]`` (a function of the query)."""

    def __init__(self, folder: Path = PORTAL):
        self.folder = folder
        self.script: dict[str, list[Answer]] = {}
        self.handlers: dict[str, Callable[[dict[str, str]], Answer]] = {}
        self.calls: list[Call] = []
        self.url = ""

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        key = path + ("?archived=true" if query.get("archived") == "true" else "")
        self.calls.append(Call(path, query, {}))
        if key in self.script:
            answers = self.script[key]
            return answers.pop(0) if len(answers) > 1 else answers[0]
        if key in self.handlers:
            return self.handlers[key](query)
        file = self._file(path.split("/")[1:], query.get("archived") == "true")
        if file is not None and not file.is_file() and query.get("archived") == "true":
            return Answer(200, {"results": []})  # (HubSpot lists no archived item so)
        if file is None or not file.is_file():
            return Answer(404, {"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND"})
        return Answer(200, file.read_bytes())

    def _file(self, parts: list[str], archived: bool) -> Path | None:
        root = self.folder
        match parts:
            case ["crm", "v3", "schemas"]:
                return root / "schemas.json"
            case ["crm", "v3", "owners"]:
                return root / ("owners-archived.json" if archived else "owners.json")
            case ["crm", "v3", "properties", obj]:
                return root / ("properties-archived" if archived else "properties") / f"{obj}.json"
            case ["crm", "v3", "pipelines", obj]:
                return root / "pipelines" / f"{obj}.json"
            case ["crm", "v4", "associations", left, right, "labels"]:
                return root / "associations" / left / f"{right}.json"
        return None

    def asked(self) -> list[str]:
        return [c.path + ("?archived=true" if c.query.get("archived") == "true" else "") for c in self.calls]


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            answer = fake.answer(parts.path, query)
            fake.calls[-1].headers = dict(self.headers.items())
            if answer.status == 0:  # the connection closed, no answer
                self.close_connection = True
                return
            body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not answer.trickle:
                self.wfile.write(body)
            try:
                for at in range(0, len(body) if answer.trickle else 0, 2):
                    self.wfile.write(body[at:at + 2])
                    self.wfile.flush()
                    time.sleep(answer.trickle)
            except OSError:  # (the client gave up)
                self.close_connection = True

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def run(hubspot: FakeHubSpot, *args: str, token: str | None = TOKEN,
        capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``portal pull`` through the CLI's entry point: exit code, stdout, stderr."""
    with pytest.MonkeyPatch.context() as mp:
        if token is None:
            mp.delenv("HUBSPOT_TOKEN", raising=False)
        else:
            mp.setenv("HUBSPOT_TOKEN", token)
        with pytest.raises(SystemExit) as exc:
            main(["portal", "pull", *args, "--base-url", hubspot.url])
    out, err = capsys.readouterr()
    assert TOKEN not in out + err
    return exc.value.code, out, err  # type: ignore[return-value]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_pull_of_fixtures_portal_checks_the_deals_example_as_fixtures_portal_does(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(hubspot, str(tmp_path / "portal"), capsys=capsys)
    assert code == 0 and out == ""
    # every file the fake has, byte for byte (one page each: as received), no archived items; the rest skipped
    assert files(tmp_path / "portal") == {**files(PORTAL), **dict.fromkeys(
        ["owners-archived.json", "properties-archived/contacts.json", "properties-archived/deals.json"],
        b'{"results": []}')}
    assert "hubspot-preflight: warning: skipped properties/cars.json: HTTP 404 on GET /crm/v3/properties/2-1234567: " \
           "not found in this account: HubSpot says 'resource not found'" in err.splitlines()
    assert err.splitlines()[-1] == (f"hubspot-preflight: pulled 9 files into {tmp_path / 'portal'} (37 calls; "
                                    "28 skipped)")
    assert re.search(r"^  owners\.json +3 items$", err, re.M)
    # the archived properties of an object whose properties were skipped are not asked for (alone, refused)
    assert "/crm/v3/properties/companies?archived=true" not in hubspot.asked()
    # contacts, companies, deals, tickets and the custom object cars (by its id), each pair's labels
    assert hubspot.asked()[:3] == ["/crm/v3/schemas", "/crm/v3/properties/contacts",
                                  "/crm/v3/properties/contacts?archived=true"]
    assert "/crm/v3/properties/2-1234567" in hubspot.asked()
    assert "/crm/v4/associations/2-1234567/contacts/labels" in hubspot.asked()
    assert [c.query for c in hubspot.calls if c.path == "/crm/v3/owners"] == [
        {"limit": "500"}, {"limit": "500", "archived": "true"}]
    ours = CliRunner().invoke(cli, ["check", str(DEALS), "--portal", str(tmp_path / "portal")])
    theirs = CliRunner().invoke(cli, ["check", str(DEALS), "--portal", str(PORTAL)])
    assert ours.exit_code == theirs.exit_code == 1
    assert ours.output.splitlines()[:-1] == theirs.output.splitlines()[:-1]
    assert "  3:6  error   HS237 'Alex Kim' is the name of several users (Owner)" in ours.output


def test_the_token_goes_in_the_authorization_header_with_our_user_agent(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)[0] == 0
    assert hubspot.calls and all(c.headers["Authorization"] == f"Bearer {TOKEN}" for c in hubspot.calls)
    assert {c.headers["User-Agent"] for c in hubspot.calls} == {f"hubspot-preflight/{__version__}"}
    # the token is in no file written either
    assert not any(TOKEN.encode() in body for body in files(tmp_path / "p").values())


def owner(n: int) -> dict[str, Any]:
    return {"id": str(n), "email": f"user{n}@example.com", "firstName": "User", "lastName": str(n), "archived": False}


def test_owners_over_three_pages_are_one_body_the_reader_loads(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = {None: ([owner(1), owner(2)], "p2"), "p2": ([owner(3), owner(4)], "p3"), "p3": ([owner(5)], None)}

    def owners(query: dict[str, str]) -> Answer:
        results, after = pages[query.get("after")]
        return Answer(body={"results": results, **({"paging": {"next": {"after": after, "link": "x"}}}
                                                   if after else {})})

    hubspot.handlers["/crm/v3/owners"] = owners
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)
    assert code == 0
    assert re.search(r"^  owners\.json +5 items, 3 pages$", err, re.M)
    assert [c.query.get("after") for c in hubspot.calls if c.path == "/crm/v3/owners"
            and "archived" not in c.query] == [None, "p2", "p3"]
    body = json.loads((tmp_path / "p" / "owners.json").read_text(encoding="utf-8"))
    assert set(body) == {"results"} and [o["id"] for o in body["results"]] == ["1", "2", "3", "4", "5"]
    assert [o.id for o in load_portal(tmp_path / "p").owners or ()] == ["1", "2", "3", "4", "5"]


def test_pages_with_a_lone_surrogate_are_refused_as_the_reader_refuses_them(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = {None: b'{"results": [{"id": "1", "firstName": "Zo\\u00eb"}], "paging": {"next": {"after": "2"}}}',
             "2": b'{"results": [{"id": "2", "firstName": "\\ud800"}]}'}
    hubspot.handlers["/crm/v3/owners"] = lambda q: Answer(body=pages[q.get("after")])
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)
    assert (code, err) == (2, f"hubspot-preflight: error: portal snapshot {tmp_path / 'p' / 'owners.json'}: a string "
                              "holds a lone surrogate (\\ud800), which no HubSpot response holds\n")
    assert list(tmp_path.iterdir()) == []
    del pages["2"]
    pages[None] = pages[None].replace(b', "paging": {"next": {"after": "2"}}', b"")
    assert run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)[0] == 0


def test_a_cursor_given_twice_is_refused_not_followed_for_ever(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hubspot.handlers["/crm/v3/owners"] = lambda q: Answer(body={"results": [owner(1)],
                                                                "paging": {"next": {"after": "same"}}})
    (tmp_path / "p").mkdir()
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)
    assert code == 2
    assert err == ("hubspot-preflight: error: GET /crm/v3/owners?limit=500: page 3 asks again for a page already "
                   "read (paging.next.after repeats): the pages would never end\n")
    assert len([c for c in hubspot.calls if c.path == "/crm/v3/owners"]) == 2
    assert list((tmp_path / "p").iterdir()) == [] and list(tmp_path.iterdir()) == [tmp_path / "p"]


def test_pages_past_the_bound_are_refused(hubspot: FakeHubSpot, tmp_path: Path) -> None:
    hubspot.handlers["/crm/v3/owners"] = lambda q: Answer(body={"results": [owner(1)], "paging": {"next": {
        "after": str(int(q.get("after", "0")) + 1)}}})
    with pytest.raises(ValidatorError, match=r"^GET /crm/v3/owners\?limit=500: more than 5 pages: refused"):
        pull(tmp_path / "p", token=TOKEN, base=hubspot.url, objects=["deals"], max_pages=5)
    assert len([c for c in hubspot.calls if c.path == "/crm/v3/owners"]) == 5
    assert not (tmp_path / "p").exists()


def test_a_429_is_tried_again_after_its_retry_after(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    limited = Answer(429, {"status": "error", "category": "RATE_LIMITS"}, {"Retry-After": "0"})
    hubspot.script["/crm/v3/schemas"] = [limited, Answer(200, (PORTAL / "schemas.json").read_bytes())]
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "cars", "-v", capsys=capsys)
    assert code == 0
    assert hubspot.asked()[:2] == ["/crm/v3/schemas", "/crm/v3/schemas"]
    assert "hubspot-preflight: GET /crm/v3/schemas -> HTTP 429: trying again in 0 s" in err.splitlines()
    assert (tmp_path / "p" / "schemas.json").read_bytes() == (PORTAL / "schemas.json").read_bytes()
    assert "1 tried again" in err.splitlines()[-1]


def test_a_call_waits_for_the_rate_limit_window_its_answer_says_is_spent(hubspot: FakeHubSpot, tmp_path: Path) -> None:
    spent = {"X-HubSpot-RateLimit-Remaining": "0", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}
    hubspot.script["/crm/v3/schemas"] = [Answer(200, (PORTAL / "schemas.json").read_bytes(), spent)]
    hubspot.script["/crm/v3/properties/deals"] = [Answer(200, (PORTAL / "properties" / "deals.json").read_bytes(), {
        "X-HubSpot-RateLimit-Remaining": "1", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})]
    waits: list[float] = []
    lines: list[str] = []
    summary = pull(tmp_path / "p", token=TOKEN, base=hubspot.url, objects=["deals"], sleep=waits.append,
                   log=lines.append)
    assert waits == [10.0] and summary.retries == 0
    assert lines[1] == "GET /crm/v3/properties/deals: waiting 10 s (no call left in HubSpot's rate-limit window)"


@pytest.mark.parametrize(("value", "seconds"), [
    ("0", 0.0), ("3", 3.0), ("2.5", 2.5), ("3600", 30.0), ("-5", 0.0), ("soon", 4.0), ("nan", 4.0), ("", 4.0),
    (None, 4.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_is_read_as_seconds_or_a_date_and_capped(value: str | None, seconds: float) -> None:
    from validator.portal_http import _retry_after

    assert _retry_after(value, 4.0) == seconds


def test_a_500_twice_then_an_answer_waits_one_then_two_seconds(hubspot: FakeHubSpot, tmp_path: Path) -> None:
    hubspot.script["/crm/v3/owners"] = [Answer(500, b"oops"), Answer(502, b"<html>"),
                                        Answer(200, (PORTAL / "owners.json").read_bytes())]
    waits: list[float] = []
    summary = pull(tmp_path / "p", token=TOKEN, base=hubspot.url, objects=["deals"], sleep=waits.append)
    assert waits == [1.0, 2.0] and summary.retries == 2
    assert (tmp_path / "p" / "owners.json").read_bytes() == (PORTAL / "owners.json").read_bytes()
    # and one that keeps failing gives up after four tries, leaving nothing behind
    hubspot.script["/crm/v3/owners"] = [Answer(503, b"")]
    with pytest.raises(ValidatorError, match=r"^GET /crm/v3/owners\?limit=500: HTTP 503; gave up after 4 tries"):
        pull(tmp_path / "q", token=TOKEN, base=hubspot.url, objects=["deals"], sleep=waits.append)
    assert waits[2:] == [1.0, 2.0, 4.0] and not (tmp_path / "q").exists()


def test_a_lost_connection_is_tried_again_and_one_that_cannot_be_made_stops_the_pull(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hubspot.script["/crm/v3/schemas"] = [Answer(0), Answer(200, (PORTAL / "schemas.json").read_bytes())]
    waits: list[float] = []
    summary = pull(tmp_path / "p", token=TOKEN, base=hubspot.url, objects=["deals"], sleep=waits.append)
    assert waits == [1.0] and summary.retries == 1 and (tmp_path / "p" / "schemas.json").exists()
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    hubspot.url = f"http://127.0.0.1:{port}"
    code, _, err = run(hubspot, str(tmp_path / "q"), capsys=capsys)
    assert (code, err) == (2, "hubspot-preflight: error: GET /crm/v3/schemas: cannot reach 127.0.0.1: "
                              "Connection refused\n")
    assert not (tmp_path / "q").exists()


def test_an_answer_that_trickles_in_is_given_up_after_ten_timeouts(hubspot: FakeHubSpot, tmp_path: Path) -> None:
    # each read is within the timeout (0.05 s), the whole answer is not (100 pieces, 0.01 s apart)
    hubspot.script["/crm/v3/schemas"] = [Answer(200, b'{"results": []}' + b" " * 185, trickle=0.01)]
    with pytest.raises(ValidatorError) as caught:
        pull(tmp_path / "p", token=TOKEN, base=hubspot.url, objects=["deals"], timeout=0.05)
    assert re.fullmatch(r"GET /crm/v3/schemas: the answer took over 0\.5 s \(\d+ bytes so far\); try again "
                        r"later, or raise --timeout", str(caught.value))
    assert not (tmp_path / "p").exists() and len(hubspot.calls) == 1


@pytest.mark.parametrize(("answer", "said"), [
    (Answer(200, {"total": 3}), 'the answer is not HubSpot\'s shape (an object with a "results" list of objects)'),
    (Answer(200, {"results": [1]}), 'the answer is not HubSpot\'s shape (an object with a "results" list of objects)'),
    (Answer(200, {"results": [], "paging": {"next": {"after": {}}}}),
     'the answer is not HubSpot\'s shape ("paging.next.after" is not a cursor)'),
    (Answer(200, b"\xff\xfe"), "the answer is not JSON"),
    (Answer(302, b"", {"Location": "http://elsewhere.example/crm/v3/owners"}),
     "HTTP 302, a redirect to elsewhere.example: not followed (the token would go with it); give the API's own "
     "address as --base-url"),
])
def test_an_answer_that_is_not_hubspots_stops_the_pull_naming_the_call(
        answer: Answer, said: str, hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hubspot.script["/crm/v3/owners"] = [answer]
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)
    assert (code, err) == (2, f"hubspot-preflight: error: GET /crm/v3/owners?limit=500: {said}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_rejected_token_stops_the_pull_naming_no_token(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hubspot.script["/crm/v3/schemas"] = [Answer(401, {"status": "error", "message": f"bad token {TOKEN}",
                                                      "category": "INVALID_AUTHENTICATION"})]
    code, out, err = run(hubspot, str(tmp_path / "p"), "-v", capsys=capsys)
    assert (code, out) == (2, "")
    assert err == ("hubspot-preflight: error: GET /crm/v3/schemas: HTTP 401, HubSpot rejected the token (expired, "
                   "revoked or not a private app's access token)\n")
    assert hubspot.asked() == ["/crm/v3/schemas"] and list(tmp_path.iterdir()) == []
    # what HubSpot says is quoted, the token masked where it echoes it
    hubspot.script["/crm/v3/schemas"] = [Answer(400, {"message": f"Authorization Bearer {TOKEN} is malformed"})]
    code, out, err = run(hubspot, str(tmp_path / "p"), capsys=capsys)
    assert (code, err) == (2, "hubspot-preflight: error: HTTP 400 on GET /crm/v3/schemas: refused: HubSpot says "
                              "'Authorization Bearer *** is malformed'\n")


def test_a_missing_or_empty_token_is_refused_before_any_call(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(hubspot, str(tmp_path / "p"), token=None, capsys=capsys)[2] == (
        "hubspot-preflight: error: HUBSPOT_TOKEN is not set or empty: it holds the private app's access token\n")
    assert run(hubspot, str(tmp_path / "p"), token="  ", capsys=capsys)[0] == 2
    code, _, err = run(hubspot, str(tmp_path / "p"), "--token-env", "MY_TOKEN", capsys=capsys)
    assert (code, err) == (2, "hubspot-preflight: error: MY_TOKEN is not set or empty: it holds the private app's "
                              "access token\n")
    code, _, err = run(hubspot, str(tmp_path / "p"), token=TOKEN + "\n" + TOKEN, capsys=capsys)
    assert code == 2 and "holds characters no access token has" in err
    assert hubspot.calls == [] and list(tmp_path.iterdir()) == []


def test_a_token_for_another_variable_is_read_from_it(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TOKEN", "other-token")
    assert run(hubspot, str(tmp_path / "p"), "--object", "deals", "--token-env", "SANDBOX_TOKEN", capsys=capsys)[0] == 0
    assert {c.headers["Authorization"] for c in hubspot.calls} == {"Bearer other-token"}


def test_a_403_on_owners_skips_them_with_a_warning_unless_strict(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hubspot.script["/crm/v3/owners"] = [Answer(403, {
        "status": "error", "message": "This app hasn't been granted all required scopes to make this call.",
        "errors": [{"message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": ["crm.objects.owners.read"]}}],
        "category": "MISSING_SCOPES"})]
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "deals", capsys=capsys)
    assert code == 0
    assert ("hubspot-preflight: warning: skipped owners.json: HTTP 403 on GET /crm/v3/owners?limit=500: the token "
            "needs the scope crm.objects.owners.read") in err.splitlines()
    assert not (tmp_path / "p" / "owners.json").exists() and not (tmp_path / "p" / "owners-archived.json").exists()
    assert "/crm/v3/owners?archived=true" not in hubspot.asked()  # (alone, the reader refuses it)
    assert (tmp_path / "p" / "properties" / "deals.json").exists()
    code, _, err = run(hubspot, str(tmp_path / "q"), "--object", "deals", "--strict", capsys=capsys)
    assert code == 2 and not (tmp_path / "q").exists()
    assert err == ("hubspot-preflight: error: owners.json: HTTP 403 on GET /crm/v3/owners?limit=500: the token "
                   "needs the scope crm.objects.owners.read (--strict: a file skipped fails the pull)\n")
    # where HubSpot's answer names no scope, the endpoint's own is named
    hubspot.script["/crm/v3/owners"] = [Answer(403, b"")]
    code, _, err = run(hubspot, str(tmp_path / "r"), "--object", "deals", "-q", capsys=capsys)
    assert (code, err) == (0, "")
    assert pull(tmp_path / "s", token=TOKEN, base=hubspot.url, objects=["deals"]).skipped[0].why == (
        "HTTP 403 on GET /crm/v3/owners?limit=500: the token needs the scope crm.objects.owners.read")


@pytest.mark.parametrize("url", ["http://api.hubapi.com", "http://10.0.0.1:8080", "ftp://127.0.0.1",
                                 "https://user:pw@api.hubapi.com", "http://localhost.example.com"])
def test_a_base_url_that_would_send_the_token_in_clear_is_refused(
        url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    with pytest.raises(SystemExit) as exc:
        main(["portal", "pull", str(tmp_path / "p"), "--base-url", url])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith(f"hubspot-preflight: error: --base-url {url!r}: ")
    assert len(err.splitlines()) == 1 and not (tmp_path / "p").exists()


def test_a_failed_pull_leaves_the_folder_as_it_was_and_force_replaces_it_once_complete(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "p"
    (old / "properties").mkdir(parents=True)
    (old / "owners.json").write_text('{"results": []}', encoding="utf-8")
    (old / "properties" / "deals.json").write_text('{"results": []}', encoding="utf-8")
    before = files(old)
    code, _, err = run(hubspot, str(old), capsys=capsys)
    assert code == 2 and err == (f"hubspot-preflight: error: {old}: not empty; --force replaces it whole, once the "
                                 "new snapshot is complete\n")
    assert hubspot.calls == []
    hubspot.script["/crm/v3/pipelines/deals"] = [Answer(200, b"<html>Service unavailable</html>")]
    code, _, err = run(hubspot, str(old), "--object", "deals", "--force", capsys=capsys)
    assert code == 2 and err == ("hubspot-preflight: error: GET /crm/v3/pipelines/deals: the answer is not JSON\n")
    assert files(old) == before and sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    hubspot.script["/crm/v3/pipelines/deals"] = [Answer(200, {"results": [{"id": "x"}]})]  # (no label, stages)
    code, _, err = run(hubspot, str(old), "--object", "deals", "--force", capsys=capsys)
    assert code == 2 and err.startswith(f"hubspot-preflight: error: portal snapshot {old / 'pipelines' / 'deals.json'}"
                                        ": results[0]: ")
    assert files(old) == before and sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    del hubspot.script["/crm/v3/pipelines/deals"]
    assert run(hubspot, str(old), "--object", "deals", "--force", capsys=capsys)[0] == 0
    assert sorted(files(old)) == ["owners-archived.json", "owners.json", "pipelines/deals.json",
                                  "properties-archived/deals.json", "properties/deals.json", "schemas.json"]
    assert files(old)["owners.json"] == (PORTAL / "owners.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    # --force replaces a snapshot, nothing else
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    code, _, err = run(hubspot, str(tmp_path / "notes"), "--force", capsys=capsys)
    assert code == 2 and "holds 'todo.txt', which is not a snapshot's" in err
    assert files(tmp_path / "notes") == {"todo.txt": b"x"}


def test_an_empty_folder_is_filled(hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p").mkdir()
    assert run(hubspot, str(tmp_path / "p"), "--object", "contacts", capsys=capsys)[0] == 0
    assert sorted(files(tmp_path / "p")) == ["owners-archived.json", "owners.json", "properties-archived/contacts.json",
                                             "properties/contacts.json", "schemas.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_for_pulls_the_objects_the_request_uses(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(hubspot, str(tmp_path / "p"), "--for", str(DEALS), capsys=capsys)
    assert code == 0
    assert [k for k in hubspot.asked() if "/properties/" in k or "/pipelines/" in k or "/associations/" in k] == [
        "/crm/v3/properties/deals", "/crm/v3/properties/deals?archived=true", "/crm/v3/pipelines/deals",
        "/crm/v4/associations/deals/deals/labels"]
    # a request of contacts associated with companies (a label column) and a custom object's by name
    request = {"name": "x", "files": [{"fileName": "c.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"},
        {"columnName": "Label", "columnObjectTypeId": "0-1", "toColumnObjectTypeId": "0-2",
         "columnType": "FLEXIBLE_ASSOCIATION_LABEL"},
        {"columnName": "VIN", "columnObjectTypeId": "cars", "propertyName": "vin"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    hubspot.calls.clear()
    code, _, err = run(hubspot, str(tmp_path / "q"), "--for", str(tmp_path / "c.import.json"), capsys=capsys)
    assert code == 0
    assert [k for k in hubspot.asked() if k.startswith("/crm/v3/properties/") and "archived" not in k] == [
        "/crm/v3/properties/contacts", "/crm/v3/properties/companies", "/crm/v3/properties/2-1234567"]
    assert (tmp_path / "q" / "associations" / "contacts" / "companies.json").exists()
    (tmp_path / "x.json").write_text("[1, 2]", encoding="utf-8")
    code, _, err = run(hubspot, str(tmp_path / "r"), "--for", str(tmp_path / "x.json"), capsys=capsys)
    assert code == 2 and "not an import request with files[]" in err


def test_a_custom_object_is_pulled_by_its_name_from_schemas(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    served = tmp_path / "served"
    served.mkdir()
    (served / "schemas.json").write_bytes((PORTAL / "schemas.json").read_bytes())
    (served / "properties").mkdir()
    car = {"name": "colour", "label": "Colour", "type": "enumeration", "fieldType": "select",
           "options": [{"label": "Red", "value": "red", "hidden": False}]}
    (served / "properties" / "2-1234567.json").write_text(json.dumps({"results": [car]}), encoding="utf-8")
    hubspot.folder = served
    code, _, err = run(hubspot, str(tmp_path / "p"), "--object", "Cars", capsys=capsys)
    assert code == 0
    assert re.search(r"^  properties/cars\.json +1 item$", err, re.M)
    assert sorted(files(tmp_path / "p")) == ["properties-archived/cars.json", "properties/cars.json", "schemas.json"]
    assert [c.path for c in hubspot.calls][:2] == ["/crm/v3/schemas", "/crm/v3/properties/2-1234567"]
    portal = load_portal(tmp_path / "p")
    assert [p.name for p in portal.properties["2-1234567"]] == ["colour"]
    code, _, err = run(hubspot, str(tmp_path / "q"), "--object", "boats", capsys=capsys)
    assert (code, err) == (2, "hubspot-preflight: error: --object 'boats': not an object type id or name HubSpot "
                              "has\n")


def test_an_object_a_request_maps_to_that_no_one_knows_is_a_skip_with_a_warning(
        hubspot: FakeHubSpot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an object of the request that neither HubSpot's standard objects nor schemas.json know (a
    # typo'd custom object id, or a name when schemas.json was skipped) was left out without a word
    request = {"name": "x", "files": [{"fileName": "c.csv", "fileImportPage": {"hasHeader": True, "columnMappings": [
        {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"},
        {"columnName": "X", "columnObjectTypeId": "2-999", "propertyName": "x"},
        {"columnName": "X2", "columnObjectTypeId": "2-999", "propertyName": "y"},
        {"columnName": "Boat", "columnObjectTypeId": "0-1", "toColumnObjectTypeId": "boats",
         "columnType": "FLEXIBLE_ASSOCIATION_LABEL"}]}}]}
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    code, _, err = run(hubspot, str(tmp_path / "p"), "--for", str(tmp_path / "c.import.json"), capsys=capsys)
    assert code == 0
    warnings = [line for line in err.splitlines() if "the object" in line]
    assert warnings == [
        "hubspot-preflight: warning: skipped 2-999: the object c.import.json maps to "
        "(/files/0/fileImportPage/columnMappings/1/columnObjectTypeId): neither HubSpot's standard objects nor "
        "schemas.json have it",
        "hubspot-preflight: warning: skipped boats: the object c.import.json maps to "
        "(/files/0/fileImportPage/columnMappings/3/toColumnObjectTypeId): neither HubSpot's standard objects nor "
        "schemas.json have it"]
    assert [k for k in hubspot.asked() if k.startswith("/crm/v3/properties/")] == [
        "/crm/v3/properties/contacts", "/crm/v3/properties/contacts?archived=true"]
    summary = pull(tmp_path / "q", token=TOKEN, base=hubspot.url, requests=[tmp_path / "c.import.json"])
    assert [(s.path, s.why.split(":")[0]) for s in summary.skipped[:2]] == [
        ("2-999", "the object c.import.json maps to (/files/0/fileImportPage/columnMappings/1/columnObjectTypeId)"),
        ("boats", "the object c.import.json maps to (/files/0/fileImportPage/columnMappings/3/toColumnObjectTypeId)")]
    assert [s.path for s in summary.skipped[2:]] == ["associations/contacts/contacts.json"]  # (a 404 of the fake)
    code, _, err = run(hubspot, str(tmp_path / "r"), "--for", str(tmp_path / "c.import.json"), "--strict",
                       capsys=capsys)
    assert code == 2 and not (tmp_path / "r").exists()
    assert err == ("hubspot-preflight: error: 2-999: the object c.import.json maps to "
                   "(/files/0/fileImportPage/columnMappings/1/columnObjectTypeId): neither HubSpot's standard objects "
                   "nor schemas.json have it (--strict: an object skipped fails the pull)\n")
    # schemas.json skipped (a 403): a custom object's name is no object then, and the warning says why
    hubspot.script["/crm/v3/schemas"] = [Answer(403, b"")]
    request["files"][0]["fileImportPage"]["columnMappings"][1]["columnObjectTypeId"] = "cars"  # type: ignore[index]
    (tmp_path / "c.import.json").write_text(json.dumps(request), encoding="utf-8")
    code, _, err = run(hubspot, str(tmp_path / "s"), "--for", str(tmp_path / "c.import.json"), capsys=capsys)
    assert code == 0
    assert ("hubspot-preflight: warning: skipped cars: the object c.import.json maps to "
            "(/files/0/fileImportPage/columnMappings/1/columnObjectTypeId): neither HubSpot's standard objects nor "
            "schemas.json (not pulled) have it") in err.splitlines()
