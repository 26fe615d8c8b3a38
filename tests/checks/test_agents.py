"""The curators gate: creators named in instances/agents.ttl; the build refuses a placeholder ORCID iD."""

from pathlib import Path

from click.testing import CliRunner

from server.checks.agents import agent_problems
from server.cli import main
from server.config import ProjectPaths
from server.curation.load import Loaded, load_project

PERSON = """
<https://orcid.org/{orcid}> a prov:Person ;
    foaf:name "A. Curator" .
"""


def _with_creator(project: ProjectPaths, orcid: str, listed: bool = True) -> Loaded:
    """Make s2-1-01's creator the person ``orcid`` (listed in agents.ttl or not)."""
    trig = project.instances / "assertions" / "s2-1.trig"
    text = trig.read_text(encoding="utf-8")
    first = text.index("dcterms:creator mscag:msckg-curation-team")
    replaced = f"dcterms:creator <https://orcid.org/{orcid}>"
    trig.write_text(text[:first] + replaced + text[first + len("dcterms:creator mscag:msckg-curation-team") :])
    if listed:
        agents = project.instances / "agents.ttl"
        agents.write_text(agents.read_text(encoding="utf-8") + PERSON.format(orcid=orcid), encoding="utf-8")
    return load_project(project)


def test_the_project_passes(loaded: Loaded) -> None:
    assert agent_problems(loaded) == []


def test_a_named_person_with_a_real_looking_orcid_passes(project_copy: ProjectPaths) -> None:
    assert agent_problems(_with_creator(project_copy, "0000-0001-5109-3700")) == []


def test_a_placeholder_orcid_is_refused(project_copy: ProjectPaths) -> None:
    problems = agent_problems(_with_creator(project_copy, "0000-0000-0000-0001"))
    assert problems == ["https://orcid.org/0000-0000-0000-0001: placeholder ORCID iD "
                        "https://orcid.org/0000-0000-0000-0001 (all zeros)"]  # fmt: skip


def test_a_wrong_check_digit_and_an_unlisted_creator_are_refused(project_copy: ProjectPaths) -> None:
    problems = agent_problems(_with_creator(project_copy, "0000-0001-5109-3701", listed=False))
    assert "https://orcid.org/0000-0001-5109-3701: ORCID iD https://orcid.org/0000-0001-5109-3701 has a wrong " \
           "check digit" in problems  # fmt: skip
    assert any("has no foaf:name in instances/agents.ttl" in p for p in problems)


def test_the_build_refuses_a_placeholder_and_publishes_nothing(project_copy: ProjectPaths, runner: CliRunner) -> None:
    _with_creator(project_copy, "0000-0000-0000-0001")
    result = runner.invoke(main, ["build", "--root", str(project_copy.root)])
    assert result.exit_code == 1
    assert "curators: 1 problem(s); nothing published; first: https://orcid.org/0000-0000-0000-0001" in result.output
    assert not Path(project_copy.build / "current").exists()
