"""The signer's profile: the nanopub toolkits' ``~/.nanopub/profile.yml``, kept outside the repository.

The file is the one ``np setup`` (nanopub-py) and nanopub-rs write and read::

    orcid_id: https://orcid.org/<your ORCID iD>
    name: <your name>
    public_key: /home/<you>/.nanopub/id_rsa.pub
    private_key: /home/<you>/.nanopub/id_rsa
    introduction_nanopub_uri: https://w3id.org/np/RA…

``private_key`` names a file holding the RSA key as base64 PKCS#8 (or PEM); a relative path is read from the
profile's folder. The public key is derived from the private one, as nanopub-rs does.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from server.errors import SetupError
from server.iris import orcid_problem


@dataclass(frozen=True)
class Profile:
    """Who signs, and with which key."""

    orcid: str
    name: str | None
    private_key: str
    path: Path

    def placeholder(self) -> str | None:
        """Say why the signer's ORCID iD is a placeholder or malformed, if it is.

        :returns: the problem, or ``None`` for a real-looking iD.
        """
        return orcid_problem(self.orcid)

    def toolkit_profile(self) -> object:
        """Build nanopub-sign's ``NpProfile`` (parses the key).

        :returns: the ``nanopub_sign.NpProfile``.
        :raises SetupError: if the key is not an RSA private key nanopub-rs can read.
        """
        import nanopub_sign

        try:
            return nanopub_sign.NpProfile(private_key=self.private_key, orcid_id=self.orcid, name=self.name)
        except Exception as exc:  # nanopub-sign raises a bare Exception
            raise SetupError(f"{self.path}: the private key cannot be used: {' '.join(str(exc).split())}") from exc


def default_profile() -> Path:
    """Return where the nanopub toolkits keep the profile (``$NANOPUB_PROFILE`` overrides).

    :returns: ``~/.nanopub/profile.yml``.
    """
    return Path(os.environ.get("NANOPUB_PROFILE") or Path.home() / ".nanopub" / "profile.yml")


def load_profile(path: Path | None = None) -> Profile:
    """Read a profile file and its private key.

    :param path: the profile (default :func:`default_profile`).
    :returns: the profile.
    :raises SetupError: if the file, its ORCID iD or its key is missing or unreadable.
    """
    path = path or default_profile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetupError(f"{path}: no nanopub profile ({exc.strerror}); see README, 'Signing a release'") from exc
    except yaml.YAMLError as exc:
        raise SetupError(f"{path}: not a YAML profile: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict) or not data.get("orcid_id") or not data.get("private_key"):
        raise SetupError(f"{path}: the profile needs orcid_id and private_key")
    key_path = Path(str(data["private_key"])).expanduser()
    key_path = key_path if key_path.is_absolute() else path.parent / key_path
    try:
        key = key_path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SetupError(f"{key_path}: cannot read the private key named in {path} ({exc.strerror})") from exc
    name = data.get("name")
    return Profile(str(data["orcid_id"]).strip(), str(name) if name else None, key, path)
