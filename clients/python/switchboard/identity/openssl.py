"""Keys, certification requests and certificate checks with the ``openssl`` command (OpenSSL 3).

The package depends on nothing but grpcio and protobuf, and Python's standard library can neither make an EC key
nor read a certificate it did not verify itself; the ``openssl`` command, present on every Debian, can. Nothing secret
is ever on a command line: a private key is only written to, and read from, files in a directory of mode 0700 that
is removed when the command returns (``ps`` shows paths, never a key). Each function runs one to three short
commands; they are used once per certificate, never per call.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

__all__ = ["OpensslError", "CertificateInfo", "new_key_and_csr", "public_key_of", "describe", "verify_chain",
           "der_to_pem", "pem_certificates"]

_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL)


class OpensslError(RuntimeError):
    """An ``openssl`` command failed; the message is its first line of complaint."""


@dataclass(frozen=True)
class CertificateInfo:
    """What this package reads from a certificate."""

    serial: str
    #: seconds since the epoch
    not_after: float
    #: the URI subject alternative names, in order
    uris: Tuple[str, ...]
    #: the certified public key, PEM (SubjectPublicKeyInfo)
    public_key_pem: bytes


def new_key_and_csr(common_name: str) -> Tuple[bytes, bytes]:
    """Makes an EC P-256 key and a PKCS#10 request for it, signed with it (SHA-256), subject ``CN=<common_name>``.

    Returns:
        the private key as PKCS#8 PEM, and the request as DER
    """
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", common_name):
        raise ValueError("invalid common name %r" % common_name)
    with _private_directory() as directory:
        key = os.path.join(directory, "key.pem")
        csr = os.path.join(directory, "csr.der")
        _run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-pkeyopt", "ec_param_enc:named_curve", "-out", key)
        _run("req", "-new", "-key", key, "-subj", "/CN=" + common_name, "-sha256", "-outform", "DER", "-out", csr)
        return _read(key), _read(csr)


def public_key_of(private_key_pem: bytes) -> bytes:
    """Returns the public key (SubjectPublicKeyInfo PEM) of a private key, read from standard input."""
    return _run("pkey", "-pubout", stdin=private_key_pem)


def describe(certificate_pem: bytes) -> CertificateInfo:
    """Reads serial, expiry, URI SANs and public key of a PEM certificate."""
    text = _run("x509", "-noout", "-serial", "-enddate", "-dateopt", "iso_8601", "-ext", "subjectAltName",
                "-pubkey", stdin=certificate_pem).decode("ascii", "replace")
    serial = re.search(r"^serial=([0-9A-Fa-f]+)$", text, re.MULTILINE)
    end = re.search(r"^notAfter=(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)$", text, re.MULTILINE)
    key = re.search(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----\n?", text, re.DOTALL)
    if not (serial and end and key):
        raise OpensslError("cannot read the certificate's serial, expiry or key")
    not_after = datetime.datetime.strptime(end.group(1), "%Y-%m-%d %H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    uris = tuple(re.findall(r"URI:([^\s,]+)", text))
    return CertificateInfo(serial.group(1).lower(), not_after.timestamp(), uris, key.group(0).encode("ascii"))


def verify_chain(chain_pem: Sequence[bytes], trust_pem: bytes) -> None:
    """Checks that ``chain_pem`` (leaf first, then intermediates) leads to a certificate of ``trust_pem`` and that
    the leaf may serve TLS, at the current time.

    Raises:
        OpensslError: with openssl's reason when it does not
    """
    if not chain_pem:
        raise OpensslError("no certificate")
    with _private_directory() as directory:
        trust = _write(directory, "trust.pem", trust_pem)
        leaf = _write(directory, "leaf.pem", chain_pem[0])
        arguments = ["verify", "-CAfile", trust, "-purpose", "sslserver"]
        if len(chain_pem) > 1:
            arguments += ["-untrusted", _write(directory, "intermediates.pem", b"".join(chain_pem[1:]))]
        _run(*arguments, leaf)


def der_to_pem(der: bytes) -> bytes:
    """Returns a DER certificate as PEM."""
    return ssl.DER_cert_to_PEM_cert(der).encode("ascii")


def pem_certificates(pem: bytes) -> List[bytes]:
    """Returns every certificate block of a PEM text, each as PEM with a final newline."""
    return [block.replace(b"\r\n", b"\n") + b"\n" for block in _PEM_CERTIFICATE.findall(pem)]


def _executable() -> str:
    found = shutil.which("openssl")
    if found is None:
        raise OpensslError("the openssl command is not installed (apt-get install openssl)")
    return found


def _run(*arguments: str, stdin: Optional[bytes] = None) -> bytes:
    try:
        completed = subprocess.run([_executable(), *arguments], input=stdin if stdin is not None else b"",
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        raise OpensslError("openssl %s took longer than 30 s" % arguments[0]) from None
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        reason = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "failed")
        raise OpensslError("openssl %s: %s" % (arguments[0], reason.strip()))
    return completed.stdout


@contextlib.contextmanager
def _private_directory() -> Iterator[str]:
    """A directory only this user can enter (mkdtemp makes it 0700), removed with everything in it on exit."""
    path = tempfile.mkdtemp(prefix="switchboard-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _write(directory: str, name: str, content: bytes) -> str:
    path = os.path.join(directory, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return path


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
