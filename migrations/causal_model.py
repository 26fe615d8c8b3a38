"""One-off migration of the T-box, the entities and all nanopublications to the causal model (docs/data-model.md).

Run once from the repository root, ``python -m migrations.causal_model``; it rewrites ``ontology/msc-liver.ttl``,
``instances/entities/*.ttl`` and ``instances/assertions/*.trig`` in place and writes the before/after ledger
``docs/migration-causal-model.md``. It refuses to run on data already migrated (no ``msc:derivesFrom`` left in
an assertion graph). Kept in the repository until the next curation round has been checked against it.

What it does, in order:

1. T-box: classes that only held one node, or duplicated an OBO class, are deprecated (``owl:deprecated``,
   ``IAO:0100001`` term replaced by) and lose their mappings; the classes kept are placed under BFO/OBO parents;
   ``migrations/causal_model_tbox.ttl`` replaces the description of every property it names (relation policy
   annotations, RO parents within RO's meaning, no domain/range on RO/BFO properties).
2. Entities: every node is typed by the external class that it is an instance of (its exactMatch, else its
   broadMatch, else the replacement of its old class), or by a kept class; outcomes get a polarity.
3. Nanopublications: the claim's qualifiers (species, model, cell type, intervention form, comparator) move from
   the provenance graph into the assertion graph; each assertion triple gets the predicate the policy allows for
   its subject and object categories; sentences that make no causal claim (audit classes C2, C3, C6) get the
   statement the sentence makes; modality and evidence follow the evidence rules.
"""

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.config import project_paths
from server.curation.fmt import format_dataset, format_graph
from server.curation.load import parse_file
from server.namespaces import MSC, MSCE, NP, OBO, OBOINOWL, PROV

ROOT = Path(__file__).resolve().parent.parent
REPLACED_BY = OBO["IAO_0100001"]
DEFINITION = OBO["IAO_0000115"]
QUALIFIERS = (MSC.species, MSC.experimentalModel, MSC.contextCellType, MSC.interventionForm, MSC.comparator)
OBO_TYPE_PREFIXES = ("CL_", "GO_", "UBERON_", "MONDO_", "HP_", "CHEBI_", "SO_")
CHEBI_ROLES = {"CHEBI_35705", "CHEBI_37670", "CHEBI_233423", "CHEBI_23888", "CHEBI_50908", "CHEBI_67079"}


def o(local: str) -> URIRef:
    return OBO[local]


# ------------------------------------------------------------------------------------------------ T-box decisions

#: Deprecated class → the class that replaces it (an OBO class, or one of ours that is kept).
REPLACE: dict[str, URIRef] = {
    "AdiposeMSC": o("CL_0002570"), "BoneMarrowMSC": o("CL_0002540"), "CardiacMuscleCell": o("CL_0000746"),
    "Cell": o("CL_0000000"), "GingivalMSC": o("CL_0000134"), "HepaticStellateCell": o("CL_0000632"),
    "Hepatocyte": o("CL_0000182"), "LiverSinusoidalEndothelialCell": o("CL_1000398"),
    "Ly6CHighMacrophage": o("CL_0000235"), "Ly6CLowMacrophage": o("CL_0000235"), "M1Macrophage": o("CL_0000863"),
    "M2Macrophage": o("CL_0000890"), "Macrophage": o("CL_0000235"), "MesenchymalStemCell": o("CL_0000134"),
    "Neuron": o("CL_0000540"), "Osteocyte": o("CL_0000137"), "PeripheralBloodMononuclearCell": o("CL_2000001"),
    "RegulatoryTCell": o("CL_0000815"), "StemCell": o("CL_0000034"), "TCell": o("CL_0000084"),
    "UmbilicalCordMSC": o("CL_0000134"),
    "MolecularEntity": o("CHEBI_23367"), "SmallMolecule": o("CHEBI_23367"), "LipidMediator": o("CHEBI_23367"),
    "ModelInducingToxin": o("CHEBI_23367"), "Gene": o("SO_0000704"), "ProteinComplex": o("GO_0032991"),
    "InflammasomeComplex": o("GO_0032991"), "CircularRNA": MSC.NonCodingRNA, "Caspase": MSC.Enzyme,
    "Gasdermin": MSC.GeneProduct, "Antibody": MSC.GeneProduct, "Chemokine": MSC.Cytokine, "Phosphatase": MSC.Enzyme,
    "MatrixMetalloproteinase": MSC.Enzyme, "CellCycleProtein": MSC.GeneProduct,
    "TranscriptionalCoactivator": MSC.GeneProduct,
    "ExtracellularVesicle": o("GO_1903561"), "Exosome": o("GO_0070062"),
    "AnatomicalEntity": o("UBERON_0001062"), "Organ": o("UBERON_0001062"), "Tissue": o("UBERON_0001062"),
    "CellularComponent": o("GO_0005575"),
    "BiologicalProcess": o("GO_0008150"), "SignalingPathway": o("GO_0007165"), "Apoptosis": o("GO_0006915"),
    "Autophagy": o("GO_0006914"), "CellProliferation": o("GO_0008283"), "CellDifferentiation": o("GO_0030154"),
    "MacrophagePolarization": o("GO_0042116"), "CellHoming": o("GO_0016477"), "Engraftment": o("GO_0008150"),
    "NuclearTranslocation": o("GO_0006606"), "InflammatoryResponse": o("GO_0006954"),
    "Fibrosis": MSC.PathologicalProcess, "OxidativeStress": MSC.PathologicalProcess, "Regeneration": o("GO_0031099"),
    "LiverRegeneration": o("GO_0031099"), "ImmuneTolerance": o("GO_0008150"), "Immunomodulation": o("GO_0002682"),
    "Angiogenesis": o("GO_0001525"), "TissueRepair": o("GO_0008150"), "ImmuneRejection": MSC.PathologicalProcess,
    "StellateCellActivation": o("GO_0035733"), "Phagocytosis": o("GO_0006909"), "CellMotility": o("GO_0048870"),
    "Phosphorylation": o("GO_0006468"), "GeneExpression": o("GO_0010467"), "Secretion": o("GO_0032940"),
    "Necrosis": o("GO_0008219"), "Pyroptosis": o("GO_0070269"),
    "GraftSurvival": MSC.SurvivalOutcome, "MELDScore": MSC.ClinicalOutcome, "TotalBilirubin": MSC.ClinicalOutcome,
    "AdverseEventIncidence": MSC.ClinicalOutcome, "HistologicalOutcome": MSC.Outcome,
    "CollagenPositiveArea": MSC.Outcome, "OrganMeasure": MSC.Outcome, "LiverBodyWeightRatio": MSC.Outcome,
    "Disease": o("MONDO_0000001"), "LiverDisease": o("MONDO_0005154"), "LiverFailure": o("MONDO_0100192"),
    "AcuteLiverFailure": o("MONDO_0019542"), "AcuteOnChronicLiverFailure": o("MONDO_0100192"),
    "HBVRelatedACLF": o("MONDO_0100192"), "LiverFibrosis": o("MONDO_0100430"), "Cirrhosis": o("MONDO_0005155"),
    "DecompensatedCirrhosis": o("MONDO_0005155"), "AlcoholRelatedLiverInjury": o("MONDO_0005154"),
    "EndStageLiverDisease": o("MONDO_0100193"), "LiverInjury": o("MONDO_0005154"),
    "SteatohepatitisNASH": o("MONDO_0007027"), "ClinicalManifestation": o("HP_0000118"),
    "ExtracellularVesicleAdministration": MSC.Intervention, "StandardMedicalTreatment": MSC.DrugTreatment,
    "SurgicalProcedure": MSC.Intervention, "MetaAnalysis": MSC.ClinicalStudy,
    "LiverTransplantation": MSC.Intervention, "HepatocyteLikeCell": o("CL_0000000"),
}  # fmt: skip


