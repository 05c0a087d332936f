"""Files served safely (issue 11, findings 3, 4, 6, 7 and the Range part of 10).

Each test is a hostile request that used to succeed: a document route serving any stored file,
a media list showing every unit's files, the administrator opening unbound media, a stored
HTML page served back inline as ``text/html``, pages without security headers, and a Range
header with thousands of digits answering 500.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.evidence import service as evidence
from liuhen.kernel.instance import App
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
OTHER_CASE = "某文旅罚〔2026〕2号"  # a case of the second unit
PASSWORD = "correct-horse-1"
PEOPLE = {  # username: roles, unit, cert_no
    "zhangw": (["officer"], "wl-zd1", "31010001"),
    "liuq": (["officer"], "wl-zd2", "31020001"),
    "zhaoj": (["head"], "wl-zd1", "31010009"),
    "sifa": (["supervisor"], None, None),
    "root": (["admin"], None, None),
}


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def store_media(
    app: App,
    tmp: Path,
    data: bytes,
    name: str,
    media_type: str,
    unit: str,
    officer: str,
    case: str | None = None,
) -> str:
    """A stored evidence file (and its binding), through the real evidence service."""
    path = tmp / f"{sha(data)[7:19]}.bin"
    path.write_bytes(data)
    app.blobs.put_file(path, sha(data))
    facts = evidence.Facts(
        name=name, media_type=media_type, officer=officer, unit=unit, case=case, device_no="D-1"
    )
    fields = evidence.stored_fields(
        app, sha(data), len(data), facts, evidence.probe_file(path), app.clock.now().isoformat()
    )
    evidence.journal_stored(app, fields, facts, {"id": officer, "role": "officer"})
    return sha(data)


@dataclass
class Site:
    app: App
    client: TestClient
    files: dict[str, str]  # label: digest

    def as_(self, username: str) -> TestClient:
        token, csrf, _user = access.login(self.app, username, PASSWORD)
        self.client.cookies.clear()
        self.client.cookies.set("liuhen_session", token)
        self.client.headers["X-CSRF-Token"] = csrf
        return self.client


@pytest.fixture
def site(app: App, tmp_path: Path) -> Iterator[Site]:
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "刘强", unit="wl-zd2")
    factory.add_officer(app, "31010009", "赵局长", ("head",))
    factory.open_case(app)
    factory.open_case_in(app, OTHER_CASE, "wl-zd2", "31020001")
    for username, (roles, unit, cert) in PEOPLE.items():
        access.create_user(app, username, PASSWORD, roles, username, unit, cert)
    files = {
        "bound_zd1": store_media(
            app, tmp_path, b"\x00\x00\x00\x18ftypmp42" + b"1" * 3000, "a.mp4", "video/mp4",
            "wl-zd1", "31010001", CASE,
        ),
        "unbound_zd1": store_media(
            app, tmp_path, b"\xff\xd8\xff" + b"2" * 3000, "b.jpg", "image/jpeg",
            "wl-zd1", "31010001",
        ),
        "bound_zd2": store_media(
            app, tmp_path, b"\x00\x00\x00\x18ftypmp42" + b"3" * 3000, "c.mp4", "video/mp4",
            "wl-zd2", "31020001", OTHER_CASE,
        ),
        "unbound_zd2": store_media(
            app, tmp_path, b"\xff\xd8\xff" + b"4" * 3000, "d.jpg", "image/jpeg",
            "wl-zd2", "31020001",
        ),
        "html": store_media(
            app, tmp_path, b"<html><script>alert(document.cookie)</script></html>",
            "x.html", "text/html", "wl-zd1", "31010001", CASE,
        ),
        "svg": store_media(
            app, tmp_path, b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "x.svg", "image/svg+xml", "wl-zd1", "31010001", CASE,
        ),
    }  # fmt: skip
    with TestClient(create_app(app)) as client:
        yield Site(app, client, files)


def listed(client: TestClient, path: str = "/api/v1/media", **params: str) -> set[str]:
    r = client.get(path, params={"per_page": "200", **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])  # counted in SQL with the same filter
    return {m["digest"] for m in body["items"]}


# --- finding 4 and 6: lists and unbound media --------------------------------------------------


def test_media_list_shows_only_what_the_caller_may_see(site: Site) -> None:
    f = site.files
    zd1 = {f["bound_zd1"], f["unbound_zd1"], f["html"], f["svg"]}
    assert listed(site.as_("zhangw")) == zd1
    assert listed(site.as_("liuq")) == {f["bound_zd2"], f["unbound_zd2"]}
    assert listed(site.as_("zhaoj")) == set(f.values())  # the head: his agency's units
    bound = {f["bound_zd1"], f["bound_zd2"], f["html"], f["svg"]}
    assert listed(site.as_("sifa")) == bound  # the supervisor: bound media, read-only
    assert listed(site.as_("root")) == set()  # the administrator: no case records
    # a filter cannot widen the scope: another unit's files stay out of the list and the count
    assert listed(site.as_("zhangw"), unit="wl-zd2") == set()
    assert listed(site.as_("zhangw"), case_number=OTHER_CASE) == set()
    assert listed(site.as_("zhangw"), unbound="true") == {f["unbound_zd1"]}


def test_the_to_be_filed_list_is_scoped_too(site: Site) -> None:
    from datetime import timedelta

    from liuhen.clock import FixedClock

    site.app.clock = FixedClock(site.app.clock.now() + timedelta(days=3))
    f = site.files
    assert listed(site.as_("zhangw"), "/api/v1/media/todo") == {f["unbound_zd1"]}
    assert listed(site.as_("liuq"), "/api/v1/media/todo") == {f["unbound_zd2"]}
    assert listed(site.as_("root"), "/api/v1/media/todo") == set()
    assert listed(site.as_("sifa"), "/api/v1/media/todo") == set()
    page = site.as_("zhangw").get("/media/todo")
    assert page.status_code == 200
    assert "b.jpg" in page.text and "d.jpg" not in page.text


@pytest.mark.parametrize("route", ["", "/content", "/thumbnail", "/proxy"])
def test_unbound_media_is_refused_to_the_admin_and_other_units(site: Site, route: str) -> None:
    digest = site.files["unbound_zd1"]
    for who in ("root", "liuq", "sifa"):
        r = site.as_(who).get(f"/api/v1/media/{digest}{route}")
        assert r.status_code == 403 and r.json()["code"] == "LH151", (who, r.text)
    assert site.as_("zhangw").get(f"/api/v1/media/{digest}").status_code == 200
    assert site.as_("zhaoj").get(f"/api/v1/media/{digest}/content").status_code == 200


def test_bound_media_of_another_unit_is_refused(site: Site) -> None:
    digest = site.files["bound_zd2"]
    assert site.as_("zhangw").get(f"/api/v1/media/{digest}/content").status_code == 403
    assert site.as_("root").get(f"/api/v1/media/{digest}/content").status_code == 403


# --- finding 3: the document route serves documents only --------------------------------------


def test_document_route_serves_no_media_file(site: Site) -> None:
    for label in ("bound_zd1", "unbound_zd1", "bound_zd2", "html"):
        for who in ("zhangw", "zhaoj", "sifa", "root"):
            r = site.as_(who).get(f"/api/v1/documents/{site.files[label]}/pdf")
            # refused by the file's own rules (403), or, where the file may be seen, not a
            # document (404): never served through the document route
            assert r.status_code in (403, 404), (label, who, r.text)
            assert r.json()["code"] in ("LH151", "LH104"), (label, who, r.text)
    for label in ("bound_zd1", "unbound_zd1", "html"):  # files he may open as media
        r = site.as_("zhangw").get(f"/api/v1/documents/{site.files[label]}/pdf")
        assert r.status_code == 404 and r.json()["code"] == "LH104", (label, r.text)
    assert site.as_("zhangw").get("/api/v1/documents/../../etc/passwd/pdf").status_code == 404
    assert site.as_("zhangw").get("/api/v1/documents/sha256:zz/pdf").status_code == 404


def test_document_route_serves_a_document_to_those_who_see_its_case(
    site: Site, tmp_path: Path
) -> None:
    from liuhen.documents import service as documents
    from liuhen.signing import service as signing
    from tests.integration.test_documents import inquiry_request

    app = site.app
    signing.init_ca(app, "某区文化和旅游局")
    for cert, _name in factory.OFFICERS:
        signing.issue(app, cert)
    doc = documents.issue(app, inquiry_request(factory.inquiry(app)))
    from tests.integration.test_documents import stored_pdf

    digest = stored_pdf(app, doc.seq)[0]
    ok = site.as_("zhangw").get(f"/api/v1/documents/{digest}/pdf")
    assert ok.status_code == 200 and ok.content[:5] == b"%PDF-"
    assert ok.headers["content-type"] == "application/pdf"
    assert site.as_("liuq").get(f"/api/v1/documents/{digest}/pdf").status_code == 403
    assert site.as_("root").get(f"/api/v1/documents/{digest}/pdf").status_code == 403
    # a document whose text quotes a media digest does not make that file a document
    quoting = inquiry_request(factory.inquiry(app))
    quoting.values = {**quoting.values, "transcript": f'问："{site.files["unbound_zd1"]}"'}
    documents.issue(app, quoting)
    r = site.as_("zhangw").get(f"/api/v1/documents/{site.files['unbound_zd1']}/pdf")
    assert r.status_code == 404 and r.json()["code"] == "LH104"


# --- finding 7: stored script, security headers -----------------------------------------------


def test_stored_html_and_svg_are_downloads_never_pages(site: Site) -> None:
    client = site.as_("zhangw")
    for label in ("html", "svg"):
        r = client.get(f"/api/v1/media/{site.files[label]}/content")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/octet-stream", label
        assert r.headers["content-disposition"].startswith("attachment"), label
        assert r.headers["x-content-type-options"] == "nosniff"
    video = client.get(f"/api/v1/media/{site.files['bound_zd1']}/content")
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["content-disposition"].startswith("inline")
    photo = client.get(f"/api/v1/media/{site.files['unbound_zd1']}/content")
    assert photo.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("declared", "served", "inline"),
    [
        ("video/mp4", "video/mp4", True),
        ("audio/mpeg", "audio/mpeg", True),
        ("image/png", "image/png", True),
        ("application/pdf", "application/pdf", True),
        ("image/svg+xml", "application/octet-stream", False),
        ("IMAGE/SVG+XML", "application/octet-stream", False),
        ("text/html", "application/octet-stream", False),
        ("text/html; charset=utf-8", "application/octet-stream", False),
        ("video/mp4\r\nX-Evil: 1", "application/octet-stream", False),
        ("application/xhtml+xml", "application/octet-stream", False),
        ("text/xml", "application/octet-stream", False),
        (None, "application/octet-stream", False),
    ],
)
def test_only_known_safe_types_are_inline(declared: str | None, served: str, inline: bool) -> None:
    from liuhen.web.files import disposition

    media_type, how = disposition(declared)
    assert media_type == served and how == ("inline" if inline else "attachment")


def test_every_response_carries_the_security_headers(site: Site) -> None:
    client = site.as_("zhangw")
    for path in ("/", f"/cases/{CASE}", "/login", "/api/v1/cases", "/no-such-page",
                 f"/api/v1/media/{site.files['bound_zd1']}/content", "/static/evidence_upload.js",
                 "/api/v1/journal/checkpoint"):  # fmt: skip
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["referrer-policy"] in ("same-origin", "no-referrer"), path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, path
        assert "base-uri 'none'" in csp and "form-action 'self'" in csp, path
    r = site.client.post("/api/v1/uploads", headers={"Upload-Length": "1"})  # an error, too
    assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_style() -> None:
    """The CSP forbids inline script (and inline style): the templates must not need them."""
    import re

    templates = Path(__file__).parents[2] / "src" / "liuhen" / "web" / "templates"
    for page in templates.glob("*.html"):
        text = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page.name
        assert not re.search(r"\son[a-z]+\s*=", text), page.name
        assert "<style" not in text and " style=" not in text, page.name
        assert "javascript:" not in text, page.name


# --- finding 10 (Range) -----------------------------------------------------------------------


HOSTILE_RANGES = [
    "bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000,
    "bytes=" + "1" * 30 + "-" + "2" * 30, "bytes=5-1", "bytes=--1", "bytes=0-1,2-3", "items=0-1",
]  # fmt: skip


def test_hostile_ranges_answer_416(site: Site) -> None:
    client = site.as_("zhangw")
    for header in HOSTILE_RANGES:
        for route in ("content", "thumbnail", "proxy"):
            r = client.get(
                f"/api/v1/media/{site.files['bound_zd1']}/{route}", headers={"Range": header}
            )
            if route == "content":
                assert r.status_code == 416 and r.json()["code"] == "LH145", (header[:20], r.text)
            else:  # no derivatives yet: not found, never a 500
                assert r.status_code == 404, (header[:20], r.text)


def test_a_suffix_longer_than_the_file_is_the_whole_file(site: Site) -> None:
    client = site.as_("zhangw")
    digest = site.files["bound_zd1"]
    r = client.get(f"/api/v1/media/{digest}/content", headers={"Range": "bytes=-999999"})
    assert r.status_code == 206 and len(r.content) == 3012
