"""What the act form accepts as an attachment is decided by the file's first bytes, not by its
name or the type the browser claims; the limit is stated as the form shows it."""

from __future__ import annotations

from liuhen.web.attachments import readable_size, sniff


def test_the_content_decides_the_type():
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00") == "image/png"
    assert sniff(b"MZ\x90\x00") is None  # a Windows executable, whatever it is named
    assert sniff(b"<svg xmlns=") is None  # SVG may carry script
    assert sniff(b"") is None


def test_the_limit_reads_as_the_form_states_it():
    assert readable_size(20 * 1024 * 1024) == "20 MB"
    assert readable_size(1024) == "1 KB"
    assert readable_size(1536) == "1.5 KB"
    assert readable_size(500) == "500 字节"
