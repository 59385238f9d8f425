"""Schematron validation of EHF documents: the PEPPOL BIS Billing 3.0 rules, run with Saxon.

The official rules (``peppol/sch/*.sch`` in the shared data) are XSLT 2 schematron with
``xsl:function`` helpers, which neither lxml nor the pure-Python runners can execute. So each
``.sch`` file is compiled here into an XSLT 3 stylesheet and run with Saxon-HE (``saxonche``):

* one mode per ``pattern``; every pattern walks the whole document on its own, as in the
  standard;
* one template per ``rule``, its ``context`` as the match pattern, priorities falling in
  document order, since a node fires only the first rule of a pattern that matches it;
* each ``assert`` becomes an ``xsl:if`` on the negated test (each ``report`` one on the test)
  that writes the rule id, flag, location and message;
* global and pattern-level ``let`` become global variables, rule-level ``let`` local ones in
  their place among the asserts; ``xsl:function`` elements are copied as they are;
* a default template per mode walks on through the attributes and children.

``include``, abstract patterns (``is-a`` with ``param``), abstract rules (``extends``),
``phase`` and the inline ``value-of`` / ``name`` elements of messages are supported as well.

A check returns its findings as values: a list of :class:`Finding`, the caller decides how to
word them. Compiled stylesheets are cached per process (compiling the CEN rules takes a few
seconds); the generated XSLT text is also written to ``var/cache/schematron/`` for reading.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from saxonche import PySaxonProcessor

from ledger.documents import shared_data

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
OUT_NS = "urn:bokbot:schematron-findings"
_S = f"{{{SCH_NS}}}"
_X = f"{{{XSL_NS}}}"
_O = f"{{{OUT_NS}}}"

PEPPOL_SCHEMATRON_FILES = ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch")


@dataclass(frozen=True)
class Finding:
    """One failed assertion (or fired report) of a schematron rule.

    Attributes:
      rule_id: The rule's identifier, e.g. "BR-CO-15" or "NO-R-002"; the rule's position
        ("pattern-3/assert-2") when the schema gives it no id.
      flag: How bad it is, as the schema says: "fatal" and "warning" in the PEPPOL rules; the
        role is used when there is no flag, "error" when there is neither.
      location: An XPath to the node the rule looked at, with prefixed names and positions,
        e.g. "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]".
      message: The rule's message, whitespace normalised.
    """

    rule_id: str
    flag: str
    location: str
    message: str

    @property
    def is_fatal(self) -> bool:
        """True for findings that make the document invalid (anything but a warning or info)."""
        return self.flag not in ("warning", "info", "information")


class SchematronError(Exception):
    """The schematron file cannot be compiled or the document cannot be checked."""


# --------------------------------------------------------------------------------------------
# Compilation: schematron -> XSLT 3


def _is_sch(el: etree._Element, name: str) -> bool:
    return isinstance(el.tag, str) and el.tag == _S + name


def _resolve_includes(el: etree._Element, base: Path) -> None:
    """Replaces every ``sch:include`` below ``el`` with the element it points to."""
    for inc in list(el.iter(_S + "include")):
        href = inc.get("href", "")
        target = (base / href.split("#", 1)[0]).resolve()
        included = etree.parse(str(target)).getroot()
        _resolve_includes(included, target.parent)
        parent = inc.getparent()
        if parent is None:  # pragma: no cover - the root is never an include
            raise SchematronError("an include cannot be the root element")
        parent.replace(inc, included)


def _substitute_params(el: etree._Element, params: dict[str, str]) -> None:
    """Replaces ``$name`` of an abstract pattern's parameters in every attribute below ``el``."""
    if not params:
        return
    names = sorted(params, key=len, reverse=True)
    regex = re.compile(r"\$(" + "|".join(re.escape(n) for n in names) + r")(?![\w.\-])")
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for attr, value in node.attrib.items():
            node.set(attr, regex.sub(lambda m: params[m.group(1)], str(value)))


