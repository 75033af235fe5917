"""A test CA made with the openssl command, signing platform certificates like auth's CA does."""

from __future__ import annotations

import os
import ssl
import subprocess
import threading
import time
from typing import Optional, Tuple

TRUST_DOMAIN = "switchboard.local"


def _openssl(*arguments: str, stdin: bytes = b"") -> bytes:
    return subprocess.run(["openssl", *arguments], input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=True, timeout=30).stdout


def _stamp(epoch: float) -> str:
    return time.strftime("%y%m%d%H%M%SZ", time.gmtime(epoch))


class TestPki:
    """An EC P-256 CA (``CN=<name>``, path length 0) that issues leaves naming one SPIFFE id: ``CN=<group>``, one
    URI SAN, serverAuth and clientAuth, notBefore a minute back, like auth's CaKey."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, directory: str, name: str = "Test CA") -> None:
        self.directory = directory
        os.makedirs(os.path.join(directory, "db"), exist_ok=True)
        self.key_path = os.path.join(directory, "ca.key")
        self.ca_path = os.path.join(directory, "ca.pem")
        _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", self.key_path, "-out", self.ca_path, "-days", "2", "-subj",
                 "/O=%s/CN=%s" % (TRUST_DOMAIN, name), "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        open(os.path.join(directory, "db", "index.txt"), "w").close()
        with open(os.path.join(directory, "db", "serial"), "w") as serial:
            serial.write(_openssl("rand", "-hex", "16").decode())
        self._config = os.path.join(directory, "ca.cnf")
        with open(self._config, "w") as config:
            config.write("[ca]\ndefault_ca = test\n[test]\ndatabase = %s\nnew_certs_dir = %s\nserial = %s\n"
                         "default_md = sha256\npolicy = anything\nunique_subject = no\n[anything]\n"
                         "commonName = optional\n" % (os.path.join(directory, "db", "index.txt"),
                                                      os.path.join(directory, "db"),
                                                      os.path.join(directory, "db", "serial")))
        self._lock = threading.Lock()
        self._count = 0

    @property
    def ca_pem(self) -> bytes:
        with open(self.ca_path, "rb") as file:
            return file.read()

    @property
    def ca_der(self) -> bytes:
        return ssl.PEM_cert_to_DER_cert(self.ca_pem.decode())

    def issue(self, group: str, instance: str, lifetime: float = 86400.0, csr_der: Optional[bytes] = None,
              uris: Optional[Tuple[str, ...]] = None) -> Tuple[Optional[bytes], bytes]:
        """Returns (key PEM or None when ``csr_der`` is given, certificate PEM) for ``group``/``instance``."""
        with self._lock:
            self._count += 1
            prefix = os.path.join(self.directory, "leaf-%d" % self._count)
            key = None
            if csr_der is None:
                _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", prefix + ".key", "-subj", "/CN=" + group, "-out", prefix + ".csr")
                with open(prefix + ".key", "rb") as file:
                    key = file.read()
            else:
                with open(prefix + ".csr", "wb") as file:
                    file.write(_openssl("req", "-inform", "DER", stdin=csr_der))
            names = uris or ("spiffe://%s/group/%s/instance/%s" % (TRUST_DOMAIN, group, instance),)
            with open(prefix + ".ext", "w") as extensions:
                extensions.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                 "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n"
                                 % ",".join("URI:" + uri for uri in names))
            now = time.time()
            _openssl("ca", "-batch", "-config", self._config, "-cert", self.ca_path, "-keyfile", self.key_path,
                     "-in", prefix + ".csr", "-out", prefix + ".pem", "-notext", "-subj", "/CN=" + group,
                     "-startdate", _stamp(now - 60), "-enddate", _stamp(now + lifetime), "-extfile", prefix + ".ext")
            with open(prefix + ".pem", "rb") as file:
                return key, file.read()

    def identity_files(self, group: str, instance: str) -> Tuple[str, str]:
        """Writes a key and certificate for ``group``/``instance``; returns their paths (chain, key)."""
        key, certificate = self.issue(group, instance)
        base = os.path.join(self.directory, "%s-%s" % (group, instance))
        with open(base + ".pem", "wb") as file:
            file.write(certificate)
        with open(base + ".key", "wb") as file:
            file.write(key)
        return base + ".pem", base + ".key"
