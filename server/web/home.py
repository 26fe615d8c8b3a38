"""The landing page at ``/`` and the list of the review's references at ``/references/``.

The landing page says what the graph is (the review it is curated from, with its DOI and how to cite both),
offers the search box and the ways in (chains, trials, references, knowledge gaps, competency questions),
and gives the release's version and counts, read from the graph and the release's ``release.json``.
"""

from flask import Blueprint, Response, abort, current_app, render_template

from server.iris import REVIEW
from server.namespaces import BASE, DOI, MSC, MSCC, MSCE
from server.web import settings_of
from server.web.entities import entity_page
from server.web.entity_view import card
from server.web.rdfview import iri_ref, labels, select
from server.web.ui import examples

bp = Blueprint("home", __name__)


def counts() -> dict[str, int]:
    """Count what the release holds, by kind, with one query.

    :returns: entities, nanopublications, claims, chains, references and knowledge gaps.
    """
    rows = select(f"""
SELECT
  (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?np) AS ?nanopubs) (COUNT(DISTINCT ?c) AS ?chains)
  (COUNT(DISTINCT ?r) AS ?references) (COUNT(DISTINCT ?g) AS ?gaps) WHERE {{
  {{ ?e a ?t FILTER(STRSTARTS(STR(?e), "{MSCE}")) }}
  UNION {{ ?np a np:Nanopublication }}
  UNION {{ ?c a msc:MechanismChain FILTER(STRSTARTS(STR(?c), "{MSCC}")) }}
  UNION {{ {iri_ref(str(REVIEW))} cito:cites ?r }}
  UNION {{ ?g a msc:KnowledgeGap }}
}}""")
    claims = select("SELECT (COUNT(*) AS ?n) WHERE { ?np np:hasAssertion ?a . GRAPH ?a { ?s ?p ?o } FILTER(?s != ?a) }")
    found = {k: int(v.value) for k, v in rows[0].items()} if rows else {}
    found["claims"] = int(claims[0]["n"].value) if claims else 0
    return found


@bp.route("/")
def home() -> Response:
    """Render the landing page."""
    review = card(str(REVIEW))
    html = render_template(
        "home.html",
        review=review,
        review_doi=str(REVIEW),
        counts=counts(),
        questions=len(examples(settings_of(current_app).release)),
        class_href={k: "/" + str(MSC[k])[len(BASE) :] for k in ("ClinicalStudy", "KnowledgeGap", "MechanismChain")},
    )
    return Response(html, mimetype="text/html")


@bp.route("/references/")
def references() -> Response:
    """List the review's references by number, each with its title and how many claims cite it."""
    rows = select(f"""
SELECT ?r (SAMPLE(?n) AS ?num) (COUNT(DISTINCT ?a) AS ?claims) WHERE {{
  {{ {iri_ref(str(REVIEW))} cito:cites ?r }} UNION {{ BIND({iri_ref(str(REVIEW))} AS ?r) }}
  OPTIONAL {{ ?r msc:referenceNumber ?n }}
  OPTIONAL {{ ?np np:hasProvenance ?pg . GRAPH ?pg {{ ?a prov:wasDerivedFrom ?r }} }}
}} GROUP BY ?r""")
    names = labels(r["r"].value for r in rows)
    refs = sorted(
        ((int(r["num"].value) if "num" in r else 0, names[r["r"].value], int(r["claims"].value)) for r in rows),
        key=lambda x: x[0],
    )
    return Response(render_template("references.html", refs=refs, doi=str(DOI)), mimetype="text/html")


@bp.route("/references/<path:doi>")
def reference(doi: str) -> Response:
    """Render a reference's page: its bibliographic card and every claim derived from it."""
    if not doi.startswith("10."):
        abort(404)
    return entity_page(str(DOI) + doi)