def _some(graph: Graph, prop: URIRef, filler: URIRef) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, OWL.Restriction))
    graph.add((node, OWL.onProperty, prop))
    graph.add((node, OWL.someValuesFrom, filler))
    return node


def _intersection(graph: Graph, *members: URIRef | BNode) -> BNode:
    node, items = BNode(), BNode()
    graph.add((node, RDF.type, OWL.Class))
    Collection(graph, items, list(members))
    graph.add((node, OWL.intersectionOf, items))
    return node


#: Kept class → its parents (our classes are placed under BFO or an OBO class that is).
KEEP_PARENTS: dict[str, list[URIRef]] = {
    "GeneProduct": [o("CHEBI_23367")], "Cytokine": [MSC.GeneProduct], "GrowthFactor": [MSC.GeneProduct],
    "Receptor": [MSC.GeneProduct], "Ligand": [MSC.GeneProduct], "TranscriptionFactor": [MSC.GeneProduct],
    "Enzyme": [MSC.GeneProduct], "ProteinKinase": [MSC.Enzyme], "NonCodingRNA": [o("CHEBI_23367")],
    "MicroRNA": [MSC.NonCodingRNA], "Drug": [o("CHEBI_23367")], "ClinicalAnalyte": [o("CHEBI_23367")],
    "Outcome": [o("BFO_0000019")], "ClinicalOutcome": [MSC.Outcome],
    "SurvivalOutcome": [MSC.ClinicalOutcome], "ComplicationIncidence": [MSC.ClinicalOutcome],
    "BiochemicalOutcome": [MSC.Outcome], "Intervention": [o("OBI_0000011")], "CellTherapy": [MSC.Intervention],
    "PreconditionedCellTherapy": [MSC.CellTherapy], "Preconditioning": [MSC.Intervention],
    "DrugTreatment": [MSC.Intervention], "GeneticPerturbation": [MSC.Intervention],
    "AdministrationRoute": [o("OBI_0000011")],
    "ExperimentalModel": [o("BFO_0000040")], "AnimalModel": [MSC.ExperimentalModel],
    "InVitroModel": [MSC.ExperimentalModel], "ClinicalStudy": [MSC.Study],
    "RandomizedControlledTrial": [MSC.ClinicalStudy], "StudyArm": [o("BFO_0000040")],
    "OutcomeMeasurement": [o("BFO_0000031")], "KnowledgeGap": [MSC.ReviewStatement],
    "MechanismChain": [o("BFO_0000031")], "Publication": [o("BFO_0000031")], "JournalArticle": [MSC.Publication],
    "ReviewArticle": [MSC.Publication], "AssertionModality": [o("BFO_0000031")],
    "CitationStatus": [o("BFO_0000031")],
}  # fmt: skip
#: Logical definitions (equivalent classes) of kept classes: genus and the GO activity or ChEBI/OBI role.
CAPABLE = {
    "Cytokine": "GO_0005125", "GrowthFactor": "GO_0008083", "Receptor": "GO_0038023", "Ligand": "GO_0048018",
    "TranscriptionFactor": "GO_0003700", "Enzyme": "GO_0003824", "ProteinKinase": "GO_0004672",
}
ROLE = {"Drug": "CHEBI_23888", "ClinicalAnalyte": "OBI_0000275"}

#: Outcome node → polarity.
BETTER, WORSE = MSC.HigherIsBetter, MSC.HigherIsWorse
POLARITY = {
    "adverse-event-incidence": WORSE, "albumin-level": BETTER, "blood-liver-lipid-level": WORSE,
    "coagulation-function": BETTER, "malondialdehyde-level": WORSE, "p-stat3-t-stat3-ratio": BETTER,
    "tnf-alpha-level": WORSE, "liver-function": BETTER, "mortality-rate": WORSE, "prognosis": BETTER,
    "regulatory-t-cell-count": BETTER, "collagen-positive-area": WORSE, "biliary-complication-incidence": WORSE,
    "fatal-complication-incidence": WORSE, "infection-incidence": WORSE, "msc-infusion-complication": WORSE,
    "graft-survival": BETTER, "autolysosome-count": BETTER, "liver-body-weight-ratio": WORSE, "meld-score": WORSE,
    "bm-msc-therapeutic-effect": BETTER, "ly6c-hi-lo-macrophage-ratio": WORSE, "cumulative-survival-rate": BETTER,
    "long-term-survival": BETTER, "recipient-survival": BETTER, "total-bilirubin-level": WORSE,
}  # fmt: skip
POLARITY_NOTES = {
    "p-stat3-t-stat3-ratio": "Polarity as the review frames it in section 2.3: a higher p-STAT3/t-STAT3 ratio marks "
    "more hepatocyte proliferation after hypoxic BM-MSCs, read as better for regeneration.",
    "autolysosome-count": "Polarity as the review frames it in section 2.3: more autolysosomes mark the autophagy "
    "through which BM-MSCs protect hepatocytes, read as better.",
    "regulatory-t-cell-count": "Polarity as the review frames it in section 3: more regulatory T cells after BM-MSC "
    "infusion help suppress rejection, read as better.",
    "ly6c-hi-lo-macrophage-ratio": "Polarity as the review frames it in section 2.2: a lower Ly6C-high/Ly6C-low "
    "ratio goes with less fibrosis, so higher is worse.",
}
#: Generic nodes that stand for a group the review names without its members: labelled as such, so that no label
#: is shared with the class of the same name (the old label stays as an altLabel).
RELABEL = {
    "cytokine": ("cytokines (unspecified)", "多种细胞因子"),
    "growth-factor": ("growth factors (unspecified)", "各种生长因子"),
    "microrna": ("microRNAs (unspecified)", "多种microRNA"),
    "cell-therapy": ("cell therapy strategy", "细胞治疗策略"),
}
#: Node → type, where the rules would pick a wrong one.
TYPE_OVERRIDES: dict[str, list[URIRef]] = {
    "human-liver-development-atlas": [MSC.Study],
    "steatosis": [MSC.PathologicalProcess],
    "hepatocyte-regeneration": [o("GO_0031099")],
}


