"""The schematron validator gives the official PEPPOL material its official outcomes."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from ledger.documents import shared_data
from ledger.documents.schematron import (
    Finding,
    SchematronValidator,
    compile_schematron,
    fatal,
    peppol_validators,
    validate_ehf,
)

PEPPOL = shared_data.peppol_dir()
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@dataclass(frozen=True)
class RuleExpectation:
    """One expected outcome of an official rule test: ``rule`` must succeed, fail or warn."""

    file: str
    test_no: int
    outcome: str  # "success", "error" or "warning"
    rule: str
    document: bytes

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}#{self.test_no}-{self.outcome}-{self.rule}"


def official_rule_tests() -> list[RuleExpectation]:
    expectations = []
    for path in sorted((PEPPOL / "unit-UBL-NO").iterdir()) + sorted((PEPPOL / "unit-UBL-PEPPOL").iterdir()):
        tree = etree.parse(str(path))
        for test_no, test in enumerate(tree.getroot().iter(VEFA + "test"), start=1):
            (document,) = [c for c in test if isinstance(c.tag, str) and c.tag != VEFA + "assert"]
            outcomes = test.find(VEFA + "assert")
            for expected in outcomes if outcomes is not None else ():
                outcome = etree.QName(expected).localname if isinstance(expected.tag, str) else ""
                if outcome in ("success", "error", "warning"):
                    expectations.append(
                        RuleExpectation(
                            path.name,
                            test_no,
                            outcome,
                            (expected.text or "").strip(),
                            etree.tostring(document),
                        )
                    )
    return expectations


RULE_TESTS = official_rule_tests()
EXAMPLES = sorted((PEPPOL / "examples").glob("*.xml")) + sorted((PEPPOL / "national-examples" / "NO").glob("*.xml"))


def flags_by_rule(findings: list[Finding]) -> dict[str, set[str]]:
    flags: dict[str, set[str]] = {}
    for f in findings:
        flags.setdefault(f.rule_id, set()).add(f.flag)
    return flags


def test_the_official_rule_tests_hold_235_expectations() -> None:
    assert len(RULE_TESTS) == 235


@pytest.mark.parametrize("case", RULE_TESTS, ids=lambda c: c.id)
def test_official_rule_test_gives_its_expected_outcome(case: RuleExpectation) -> None:
    flags = flags_by_rule(validate_ehf(case.document)).get(case.rule, set())
    if case.outcome == "success":
        assert not flags, f"{case.rule} fired but must succeed"
    elif case.outcome == "error":
        assert "fatal" in flags, f"{case.rule} must fail as fatal, got {flags or 'nothing'}"
    else:
        assert "warning" in flags, f"{case.rule} must warn, got {flags or 'nothing'}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_example_has_no_fatal_finding(path: Path) -> None:
    assert fatal(validate_ehf(path.read_bytes())) == []


def broken(example: str, xpath: str, change: str) -> etree._ElementTree:
    tree = etree.parse(str(PEPPOL / "examples" / example))
    (node,) = tree.xpath(xpath, namespaces=NS)
    if change == "remove":
        node.getparent().remove(node)
    else:
        node.text = change
    return tree


def test_an_example_without_the_sellers_name_fails_br_06() -> None:
    tree = broken(
        "base-example.xml",
        "//cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
        "remove",
    )
    findings = fatal(validate_ehf(tree))
    assert [f.rule_id for f in findings] == ["BR-06"]
    assert findings[0].location == "/Invoice[1]"
    assert "Seller name" in findings[0].message


def test_an_example_with_wrong_totals_fails_the_sum_rules() -> None:
    tree = broken("base-example.xml", "//cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "99999.00")
    assert {f.rule_id for f in fatal(validate_ehf(tree))} == {"BR-CO-15", "BR-CO-16"}


def test_a_credit_note_with_a_broken_norwegian_vat_number_fails_no_r_001() -> None:
    tree = etree.parse(str(PEPPOL / "national-examples" / "NO" / "Norwegian-example-1.xml"))
    (vat_id,) = tree.xpath(
        "//cac:AccountingSupplierParty//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
        namespaces=NS,
    )
    vat_id.text = "NO123456789MVA"  # fails the MOD11 check
    assert "NO-R-001" in {f.rule_id for f in fatal(validate_ehf(tree))}


def test_each_rule_file_is_compiled_once_per_process() -> None:
    assert peppol_validators() is peppol_validators()


def test_an_ubl_document_is_validated_from_bytes_text_or_tree_alike() -> None:
    raw = (PEPPOL / "examples" / "base-example.xml").read_bytes()
    tree = etree.fromstring(raw)
    broken_tree = copy.deepcopy(tree)
    (name,) = broken_tree.xpath("//cac:AccountingSupplierParty//cbc:RegistrationName", namespaces=NS)
    name.getparent().remove(name)
    assert validate_ehf(raw) == validate_ehf(raw.decode()) == validate_ehf(tree)
    assert "BR-06" in {f.rule_id for f in validate_ehf(broken_tree)}


SMALL_SCHEMA = """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="x" uri="urn:example"/>
  <let name="limit" value="3"/>
  <pattern id="abstract-count" abstract="true">
    <rule context="$parent">
      <assert id="MAX" flag="fatal" test="count($child) &lt;= $limit"
        >Too many <name/>: <value-of select="count($child)"/></assert>
    </rule>
  </pattern>
  <pattern is-a="abstract-count" id="items">
    <param name="parent" value="x:list"/><param name="child" value="x:item"/>
  </pattern>
  <pattern id="first-rule-wins">
    <rule context="x:item[@kind = 'a']">
      <let name="kind" value="@kind"/>
      <report id="A" flag="warning" test="true()">item of kind <value-of select="$kind"/></report>
    </rule>
    <rule context="x:item">
      <report id="ANY" flag="info" test="true()">another item</report>
    </rule>
  </pattern>
</schema>"""


def test_abstract_patterns_lets_names_and_first_rule_wins(tmp_path: Path) -> None:
    sch = tmp_path / "small.sch"
    sch.write_text(SMALL_SCHEMA, encoding="utf-8")
    validator = SchematronValidator.from_file(sch, cache_dir=tmp_path / "cache")
    doc = '<list xmlns="urn:example"><item kind="a"/><item/><item/><item kind="a"/></list>'
    findings = validator.validate(doc)
    assert [(f.rule_id, f.flag, f.message) for f in findings] == [
        ("MAX", "fatal", "Too many list: 4"),
        ("A", "warning", "item of kind a"),
        ("ANY", "info", "another item"),
        ("ANY", "info", "another item"),
        ("A", "warning", "item of kind a"),
    ]
    assert findings[0].location == "/list[1]"
    assert findings[-1].location == "/list[1]/item[4]"
    assert not findings[1].is_fatal
    assert len(list((tmp_path / "cache").glob("small-*.xsl"))) == 1
    assert SchematronValidator.from_file(sch, cache_dir=tmp_path / "cache").validate(doc) == findings


def test_the_compiled_stylesheet_has_one_mode_per_pattern() -> None:
    xslt = etree.fromstring(compile_schematron(PEPPOL / "sch" / "CEN-EN16931-UBL.sch").encode())
    modes = {t.get("mode") for t in xslt.iter("{http://www.w3.org/1999/XSL/Transform}template") if t.get("mode")}
    assert modes == {"bbf:p1", "bbf:p2", "bbf:p3"}
