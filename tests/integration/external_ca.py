"""A lawful external CA (电子认证服务机构) built with the ``openssl`` command line, not with the
project's code: a root, an intermediate under it, and PKCS#12 bundles of keys it issues to
officers and agencies, as an administrator would receive them."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "外部CA口令-2026"

ROOT_EXT = """[req]
distinguished_name = dn
x509_extensions = v3
string_mask = utf8only
[dn]
[v3]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
"""
INTERMEDIATE_EXT = """[v3]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""
SIGNER_EXT = """[v3]
basicConstraints = critical, CA:FALSE
keyUsage = critical, {usage}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@dataclass(frozen=True)
class ExternalCA:
    dir: Path

    @property
    def root(self) -> Path:
        return self.dir / "root.pem"

    @property
    def intermediate(self) -> Path:
        return self.dir / "intermediate.pem"

    @property
    def password_file(self) -> Path:
        return self.dir / "password.txt"

    def issue_p12(
        self,
        name: str,
        subject: str,
        days: int = 365,
        usage: str = "digitalSignature",
        rsa: bool = True,
    ) -> Path:
        """A key and certificate issued by the intermediate, bundled with the intermediate into
        ``name``.p12 under ``PASSWORD``; the certificate valid for ``days`` from now."""
        d = self.dir
        (d / f"{name}.ext").write_text(SIGNER_EXT.format(usage=usage))
        key = (
            ["-newkey", "rsa:2048"]
            if rsa
            else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        )
        openssl(d, "req", "-new", *key, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-utf8", "-subj", subject)  # fmt: skip
        openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", "intermediate.pem",
                "-CAkey", "intermediate.key", "-CAcreateserial", "-days", str(days),
                "-sha256", "-extfile", f"{name}.ext", "-extensions", "v3",
                "-out", f"{name}.pem")  # fmt: skip
        openssl(d, "pkcs12", "-export", "-inkey", f"{name}.key", "-in", f"{name}.pem",
                "-certfile", "intermediate.pem", "-passout", f"file:{self.password_file}",
                "-out", f"{name}.p12")  # fmt: skip
        return d / f"{name}.p12"


def build(where: Path, label: str = "某电子认证服务有限公司") -> ExternalCA:
    """A root and an intermediate CA of ``label``, made by openssl in ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "root.ext").write_text(ROOT_EXT)
    (where / "intermediate.ext").write_text(INTERMEDIATE_EXT)
    (where / "password.txt").write_text(PASSWORD + "\n")
    openssl(where, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384",
            "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "3650", "-utf8",
            "-subj", f"/C=CN/O={label}/CN={label}根证书",
            "-config", "root.ext", "-extensions", "v3")  # fmt: skip
    openssl(where, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "intermediate.key", "-out", "intermediate.csr", "-utf8",
            "-subj", f"/C=CN/O={label}/CN={label}签名证书中级CA")  # fmt: skip
    openssl(where, "x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem",
            "-CAkey", "root.key", "-CAcreateserial", "-days", "1825", "-sha256",
            "-extfile", "intermediate.ext", "-extensions", "v3",
            "-out", "intermediate.pem")  # fmt: skip
    return ExternalCA(where)