def migrate_tbox(onto: Graph, additions: Graph, entity_exact: set[URIRef]) -> list[str]:
    """Deprecate, re-parent and define classes; replace the descriptions the additions file gives.

    A kept class whose exactMatch is also an entity's (``msc:Cytokine`` and ``msce:cytokine``) keeps it as a
    closeMatch: one external term is the exactMatch of one node only.
    """
    log: list[str] = []
    for subject in set(additions.subjects()):
        if isinstance(subject, URIRef):
            onto.remove((subject, None, None))
    for s, p, ob in additions:
        onto.add((s, p, ob))
    for a, b in list(onto.subject_objects(OWL.disjointWith)):
        onto.remove((a, OWL.disjointWith, b))
    for prop in (RDFS.domain, RDFS.range):  # the policy lives in SHACL: no property retypes anyone's data on merge
        for s, ob in list(onto.subject_objects(prop)):
            onto.remove((s, prop, ob))
            _drop_orphan(onto, ob)
    log.append("removed every rdfs:domain and rdfs:range (the relation policy is enforced by SHACL)")
    for cls in sorted(set(onto.subjects(RDF.type, OWL.Class))):
        if not str(cls).startswith(str(MSC)):
            continue
        local = str(cls).removeprefix(str(MSC))
        if local in REPLACE:
            _deprecate(onto, cls, REPLACE[local])
            log.append(f"deprecated msc:{local}, replaced by {_short(REPLACE[local])}")
        elif local in KEEP_PARENTS:
            for parent in list(onto.objects(cls, RDFS.subClassOf)):
                onto.remove((cls, RDFS.subClassOf, parent))
            for parent in KEEP_PARENTS[local]:
                onto.add((cls, RDFS.subClassOf, parent))
            for target in list(onto.objects(cls, SKOS.exactMatch)):
                if target in entity_exact:
                    onto.remove((cls, SKOS.exactMatch, target))
                    onto.add((cls, SKOS.closeMatch, target))
                    log.append(f"msc:{local} exactMatch {_short(URIRef(target))} → closeMatch (an entity has it)")
    for local, activity in CAPABLE.items():
        onto.add((MSC[local], OWL.equivalentClass, _intersection(onto, MSC.GeneProduct,
                                                                 _some(onto, o("RO_0002215"), o(activity)))))
    for local, role in ROLE.items():
        onto.add((MSC[local], OWL.equivalentClass, _intersection(onto, o("CHEBI_23367"),
                                                                 _some(onto, o("RO_0000087"), o(role)))))
    onto.add((MSC.CellTherapy, RDFS.subClassOf, _some(onto, o("RO_0002233"), o("CL_0000000"))))
    # msc:derivesFrom said the source ceases to exist (RO:0001000): deprecated, its uses re-expressed.
    prop = MSC.derivesFrom
    for p in (RDFS.subPropertyOf, SKOS.broadMatch, OBOINOWL.hasExactSynonym):
        onto.remove((prop, p, None))
    onto.set((prop, OWL.deprecated, Literal(True)))
    for label in list(onto.objects(prop, RDFS.label)):
        onto.remove((prop, RDFS.label, label))
    onto.add((prop, RDFS.label, Literal("obsolete originates from", lang="en")))
    onto.add((prop, RDFS.label, Literal("（已废弃）来源于", lang="zh")))
    onto.add((prop, RDFS.comment, Literal(
        "Obsolete: it was a sub-property of RO:0001000 'derives from', which says the source ceases to exist. Use "
        "'develops from' (RO:0002202) for a cell's origin, 'transcribed from' (RO:0002510) for an RNA's gene, "
        "and 'secretes' for a vesicle's cell.", lang="en")))
    log.append("deprecated msc:derivesFrom (RO:0001000 says the source ceases to exist)")
    return log


def _drop_orphan(graph: Graph, node: object) -> None:
    """Remove a blank node (a union, a list) nothing points to any more, and what only it pointed to."""
    if not isinstance(node, BNode) or (None, None, node) in graph:
        return
    for _, _, child in list(graph.triples((node, None, None))):
        graph.remove((node, None, child))
        _drop_orphan(graph, child)


def _deprecate(onto: Graph, cls: URIRef, replacement: URIRef) -> None:
    labels = list(onto.objects(cls, RDFS.label))
    definition = onto.value(cls, DEFINITION)
    source = onto.value(cls, OBO["IAO_0000119"])
    onto.remove((cls, None, None))
    onto.add((cls, RDF.type, OWL.Class))
    onto.add((cls, OWL.deprecated, Literal(True)))
    onto.add((cls, REPLACED_BY, replacement))
    for label in labels:
        assert isinstance(label, Literal)
        text = f"obsolete {label}" if label.language == "en" else f"（已废弃）{label}"
        onto.add((cls, RDFS.label, Literal(text, lang=label.language)))
    if definition is not None:
        onto.add((cls, DEFINITION, Literal(f"OBSOLETE. {definition}", lang="en")))
    if source is not None:
        onto.add((cls, OBO["IAO_0000119"], source))


def _short(iri: URIRef) -> str:
    text = str(iri)
    return "msc:" + text.removeprefix(str(MSC)) if text.startswith(str(MSC)) else text.removeprefix(str(OBO))


# ------------------------------------------------------------------------------------------------ entities


def new_types(node: URIRef, old_types: set[URIRef], graph: Graph) -> list[URIRef]:
    """Choose a node's types: kept classes stay; a deprecated one gives way to the node's own OBO match."""
    slug = str(node).removeprefix(str(MSCE))
    if slug in TYPE_OVERRIDES:
        return TYPE_OVERRIDES[slug]
    chosen: list[URIRef] = []
    for cls in sorted(old_types):
        local = str(cls).removeprefix(str(MSC))
        if local in KEEP_PARENTS:
            chosen.append(cls)
        elif local in REPLACE:
            chosen.append(_own_obo_class(node, graph) or REPLACE[local])
    return list(dict.fromkeys(chosen))


def _own_obo_class(node: URIRef, graph: Graph) -> URIRef | None:
    for mapping in (SKOS.exactMatch, SKOS.broadMatch):
        for target in sorted(graph.objects(node, mapping)):
            local = str(target).removeprefix(str(OBO))
            if str(target).startswith(str(OBO)) and local.startswith(OBO_TYPE_PREFIXES) and local not in CHEBI_ROLES:
                return URIRef(str(target))
    return None


