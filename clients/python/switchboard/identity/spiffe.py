"""The identity a platform certificate names, as ``dev.switchboard.client.identity.SpiffeId``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

__all__ = ["SpiffeId"]

_TRUST_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9.-]{0,253}[a-z0-9])?")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,128}")


@dataclass(frozen=True)
class SpiffeId:
    """``spiffe://<trust-domain>/group/<group>/instance/<instance>``, the one URI subject alternative name of every
    platform certificate. Immutable; ``str()`` gives the URI."""

    trust_domain: str
    group: str
    instance: str

    def __post_init__(self) -> None:
        for pattern, value, what in ((_TRUST_DOMAIN, self.trust_domain, "trust domain"),
                                     (_NAME, self.group, "group"), (_NAME, self.instance, "instance")):
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise ValueError("invalid %s %r" % (what, _abbreviate(value)))

    @classmethod
    def parse(cls, uri: str) -> "SpiffeId":
        """Parses ``spiffe://<trust-domain>/group/<group>/instance/<instance>``.

        Raises:
            ValueError: if ``uri`` is not such an identity
        """
        if not uri.startswith("spiffe://"):
            raise ValueError("not a spiffe:// identity: %r" % _abbreviate(uri))
        parts = uri[len("spiffe://"):].split("/")
        if len(parts) != 5 or parts[1] != "group" or parts[3] != "instance":
            raise ValueError("not spiffe://<trust-domain>/group/<group>/instance/<instance>: %r" % _abbreviate(uri))
        return cls(parts[0], parts[2], parts[4])

    @classmethod
    def of_uris(cls, uris: Iterable[str]) -> Optional["SpiffeId"]:
        """Returns the identity named by a certificate's URI SANs, or ``None`` when they name none, more than one,
        or something else."""
        found = list(uris)
        if len(found) != 1:
            return None
        try:
            return cls.parse(found[0])
        except ValueError:
            return None

    def __str__(self) -> str:
        return "spiffe://%s/group/%s/instance/%s" % (self.trust_domain, self.group, self.instance)


def _abbreviate(value: object) -> str:
    text = str(value)
    return text if len(text) <= 64 else text[:64] + "..."