def _instantiate_abstract_patterns(schema: etree._Element) -> None:
    abstract = {p.get("id"): p for p in schema.iter(_S + "pattern") if p.get("abstract") == "true"}
    for pattern in list(schema.iter(_S + "pattern")):
        base_id = pattern.get("is-a")
        if not base_id:
            continue
        if base_id not in abstract:
            raise SchematronError(f"pattern {pattern.get('id')!r} is-a unknown pattern {base_id!r}")
        params = {p.get("name", ""): p.get("value", "") for p in pattern.findall(_S + "param")}
        instance = copy.deepcopy(abstract[base_id])
        if "abstract" in instance.attrib:
            del instance.attrib["abstract"]
        if pattern.get("id"):
            instance.set("id", pattern.get("id", ""))
        _substitute_params(instance, params)
        parent = pattern.getparent()
        assert parent is not None
        parent.replace(pattern, instance)
    for p in abstract.values():
        parent = p.getparent()
        if parent is not None:
            parent.remove(p)


def _expand_abstract_rules(schema: etree._Element) -> None:
    abstract = {r.get("id"): r for r in schema.iter(_S + "rule") if r.get("abstract") == "true"}
    for rule in schema.iter(_S + "rule"):
        for ext in list(rule.findall(_S + "extends")):
            base = abstract.get(ext.get("rule"))
            if base is None:
                raise SchematronError(f"rule extends unknown abstract rule {ext.get('rule')!r}")
            index = list(rule).index(ext)
            rule.remove(ext)
            for offset, child in enumerate(c for c in base if isinstance(c.tag, str)):
                rule.insert(index + offset, copy.deepcopy(child))
    for r in abstract.values():
        parent = r.getparent()
        if parent is not None:
            parent.remove(r)


def _active_patterns(schema: etree._Element, phase: str | None) -> list[etree._Element]:
    patterns = [p for p in schema if _is_sch(p, "pattern")]
    phase = phase or schema.get("defaultPhase")
    if not phase or phase == "#ALL":
        return patterns
    for ph in schema.findall(_S + "phase"):
        if ph.get("id") == phase:
            active = {a.get("pattern") for a in ph.findall(_S + "active")}
            return [p for p in patterns if p.get("id") in active]
    raise SchematronError(f"no phase {phase!r} in the schema")


def _let_variable(let: etree._Element) -> etree._Element:
    var = etree.Element(_X + "variable", name=let.get("name", ""))
    if let.get("value") is not None:
        var.set("select", let.get("value", ""))
    else:
        for child in let:
            var.append(copy.deepcopy(child))
    return var