def migrate_entities(graphs: dict[Path, Graph], onto: Graph) -> dict[URIRef, str]:
    """Retype every entity; return each node's category (from its old class) for the predicate rules."""
    merged = Graph()
    for g in graphs.values():
        merged += g
    category = {n: _category(set(merged.objects(n, RDF.type)), onto) for n in set(merged.subjects(RDF.type, None))}
    for graph in graphs.values():
        for node in sorted(set(graph.subjects(RDF.type, None))):
            if not (isinstance(node, URIRef) and str(node).startswith(str(MSCE))):
                continue
            old = {t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef) and str(t).startswith(str(MSC))}
            if not old:
                continue
            for t in old:
                graph.remove((node, RDF.type, t))
            for t in new_types(node, old, merged):
                graph.add((node, RDF.type, t))
            for target in list(graph.objects(node, SKOS.exactMatch)):
                if str(target).removeprefix(str(OBO)) in CHEBI_ROLES:  # a molecule is not the role it bears
                    graph.remove((node, SKOS.exactMatch, target))
                    graph.add((node, SKOS.closeMatch, target))
                    for note in list(graph.objects(node, SKOS.editorialNote)):
                        if str(note).startswith("exactMatch:"):
                            graph.remove((node, SKOS.editorialNote, note))
                    graph.add((node, SKOS.editorialNote, Literal(
                        f"ChEBI's {target.removeprefix(str(OBO)).replace('_', ':')} is a role; this node is the "
                        "molecules that bear it, so the mapping is a closeMatch (an exactMatch made the merge of "
                        "the mapping set inconsistent: a material entity equivalent to a role).", lang="en")))
            slug = str(node).removeprefix(str(MSCE))
            if slug in RELABEL:
                for label in list(graph.objects(node, RDFS.label)):
                    graph.remove((node, RDFS.label, label))
                    graph.add((node, SKOS.altLabel, label))
                for text, lang in zip(RELABEL[slug], ("en", "zh"), strict=True):
                    graph.remove((node, SKOS.altLabel, Literal(text, lang=lang)))
                    graph.add((node, RDFS.label, Literal(text, lang=lang)))
            if slug in POLARITY:
                graph.add((node, MSC.polarity, POLARITY[slug]))
                if slug in POLARITY_NOTES:
                    graph.add((node, SKOS.editorialNote, Literal(POLARITY_NOTES[slug], lang="en")))
        for s, ob in list(graph.subject_objects(o("RO_0002351"))):  # a pathway is a process, not a collection
            graph.remove((s, o("RO_0002351"), ob))
            graph.add((s, o("RO_0000057"), ob))
        for s, ob in list(graph.subject_objects(MSC.derivesFrom)):  # the source does not cease to exist
            graph.remove((s, MSC.derivesFrom, ob))
            rna = bool({str(t).removeprefix(str(MSC)) for t in merged.objects(s, RDF.type)} & AMOUNT_OBJECTS)
            graph.add((s, o("RO_0002510") if rna else o("RO_0003001"), ob))
    return category


TOP = {
    "Cell": "C", "MolecularEntity": "M", "ProteinComplex": "M", "ExtracellularVesicle": "V",
    "CellularComponent": "A", "AnatomicalEntity": "A", "SignalingPathway": "P", "BiologicalProcess": "P",
    "Outcome": "O", "Disease": "D", "ClinicalManifestation": "F", "Intervention": "I",
    "AdministrationRoute": "I", "ExperimentalModel": "S", "KnowledgeGap": "G",
}
AMOUNT_OBJECTS = {"NonCodingRNA", "MicroRNA", "CircularRNA", "SmallMolecule", "LipidMediator", "ClinicalAnalyte"}


def _ancestors(cls: URIRef, onto: Graph) -> list[str]:
    seen, todo = [], [cls]
    while todo:
        c = todo.pop()
        local = str(c).removeprefix(str(MSC))
        if local in seen:
            continue
        seen.append(local)
        todo.extend(p for p in onto.objects(c, RDFS.subClassOf) if isinstance(p, URIRef))
    return seen


def _category(types: set, onto: Graph) -> str:
    for t in sorted(types):
        for local in _ancestors(t, onto):
            if local in TOP:
                return TOP[local]
    return "?"


def _amount_object(node: URIRef, merged_types: dict[URIRef, set[str]], cat: dict[URIRef, str]) -> bool:
    return bool(merged_types.get(node, set()) & AMOUNT_OBJECTS) or cat.get(node) == "C"


# ------------------------------------------------------------------------------------------------ nanopublications

