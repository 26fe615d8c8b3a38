"""Publish over HTTP: the SPARQL 1.1 Graph Store Protocol for the data, SPARQL 1.1 Update for the switch.

The staged dump is POSTed to the graph store in N-Quads batches (a dataset POST to the store's own URL, as
``oxigraph serve``'s ``/store`` and Fuseki's ``/data`` take it; one request per batch, with progress); then
one SPARQL Update request (:func:`server.release.publish.sparql_switch`) drops the previous release's graphs
and renames the staged ones, which stores such as oxigraph run as one transaction. A failed run removes what
it staged. HTTP Basic or Digest authentication is used when credentials are given.

While the upload runs, the staged graphs are ordinary graphs of the store: a query over the union of all
graphs sees them until the switch (the Virtuoso transport hides them; ``docs/deploy.md`` says so).
"""

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from server.errors import SetupError
from server.release.publish import (
    Credentials,
    Progress,
    PublishResult,
    Timer,
    release_dump,
    sparql_discard,
    sparql_switch,
    staged_batches,
    staging_prefix,
)

#: Quads per POST.
BATCH = 100_000
#: Longest wait for one request (seconds): a batch load or the switch.
REQUEST_TIMEOUT = 3600.0


def default_update_url(gsp: str) -> str:
    """Return the store's SPARQL Update URL beside its graph store URL (``…/store`` → ``…/update``).

    :param gsp: the Graph Store Protocol URL.
    :returns: the update URL.

    >>> default_update_url("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/update'
    """
    parts = urllib.parse.urlsplit(gsp)
    path = parts.path.rstrip("/").rpartition("/")[0] + "/update"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class _Client:
    """HTTP requests to one store, authenticated when an account is given."""

    def __init__(self, urls: list[str], credentials: Credentials) -> None:
        for url in urls:
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise SetupError(f"not an HTTP(S) URL: {url!r}")
        handlers: list[urllib.request.BaseHandler] = []
        if credentials.user and credentials.password:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in urls:
                passwords.add_password(None, url, credentials.user, credentials.password)
            handlers += [urllib.request.HTTPBasicAuthHandler(passwords),
                         urllib.request.HTTPDigestAuthHandler(passwords)]  # fmt: skip
        self.opener = urllib.request.build_opener(*handlers)

    def post(self, url: str, body: bytes, media_type: str) -> None:
        """POST a body; return when the store has taken it.

        :param url: where to.
        :param body: the request body.
        :param media_type: its ``Content-Type``.
        :raises SetupError: if the store cannot be reached or refuses (its answer quoted).
        """
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __init__
            url, data=body, headers={"Content-Type": media_type}, method="POST"
        )
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            answer = " ".join(exc.read(2000).decode("utf-8", "replace").split())
            raise SetupError(f"{url} answered {exc.code}: {answer or exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SetupError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from exc

    def update(self, url: str, text: str) -> None:
        """Run a SPARQL Update request.

        :param url: the update endpoint.
        :param text: the update.
        """
        self.post(url, text.encode("utf-8"), "application/sparql-update")


def publish_gsp(release: Path, gsp: str, update: str | None, credentials: Credentials,
                progress: Progress) -> PublishResult:  # fmt: skip
    """Publish a release into a store over the Graph Store Protocol, switching atomically with one update.

    :param release: the release folder.
    :param gsp: the store's Graph Store Protocol URL (``http://127.0.0.1:7878/store`` for oxigraph).
    :param update: its SPARQL Update URL (default: :func:`default_update_url`).
    :param credentials: an account, used when given.
    :param progress: receives progress lines.
    :returns: what was loaded, with timings.
    :raises LoadError: if the release has no readable dump.
    :raises SetupError: if the store cannot be reached or refuses a request (nothing of the old release is lost).
    """
    dump = release_dump(release)
    update_url = update or default_update_url(gsp)
    client = _Client([gsp, update_url], credentials)
    prefix = staging_prefix()
    timer = Timer(progress)
    graphs: dict[str, str] = {}
    loaded = 0

    def upload() -> None:
        nonlocal loaded
        for body, count in staged_batches(dump, lambda graph: prefix + graph, BATCH, graphs):
            client.post(gsp, body, "application/n-quads")
            loaded += count
            progress(f"staged {loaded} quads in {len(graphs)} graphs")

    progress(f"publishing {release} to {gsp} (staging graphs {prefix}…)")
    try:
        timer.step("load", upload)
        timer.step("switch", lambda: client.update(update_url, sparql_switch(prefix)))
    except BaseException:
        try:
            client.update(update_url, sparql_discard(prefix))
        except SetupError:
            progress(f"could not remove the staged graphs {prefix}…; remove them by hand")
        raise
    return PublishResult(gsp, loaded, len(graphs), timer.finish())
