"""The platform identity: a certificate from the platform CA, renewed in place, and who may call whom."""

from .issuer import CertificateIssuer, CertificateRefused, CertificateUnavailable
from .peers import PeerAuthorization, peer_of, principal_of
from .platform_identity import Credential, PlatformIdentity
from .spiffe import SpiffeId
from .trust import TrustBundle
from .tunnel import IdentityMismatch, Tunnel

__all__ = ["CertificateIssuer", "CertificateRefused", "CertificateUnavailable", "Credential", "IdentityMismatch",
           "PeerAuthorization", "PlatformIdentity", "SpiffeId", "TrustBundle", "Tunnel", "peer_of", "principal_of"]