E = MSCE
#: Assertion triples that replace a nanopublication's, for sentences the audit found forced into a causal
#: triple (C2), spread over a group or read from co-occurrence (C3), or using a relation outside its meaning
#: where no rule can choose (C6). ``None`` as subject means the claim itself (the assertion graph).
MANUAL: dict[str, list[tuple[URIRef | None, URIRef, URIRef]]] = {
    "abstract-01": [(None, RDF.type, MSC.ClassificationStatement), (None, MSC.concerns, E["liver-failure"]),
                    (None, MSC.concerns, E["liver-disease"])],
    "abstract-07": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
    "intro-02": [(None, RDF.type, MSC.EpidemiologyStatement), (None, MSC.concerns, E["liver-disease"]),
                 (None, MSC.concerns, E["mortality-rate"])],
    "intro-04": [(E["liver-function"], o("RO_0003307"), E["liver-failure"])],
    "intro-05": [(E["liver-failure"], o("RO_0004029"), E[x]) for x in
                 ("ascites", "coagulopathy", "hepatic-encephalopathy", "hepatorenal-syndrome", "jaundice")],
    "intro-07": [(E["orthotopic-liver-transplantation"], MSC.treatmentOptionFor, E["liver-failure"])],
    "intro-08": [(None, RDF.type, MSC.LimitationStatement), (None, MSC.concerns, E["liver-transplantation"]),
                 (None, MSC.concerns, E["liver-failure"])],
    "intro-09": [(None, RDF.type, MSC.DeterminantStatement), (None, MSC.concerns, E["hepatocyte-regeneration"]),
                 (None, MSC.concerns, E["prognosis"]), (None, MSC.concerns, E["liver-failure"])],
    "intro-11": [(None, RDF.type, MSC.AdvantageStatement), (None, MSC.concerns, E["hepatocyte-regeneration"]),
                 (None, MSC.concerns, E["orthotopic-liver-transplantation"]),
                 (None, MSC.concerns, E["immunosuppressive-therapy"])],
    "intro-15": [(E["bm-msc"], o("RO_0002202"), E["mesoderm"])],
    "intro-18": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
    "s1-02": [(E["msc"], MSC.treatmentOptionFor, E["end-stage-liver-disease"])],
    "s1-03": [(None, RDF.type, MSC.PriorityStatement), (None, MSC.concerns, E["bm-msc"]),
              (None, MSC.concerns, E["msc"])],
    "s2-01": [(None, RDF.type, MSC.DeterminantStatement), (None, MSC.concerns, E["hepatocyte-regeneration"]),
              (None, MSC.concerns, E["liver-inflammation"]), (None, MSC.concerns, E["liver-failure"])],
    "s2-1-01": [(None, RDF.type, MSC.DeterminantStatement), (None, MSC.concerns, E["hepatocyte-necrosis"]),
                (None, MSC.concerns, E["liver-inflammation"]), (None, MSC.concerns, E["liver-failure"]),
                (None, MSC.concerns, E["prognosis"])],
    "s2-1-21": [(E["stat3-pathway"], o("RO_0002418"), E[x]) for x in
                ("hepatocyte-regeneration", "liver-inflammation", "steatosis")],
    "s2-1-28": [(E["msc"], o("RO_0004035"), E["inflammatory-response"]),
                (E["msc"], o("RO_0004034"), E["immunomodulation"])],
    "s2-1-30": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-disease"])],
    "s2-2-13": [(E["m1-macrophage-polarization"], o("RO_0002213"), E["hsc-activation"])],
    "s2-2-17": [(E["bm-msc"], MSC.increasesExpressionOf, E["mmp13"])],
    "s2-2-18": [(E["bm-msc"], o("RO_0004035"), E["liver-fibrosis-process"])],
    "s2-2-28": [(E["ly6c-hi-lo-macrophage-ratio"], o("RO_0003304"), E["liver-fibrosis"])],
    "s2-2-33": [(E["circdido1"], o("RO_0002510"), E["dido1"])],
    "s2-2-34": [(E["msc"], MSC.secretes, E["circdido1-msc-exosome"]),
                (E["circdido1-msc-exosome"], MSC.hasCargo, E["circdido1"])],
    "s2-2-44": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-fibrosis"])],
    "s2-3-01": [(E[x], o("RO_0002264"), E["hepatocyte-regeneration"]) for x in
                ("cytokine", "growth-factor", "hormone", "metabolic-molecule", "microrna")]
    + [(E["oxidative-stress"], o("RO_0002418"), E["hepatocyte-regeneration"])],
    "s2-3-18": [(E["autophagy"], o("RO_0002418"), E["hepatocyte-apoptosis"]),
                (E["autophagy"], o("RO_0002418"), E["hepatocyte-regeneration"]),
                (E["bm-msc-exosome"], o("RO_0002264"), E["hepatocyte-apoptosis"]),
                (E["bm-msc-exosome"], o("RO_0002264"), E["hepatocyte-regeneration"])],
    "s3-05": [(None, RDF.type, MSC.SafetyStatement), (None, MSC.concerns, E["allogeneic-bm-msc-infusion"]),
              (None, MSC.concerns, E["msc-infusion-complication"])],
    "s3-08": [(E["abo-incompatible-liver-transplantation"], MSC.treatmentOptionFor, E["liver-failure"])],
    "s3-12": [(E["bm-msc"], MSC.treatmentOptionFor, E[x]) for x in
              ("liver-failure", "decompensated-cirrhosis", "end-stage-liver-disease")],
    "s4-01": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
    "s4-02": [(None, RDF.type, MSC.SafetyStatement), (None, MSC.concerns, E["bm-msc"]),
              (E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
    "s4-03": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
    "s4-10": [(E["bm-msc"], MSC.treatmentOptionFor, E["liver-failure"])],
}  # fmt: skip
#: Why each manual rewrite was made (the ledger prints it).
MANUAL_WHY = {
    "abstract-01": "C2 classification: no causal triple; MONDO already has liver failure is-a liver disease",
    "abstract-07": "C2 potential: 'a new option with great potential' is a treatment option, not an effect",
    "intro-02": "C2 epidemiological count: an epidemiology statement; the count stays on its measurement",
    "intro-04": "C6: liver function (an outcome, higher is better) ameliorates the condition; the old negative "
    "'causally upstream' between an outcome and a disease was outside RO's meaning",
    "intro-05": "C2 manifestations: 'disease has feature', not a causal effect",
    "intro-07": "C2 superlative: a treatment option ('most effective' noted), not an effect",
    "intro-08": "C2 limits on uptake: a limitation statement; the disease does not regulate transplantation",
    "intro-09": "C2 key determinant: a determinant statement without direction",
    "intro-11": "C2 advantage: an advantage statement; transplantation does not cause immunosuppressive therapy",
    "intro-15": "C6 origin: 'develops from' the mesoderm; 'derives from' would make the mesoderm cease to exist",
    "intro-18": "C2 potential: a treatment option (Suggested)",
    "s1-02": "C2 'investigated for': a treatment option (Suggested)",
    "s1-03": "C2 priority of discovery: a priority statement; the bone-marrow origin belongs to the entity",
    "s2-01": "C2 'important guarantees of successful treatment': a determinant statement",
    "s2-1-01": "C2 'key factors determining severity and prognosis': a determinant statement",
    "s2-1-21": "C6: a pathway plays a role in processes: 'causally upstream of or within', not 'has participant' "
    "with a process as participant",
    "s2-1-28": "C3 group statement: the effects are the MSCs' (the cytokines' secretion is s2-1-27); no "
    "anti-inflammatory edge for IL-6 or LT-α",
    "s2-1-30": "C2 potential: a treatment option (Suggested)",
    "s2-2-13": "C3 group statement: M1 polarization (with its cytokines) promotes stellate cell activation; no "
    "edge per cytokine",
    "s2-2-17": "C3 co-occurrence (伴随): MMP-13 secretion rose with BM-MSC transplantation, not because of M2 activation",
    "s2-2-18": "C3: the inhibition of fibrogenesis is the effect of the transplanted BM-MSCs, not of MMP-13",
    "s2-2-28": "C6: the Ly6C-high/low ratio (an outcome) contributes to the condition liver fibrosis; an outcome "
    "is not a process upstream of a process",
    "s2-2-33": "C6 origin: circDIDO1 is transcribed from the DIDO1 gene (RO:0002510)",
    "s2-2-34": "C6 origin: the MSCs secrete the exosomes, which carry circDIDO1",
    "s2-2-44": "C2 potential: a treatment option (Suggested)",
    "s2-3-01": "C6: molecules act upstream of or within regeneration and oxidative stress is causally upstream of "
    "or within it; a process is not a participant",
    "s2-3-18": "C6: autophagy and exosomes take part in apoptosis and regeneration: unsigned causal relations, not "
    "'has participant' with a process as participant",
    "s3-05": "C2 single-arm safety: a safety statement with its zero-event measurement, not a null comparison",
    "s3-08": "C2 option: a treatment option, not an effect on the disease or on mortality",
    "s3-12": "C2 'provided innovative experience': treatment options, not demonstrated effects",
    "s4-01": "C2 potential: a treatment option (Suggested)",
    "s4-02": "C2 safety without comparator: a safety statement, and a treatment option for the clinical value",
    "s4-03": "C2 'provides a new treatment option': a treatment option",
    "s4-10": "C2 hoped-for future: a treatment option (Suggested)",
}
#: Curator notes that described the old modelling: replaced (the ledger lists the old and new text).
NOTE_REPLACEMENTS = {
    "s3-05": "The review states that no MSC infusion-related complication occurred (并无) and calls the infusion safe "
    "(证实); recorded as a safety statement with the zero-event measurement of the BM-MSC arm, not as a comparison "
    "with the other arm.",
    "s4-02": "Good safety (良好的安全性) is recorded as a safety statement and clinical value (临床价值) as a treatment "
    "option for liver failure; the review gives no numbers or comparator here.",
}
ADDED_NOTES = {
    "intro-07": "The review calls orthotopic liver transplantation the most effective treatment (最有效的治疗); the "
    "superlative is not modelled, only that it is a treatment option for liver failure.",
    "s1-06": "The comparison (更有利于, more favourable) continues the comparison with adipose- and umbilical cord "
    "blood-derived MSCs of the sentence before; the same comparators are recorded.",
}
ADDED_COMPARATORS = {"s1-06": [E["adipose-msc"], E["umbilical-cord-blood-msc"]]}
ADDED_MEASUREMENTS = {"s3-05": [E["casiraghi2021-lt-rct-msc-infusion-complication-bm-msc"]]}
#: Steps the curators inferred (their notes say the review gives no sign, or no such step): ECO:0000305.
CURATOR_INFERRED = {"s2-3-05", "s2-3-06", "s2-3-07", "s2-3-25", "s2-3-26", "s2-3-27", "s2-3-28"}


def rewrite(p: URIRef, s: URIRef, ob: URIRef, cat: dict[URIRef, str], amount: bool) -> URIRef:
    """The predicate the policy allows for this subject and object (docs/data-model.md, relation policy)."""
    cs, co = cat.get(s, "?"), cat.get(ob, "?")
    up = p in (o("RO_0002213"), o("RO_0002304"))
    down = p in (o("RO_0002212"), o("RO_0002305"))
    if not (up or down):
        return p
    if cs in "PI" and co in "PI":
        return p
    if co in "PI":
        return o("RO_0004034") if up else o("RO_0004035")
    if co == "O":
        return MSC.increases if up else MSC.decreases
    if co in "DF":
        return o("RO_0003304") if up else o("RO_0003307")
    if co in "MC":
        if amount:
            return MSC.increasesExpressionOf if up else MSC.decreasesExpressionOf
        return MSC.increasesActivityOf if up else MSC.decreasesActivityOf
    if co == "A":
        return MSC.increasesActivityOf if up else MSC.decreasesActivityOf
    raise ValueError(f"no rule for {s} {p} {ob} ({cs} → {co})")


def migrate_nanopubs(datasets: dict[Path, Dataset], cat: dict[URIRef, str], types: dict[URIRef, set[str]]) -> dict:
    """Move qualifiers into the assertion, rewrite predicates, apply the manual decisions; return the changes."""
    changes: dict[str, list[str]] = defaultdict(list)
    for ds in datasets.values():
        for g in list(ds.graphs()):
            ident = str(g.identifier)
            if not ident.startswith("https://w3id.org/msc-liver/graph/assertion/"):
                continue
            np_id = ident.rsplit("/", 1)[1]
            a = ds.graph(URIRef(ident))
            prov = ds.graph(URIRef(ident.replace("/assertion/", "/provenance/")))
            claim = URIRef(ident)
            for q in QUALIFIERS:
                for value in list(prov.objects(claim, q)):
                    prov.remove((claim, q, value))
                    a.add((claim, q, value))
            for value in ADDED_COMPARATORS.get(np_id, []):
                a.add((claim, MSC.comparator, value))
                changes[np_id].append(f"comparator {_short_e(value)} added")
            if np_id in MANUAL:
                old = sorted(_triple_text(t) for t in a if t[0] != claim)
                for t in [t for t in a if t[0] != claim]:
                    a.remove(t)
                for s, p, ob in MANUAL[np_id]:
                    a.add((claim if s is None else s, p, ob))
                new = sorted(_triple_text(t) for t in a if t[0] != claim)
                new += sorted(_triple_text((claim, p, ob)) for _, p, ob in a.triples((claim, None, None))
                              if p in (RDF.type, MSC.concerns))  # fmt: skip
                changes[np_id].append(f"{MANUAL_WHY[np_id]}: {'; '.join(old)} → {'; '.join(new)}")
            else:
                for s, p, ob in sorted(a):
                    if s == claim or not isinstance(ob, URIRef):
                        continue
                    amount = _amount_object(ob, types, cat)
                    new_p = rewrite(URIRef(p), URIRef(s), ob, cat, amount)
                    if new_p != p:
                        a.remove((s, p, ob))
                        a.add((s, new_p, ob))
                        changes[np_id].append(f"{_triple_text((s, p, ob))} → {_short_e(new_p)}")
            _evidence(np_id, a, prov, claim, changes)
    return changes


def _evidence(np_id: str, a: Graph, prov: Graph, claim: URIRef, changes: dict[str, list[str]]) -> None:
    status = prov.value(claim, MSC.citationStatus)
    modality = prov.value(claim, MSC.modality)
    has_null = any(True for _ in a.triples((None, MSC.hasNoSignificantEffectOn, None)))
    if modality == MSC.NoSignificantDifference and not has_null:
        prov.set((claim, MSC.modality, MSC.Demonstrated))
        modality = MSC.Demonstrated
        changes[np_id].append("modality NoSignificantDifference → Demonstrated (no null comparison left)")
    if status == MSC.UncitedReviewStatement and modality == MSC.Demonstrated:
        prov.set((claim, MSC.modality, MSC.BackgroundStatement))
        changes[np_id].append("modality Demonstrated → BackgroundStatement (uncited, not hedged)")
    if np_id in CURATOR_INFERRED:
        old = prov.value(claim, MSC.evidenceType)
        prov.set((claim, MSC.evidenceType, o("ECO_0000305")))
        changes[np_id].append(f"evidence {_short_e(old)} → ECO_0000305 (the curators' inference, as the note says)")
    if np_id in NOTE_REPLACEMENTS:
        for note in list(prov.objects(claim, MSC.curatorNote)):
            if "recorded as" in str(note):
                prov.remove((claim, MSC.curatorNote, note))
                changes[np_id].append(f"curator note replaced: «{note}» → «{NOTE_REPLACEMENTS[np_id]}»")
        prov.add((claim, MSC.curatorNote, Literal(NOTE_REPLACEMENTS[np_id], lang="en")))
    if np_id in ADDED_NOTES:
        prov.add((claim, MSC.curatorNote, Literal(ADDED_NOTES[np_id], lang="en")))
        changes[np_id].append("curator note added")
    for m in ADDED_MEASUREMENTS.get(np_id, []):
        prov.add((claim, MSC.reportsMeasurement, m))
        changes[np_id].append(f"reports measurement {_short_e(m)}")


def _short_e(node: object) -> str:
    text = str(node)
    for ns, prefix in ((MSCE, "msce:"), (MSC, "msc:"), (OBO, "")):
        if text.startswith(str(ns)):
            return prefix + text.removeprefix(str(ns))
    return text


def _field(prop: URIRef) -> str:
    return "prov:wasDerivedFrom" if prop == PROV.wasDerivedFrom else _short_e(prop)


def _triple_text(t: tuple) -> str:
    return " ".join(_short_e(x) for x in t)


# ------------------------------------------------------------------------------------------------ gene products

TAXA = {"NCBITaxon_10090": "mgi", "NCBITaxon_10116": "rgd", "NCBITaxon_9606": "hgnc"}
SPECIES_NAME = {"mgi": "mouse", "rgd": "rat", "hgnc": "human"}


def _table(path: Path) -> dict[str, dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return {cells[0]: dict(zip(header, cells, strict=False)) for cells in (line.split("\t") for line in lines[1:])}


def species_genes(genes: Graph, datasets: dict[Path, Dataset], reference: Path) -> list[str]:
    """Map each gene product to the gene of the species its claims come from, never the human gene by default.

    A node whose claims all come from one species is that species' gene product: exactMatch to its own gene (MGI,
    RGD, or HGNC for human), found through HGNC's cross-reference and checked in the MGI/RGD tables; the human
    gene of a mouse or rat node stays a closeMatch. A node with claims from several species, or none stated, is
    species-neutral: closeMatch to the genes of each species named.
    """
    hgnc = _table(reference / "hgnc.tsv")
    known = {"mgi": _table(reference / "mgi_subset.tsv"), "rgd": _table(reference / "rgd_subset.tsv")}
    species: dict[URIRef, set[str]] = defaultdict(set)
    for ds in datasets.values():
        for g in ds.graphs():
            if "/graph/assertion/" not in str(g.identifier):
                continue
            taxa = {TAXA.get(str(t).removeprefix(str(OBO)), "other") for t in g.objects(g.identifier, MSC.species)}
            for s, _, ob in g:
                if s != g.identifier:
                    species[URIRef(s)] |= taxa or {"none"}
                    species[URIRef(ob)] |= taxa or {"none"}
    log = []
    for node in sorted(set(genes.subjects(SKOS.closeMatch, None)) | set(genes.subjects(SKOS.exactMatch, None))):
        human = sorted(str(t) for t in genes.objects(node, SKOS.closeMatch) if "identifiers.org/hgnc:" in str(t))
        if not human:
            continue
        ids = ["HGNC:" + h.rsplit(":", 1)[1] for h in human]
        seen = species.get(node, set())
        own = {sp: sorted({x for i in ids for x in (hgnc[i].get(f"{sp}_ids") or "").split("|")
                           if x and x in known[sp]}) for sp in ("mgi", "rgd")}  # fmt: skip
        slug = str(node).removeprefix(str(MSCE))
        for note in list(genes.objects(node, SKOS.editorialNote)):
            if "mapped to the human HGNC gene" in str(note) or "per the data model" in str(note):
                genes.remove((node, SKOS.editorialNote, note))
        if len(seen) == 1 and (sp := next(iter(seen))) in ("mgi", "rgd", "hgnc") and len(ids) == 1:
            target = URIRef(human[0]) if sp == "hgnc" else (iri := _gene_iri(sp, own[sp]))
            if target is None or (sp != "hgnc" and iri is None):
                log.append(f"{slug}: {SPECIES_NAME[sp]}-only, but no {sp.upper()} gene found for {ids[0]}")
                continue
            genes.add((node, SKOS.exactMatch, target))
            if sp == "hgnc":
                genes.remove((node, SKOS.closeMatch, target))
            genes.add((node, SKOS.editorialNote, Literal(
                f"exactMatch: every claim about this node comes from {SPECIES_NAME[sp]} studies, so it is the "
                f"{SPECIES_NAME[sp]} gene product"
                + ("" if sp == "hgnc" else f" ({_curie_text(target)}, HGNC's cross-reference of {ids[0]}, which "
                   "stays a closeMatch)") + ".", lang="en")))  # fmt: skip
            log.append(f"{slug}: {SPECIES_NAME[sp]}-only claims → exactMatch {_curie_text(target)}")
        else:
            added = []
            for sp in ("mgi", "rgd"):
                if sp in seen:
                    for x in own[sp]:
                        iri = _gene_iri(sp, [x])
                        if iri is not None:
                            genes.add((node, SKOS.closeMatch, iri))
                            added.append(x)
            origin = ", ".join(sorted(SPECIES_NAME.get(x, "species-unstated") for x in seen))
            genes.add((node, SKOS.editorialNote, Literal(
                "Species-neutral: "
                + (f"the claims about this node come from {origin} studies, or it names several genes"
                   if seen else "no claim names this node itself (it takes part in a process)")
                + "; the gene of each species named is a closeMatch, none an exactMatch.", lang="en")))  # fmt: skip
            log.append(f"{slug}: species-neutral ({', '.join(sorted(seen))}); closeMatch {', '.join(ids + added)}")
    return log


def _gene_iri(source: str, ids: list[str]) -> URIRef | None:
    if len(ids) != 1:
        return None
    local = ids[0].split(":", 1)[1]
    return URIRef(("https://identifiers.org/MGI:" if source == "mgi" else "https://identifiers.org/rgd:") + local)


def _curie_text(iri: URIRef) -> str:
    text = str(iri).removeprefix("https://identifiers.org/")
    return text if text.startswith("MGI:") else text.replace("hgnc:", "HGNC:").replace("rgd:", "RGD:")


# ------------------------------------------------------------------------------------------------ ledger

LEDGER_FIELDS = (MSC.quote, MSC.quoteTranslation, PROV.wasDerivedFrom, MSC.citationStatus, MSC.reviewSection,
                 MSC.hedgeCue, MSC.studyArm, MSC.reportsMeasurement, MSC.curatorNote)  # fmt: skip


def snapshot(datasets: dict[Path, Dataset], studies: Graph) -> dict[str, dict[str, list[str]]]:
    """What the ledger compares: per nanopublication its provenance fields, and every number of studies.ttl."""
    found: dict[str, dict[str, list[str]]] = {}
    for ds in datasets.values():
        for g in ds.graphs():
            ident = str(g.identifier)
            if ident.startswith("https://w3id.org/msc-liver/graph/provenance/"):
                np_id = ident.rsplit("/", 1)[1]
                claim = URIRef(ident.replace("/provenance/", "/assertion/"))
                found[np_id] = {_field(f): sorted(str(v) for v in g.objects(claim, f)) for f in LEDGER_FIELDS}
    found["(numbers)"] = {"studies": sorted(f"{_short_e(s)} {_short_e(p)} {ob}" for s, p, ob in studies
                                            if isinstance(ob, Literal) and ob.datatype is not None)}  # fmt: skip
    return found


def ledger_text(before: dict, after: dict, changes: dict, tbox_log: list[str], review: str) -> str:
    rows = []
    problems = []
    for np_id in sorted(k for k in before if k != "(numbers)"):
        if np_id not in after:
            problems.append(f"{np_id}: missing after the migration")
            continue
        b, a = before[np_id], after[np_id]
        quote = b["msc:quote"][0] if b["msc:quote"] else ""
        for field in b:
            if field == "msc:curatorNote":
                lost = set(b[field]) - set(a[field])
                replaced = [c for c in changes.get(np_id, []) if c.startswith("curator note replaced")]
                if lost and len(lost) != len(replaced):
                    problems.append(f"{np_id}: curator note lost")
            elif field == "msc:reportsMeasurement":
                if not set(b[field]) <= set(a[field]):
                    problems.append(f"{np_id}: measurement lost")
            elif b[field] != a[field]:
                problems.append(f"{np_id}: {field} changed")
        verbatim = quote in review
        if not verbatim:
            problems.append(f"{np_id}: quote not verbatim in the review")
        digest = hashlib.sha256(quote.encode("utf-8")).hexdigest()[:12]
        rows.append(f"| {np_id} | `{digest}` | {'yes' if verbatim else 'NO'} | "
                    f"{b['prov:wasDerivedFrom'][0].removeprefix('https://doi.org/') if b['prov:wasDerivedFrom'] else ''} | "
                    f"{len(b['msc:curatorNote'])} → {len(a['msc:curatorNote'])} | "
                    f"{'<br>'.join(c.replace('|', '/') for c in changes.get(np_id, [])) or '—'} |")  # fmt: skip
    if before["(numbers)"] != after["(numbers)"]:
        problems.append("a number of studies.ttl changed")
    manual = sorted(k for k in changes if k in MANUAL)
    evidence = sorted(k for k, v in changes.items() if k not in MANUAL and any(
        c.startswith(("evidence", "curator note replaced", "reports measurement")) or "NoSignificantDifference" in c
        for c in v))  # fmt: skip
    mechanical = sorted(k for k, v in changes.items() if k not in MANUAL and k not in evidence and any(
        " → " in c and not c.startswith(("modality", "comparator")) for c in v))  # fmt: skip
    head = [
        "# Migration to the causal model: before/after ledger",
        "",
        "Written by `python -m migrations.causal_model` when it rewrote the T-box, the entities and every "
        "nanopublication (docs/data-model.md). Each row is one nanopublication: the SHA-256 (first 12 hex digits) "
        "of its quote, which is the same before and after, whether the quote is a verbatim substring of "
        "`sources/qi-2024-review.txt`, the DOI it derives from (unchanged), its curator notes (count before → "
        "after) and what changed. Quote, translation, derivation, citation status, section, hedge cue, study arms "
        "and every number of `instances/entities/studies.ttl` were compared field by field.",
        "",
        f"* nanopublications before: {len([k for k in before if k != '(numbers)'])}, after: "
        f"{len([k for k in after if k != '(numbers)'])}; quotes verbatim: "
        f"{sum(1 for r in rows if '| yes |' in r)}",
        f"* numbers of studies.ttl compared: {len(before['(numbers)']['studies'])}, unchanged: "
        f"{before['(numbers)'] == after['(numbers)']}",
        f"* problems: {len(problems)}" + ("".join(f"\n  * {p}" for p in problems)),
        f"* rewritten by hand, the sentence's claim re-read (audit classes C2, C3, C6 without a rule): "
        f"{len(manual)}: {', '.join(manual)}",
        f"* evidence changed (curator inference ECO:0000305, a note or measurement replaced or added, a null "
        f"comparison that was none): {len(evidence)}: {', '.join(evidence)}",
        f"* predicates only, by the policy's rule for the subject's and object's categories (C6): "
        f"{len(mechanical)}: {', '.join(mechanical)}",
        "* every uncited statement that was 'Demonstrated' is now 'BackgroundStatement'; every claim's qualifiers "
        "moved from its provenance graph into its assertion graph",
        "",
        "## T-box",
        "",
        *[f"* {line}" for line in tbox_log],
        "",
        "## Nanopublications",
        "",
        "| id | quote sha256 | verbatim | derived from | notes | changes |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows) + "\n", problems


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    paths = project_paths(ROOT)
    onto_path = paths.ontology / "msc-liver.ttl"
    entity_paths = sorted((paths.instances / "entities").glob("*.ttl"))
    np_paths = sorted((paths.instances / "assertions").glob("*.trig"))
    review = paths.source_text.read_text(encoding="utf-8")

    def load_ttl(path: Path) -> Graph:
        ds = Dataset()
        target = URIRef(path.resolve().as_uri())
        parse_file(ds, path, target)
        g = Graph()
        g += ds.graph(target)
        return g

    onto = load_ttl(onto_path)
    entities = {p: load_ttl(p) for p in entity_paths}
    datasets: dict[Path, Dataset] = {}
    for p in np_paths:
        ds = Dataset()
        parse_file(ds, p)
        datasets[p] = ds
    if not any(True for ds in datasets.values() for _ in ds.quads((None, MSC.derivesFrom, None, None))):
        print("already migrated: no msc:derivesFrom left in an assertion graph", file=sys.stderr)
        return 2
    studies = entities[paths.instances / "entities" / "studies.ttl"]
    before = snapshot(datasets, studies)
    old_onto = Graph()
    old_onto += onto
    merged_old = Graph()
    for g in entities.values():
        merged_old += g
    types = {n: {str(t).removeprefix(str(MSC)) for t in merged_old.objects(n, RDF.type)}
             for n in set(merged_old.subjects(RDF.type, None))}  # fmt: skip
    additions = Graph().parse(ROOT / "migrations" / "causal_model_tbox.ttl")
    category = migrate_entities(entities, old_onto)
    entity_exact = {t for g in entities.values() for t in g.objects(None, SKOS.exactMatch) if isinstance(t, URIRef)}
    tbox_log = migrate_tbox(onto, additions, entity_exact)
    changes = migrate_nanopubs(datasets, category, types)
    gene_log = species_genes(entities[paths.instances / "entities" / "gene-products.ttl"], datasets,
                             paths.reference_tables)  # fmt: skip
    after = snapshot(datasets, studies)
    text, problems = ledger_text(before, after, changes, tbox_log + gene_log, review)
    labels = Graph()
    for g in entities.values():
        labels += g
    outputs = {onto_path: format_graph(onto)}
    outputs.update({p: format_graph(g) for p, g in entities.items()})
    outputs.update({p: format_dataset(ds, labels) for p, ds in datasets.items()})
    outputs[ROOT / "docs" / "migration-causal-model.md"] = text
    for path, content in outputs.items():
        path.write_text(content, encoding="utf-8")
    print(f"{len(changes)} nanopublications changed; {len(problems)} ledger problem(s)")
    for p in problems:
        print("  ", p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