def _message_into(target: etree._Element, source: etree._Element) -> None:
    """Copies an assert's message as text, turning ``value-of`` and ``name`` into XSLT."""
    last: etree._Element | None = None

    def add_text(text: str | None) -> None:
        if not text:
            return
        if last is None:
            target.text = (target.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    def walk(node: etree._Element) -> None:
        nonlocal last
        add_text(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # comments, processing instructions
                add_text(child.tail)
                continue
            if _is_sch(child, "value-of"):
                last = etree.SubElement(target, _X + "value-of", select=child.get("select", "."))
            elif _is_sch(child, "name"):
                path = child.get("path")
                select = f"name({path})" if path else "name(.)"
                last = etree.SubElement(target, _X + "value-of", select=select)
            else:  # emph, dir, span, foreign: keep their text
                walk(child)
            add_text(child.tail)

    walk(source)


def _avt_literal(text: str) -> str:
    """``text`` as an attribute value template that yields exactly ``text``."""
    return text.replace("{", "{{").replace("}", "}}")


def _assertion(check: etree._Element, pattern_no: int, check_no: int) -> etree._Element:
    test = check.get("test", "true()")
    is_report = _is_sch(check, "report")
    guard = etree.Element(_X + "if", test=test if is_report else f"not({test})")
    rule_id = check.get("id") or f"pattern-{pattern_no}/check-{check_no}"
    flag = check.get("flag") or check.get("role") or "error"
    finding = etree.SubElement(
        guard, _O + "finding", id=_avt_literal(rule_id), flag=_avt_literal(flag), location="{bbf:location(.)}"
    )
    _message_into(finding, check)
    return guard


_LOCATION_FUNCTION = """
<xsl:function xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:bbf="urn:bokbot:schematron-findings"
    name="bbf:location" as="xs:string">
  <xsl:param name="node" as="node()"/>
  <xsl:sequence select="string-join(
      for $e in $node/ancestor-or-self::* return
        concat('/', name($e), '[', count($e/preceding-sibling::*[node-name(.) = node-name($e)]) + 1, ']'),
      '') || (if ($node instance of attribute()) then concat('/@', name($node)) else '')"/>
</xsl:function>
"""


def compile_schematron(sch_path: Path, phase: str | None = None) -> str:
    """The XSLT 3 stylesheet that checks a document against the schematron file ``sch_path``.

    The stylesheet's output is a ``bbf:findings`` element (namespace
    ``urn:bokbot:schematron-findings``) with one ``bbf:finding`` per failed assert.
    """
    try:
        schema = etree.parse(str(sch_path)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SchematronError(f"cannot read {sch_path.name}: {exc}") from exc
    _resolve_includes(schema, sch_path.parent)
    _instantiate_abstract_patterns(schema)
    _expand_abstract_rules(schema)

    nsmap: dict[str, str] = {
        "xsl": XSL_NS,
        "xs": "http://www.w3.org/2001/XMLSchema",
        "bbf": OUT_NS,
    }
    for prefix, uri in schema.nsmap.items():
        if prefix and prefix not in nsmap:
            nsmap[prefix] = uri
    for ns in schema.iter(_S + "ns"):
        nsmap[ns.get("prefix", "")] = ns.get("uri", "")

    sheet = etree.Element(_X + "stylesheet", nsmap=nsmap, version="3.0")
    sheet.set("exclude-result-prefixes", "#all")
    etree.SubElement(sheet, _X + "output", method="xml", indent="no")

    # Functions, keys and other XSLT declarations, then global lets, in document order.
    for child in schema:
        if isinstance(child.tag, str) and child.tag.startswith(_X):
            sheet.append(copy.deepcopy(child))
        elif _is_sch(child, "let"):
            sheet.append(_let_variable(child))
    sheet.append(etree.fromstring(_LOCATION_FUNCTION))

    patterns = _active_patterns(schema, phase)
    root = etree.SubElement(sheet, _X + "template", match="/")
    findings = etree.SubElement(root, _O + "findings")
    for number, pattern in enumerate(patterns, start=1):
        mode = f"bbf:p{number}"
        etree.SubElement(findings, _X + "apply-templates", select=".", mode=mode)
        for let in pattern.findall(_S + "let"):
            sheet.append(_let_variable(let))
        rules = [r for r in pattern if _is_sch(r, "rule")]
        check_no = 0
        for index, rule in enumerate(rules):
            template = etree.SubElement(
                sheet,
                _X + "template",
                match=rule.get("context", ""),
                mode=mode,
                priority=str(len(rules) - index + 1),
            )
            for item in rule:
                if _is_sch(item, "let"):
                    template.append(_let_variable(item))
                elif _is_sch(item, "assert") or _is_sch(item, "report"):
                    check_no += 1
                    template.append(_assertion(item, number, check_no))
            etree.SubElement(template, _X + "apply-templates", select="@* | *", mode=mode)
        walker = etree.SubElement(sheet, _X + "template", match="/ | @* | *", mode=mode, priority="-1")
        etree.SubElement(walker, _X + "apply-templates", select="@* | *", mode=mode)

    return etree.tostring(sheet, pretty_print=True, encoding="unicode")


# --------------------------------------------------------------------------------------------
# Running


_saxon_lock = threading.RLock()


@functools.cache
def _saxon() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


class SchematronValidator:
    """A compiled schematron schema, ready to check documents.

    >>> validator = SchematronValidator.from_file(path)          # doctest: +SKIP
    >>> [f.rule_id for f in validator.validate(xml_bytes) if f.is_fatal]  # doctest: +SKIP
    []
    """

    def __init__(self, name: str, xslt_text: str) -> None:
        self.name = name
        self.xslt_text = xslt_text
        with _saxon_lock:
            compiler = _saxon().new_xslt30_processor()
            try:
                self._executable: Any = compiler.compile_stylesheet(stylesheet_text=xslt_text)
            except Exception as exc:  # saxonche raises PySaxonApiError
                raise SchematronError(f"Saxon cannot compile the rules of {name}: {exc}") from exc
            if self._executable is None:  # pragma: no cover - older saxonche returns None
                raise SchematronError(f"Saxon cannot compile the rules of {name}")

    @classmethod
    def from_file(cls, sch_path: Path, phase: str | None = None, cache_dir: Path | None = None) -> SchematronValidator:
        """Compiles ``sch_path``; with ``cache_dir``, reuses (or writes) the XSLT text there."""
        source = sch_path.read_bytes()
        compiler = Path(__file__).read_bytes()
        key = hashlib.sha256(source + (phase or "").encode() + compiler).hexdigest()[:16]
        cached = cache_dir / f"{sch_path.stem}-{key}.xsl" if cache_dir else None
        if cached is not None and cached.is_file():
            return cls(sch_path.name, cached.read_text(encoding="utf-8"))
        text = compile_schematron(sch_path, phase)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(text, encoding="utf-8")
            except OSError:
                pass  # the cache is a convenience; a read-only tree still validates
        return cls(sch_path.name, text)

    def validate(self, document: bytes | str | etree._Element | etree._ElementTree) -> list[Finding]:
        """The findings of this schema for ``document`` (XML bytes, text or an lxml tree)."""
        text = _as_text(document)
        with _saxon_lock:
            proc = _saxon()
            try:
                node = proc.parse_xml(xml_text=text)
                self._executable.set_global_context_item(xdm_item=node)
                result = self._executable.apply_templates_returning_string(xdm_value=node)
            except Exception as exc:  # saxonche raises PySaxonApiError
                raise SchematronError(f"{self.name}: {exc}") from exc
        if result is None:
            raise SchematronError(f"{self.name}: the check produced no result")
        return _parse_findings(result)


def _as_text(document: bytes | str | etree._Element | etree._ElementTree) -> str:
    if isinstance(document, etree._ElementTree):
        document = document.getroot()
    if isinstance(document, etree._Element):
        return etree.tostring(document, encoding="unicode")
    try:
        root = etree.fromstring(document.encode() if isinstance(document, str) else document)
    except etree.XMLSyntaxError as exc:
        raise SchematronError(f"not well-formed XML: {exc}") from exc
    return etree.tostring(root, encoding="unicode")


def _parse_findings(result: str) -> list[Finding]:
    root = etree.fromstring(result.encode())
    return [
        Finding(
            rule_id=f.get("id", ""),
            flag=f.get("flag", ""),
            location=f.get("location", ""),
            message=" ".join("".join(str(t) for t in f.itertext()).split()),
        )
        for f in root.iter(_O + "finding")
    ]


# --------------------------------------------------------------------------------------------
# The PEPPOL BIS Billing 3.0 rules


@functools.cache
def peppol_validators() -> tuple[SchematronValidator, ...]:
    """The CEN EN 16931 and the PEPPOL BIS Billing 3.0 rules, compiled once per process."""
    sch_dir = shared_data.peppol_dir() / "sch"
    cache = shared_data.cache_dir()
    return tuple(
        SchematronValidator.from_file(sch_dir / name, cache_dir=cache / "schematron" if cache else None)
        for name in PEPPOL_SCHEMATRON_FILES
    )


def validate_ehf(document: bytes | str | etree._Element | etree._ElementTree) -> list[Finding]:
    """All findings of both PEPPOL schematron files (CEN first, then PEPPOL) for ``document``."""
    findings: list[Finding] = []
    for validator in peppol_validators():
        findings.extend(validator.validate(document))
    return findings


def fatal(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that make a document invalid."""
    return [f for f in findings if f.is_fatal]
