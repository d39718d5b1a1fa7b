"""Reading an OSCAL catalog (NIST SP 800-53, CSF 2.0, or any a user imports) into requirement rows.

Props and links are looked up by name anywhere in an item, never at fixed positions (SOURCES.md,
section 5). Withdrawn items are not requirements: they are left out, and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PARAM = re.compile(r"\{\{\s*insert:\s*param,\s*([^}\s]+)\s*\}\}")


@dataclass(frozen=True)
class Requirement:
    ref: str            # as people write it: AC-2(1), GV.OC-01, A.5.15
    parent: str | None  # the enhancement's control, the subcategory's category
    title: str
    family: str         # the group: 800-53 family, CSF function, Annex A theme
    text: str | None = None
    oscal_id: str | None = None


def prop(item: dict, name: str) -> str | None:
    return next((p.get("value") for p in item.get("props", []) if p.get("name") == name), None)


def withdrawn(item: dict) -> bool:
    return (prop(item, "status") or "").lower() == "withdrawn"


def _prose(part: dict, params: dict[str, str]) -> list[str]:
    """A statement as text: each item's label and prose, depth first, parameters as [their label]."""
    out = []
    label = prop(part, "label")
    if part.get("prose"):
        text = _PARAM.sub(lambda m: f"[{params.get(m.group(1), m.group(1))}]", part["prose"])
        out.append(f"{label} {text}" if label else text)
    for sub in part.get("parts", []):
        out.extend(_prose(sub, params))
    return out


def statement(item: dict, params: dict[str, str]) -> str | None:
    for part in item.get("parts", []):
        if part.get("name") == "statement":
            return " ".join(_prose(part, params)) or None
    return None


def _params(item: dict) -> dict[str, str]:
    out = {}
    for p in item.get("params", []):
        if p.get("label"):
            out[p["id"]] = p["label"]
        elif p.get("select"):
            out[p["id"]] = "one or more of: " + "; ".join(str(c) for c in p["select"].get("choice", []))
    return out


def catalog_requirements(doc: dict[str, Any], *, with_text: bool = True) -> tuple[list[Requirement], int]:
    """Every item of a catalog that is not withdrawn, parents before children, and how many were
    withdrawn. Controls directly under the catalog (no groups) take their own id as family."""
    cat = doc.get("catalog", doc)
    out: list[Requirement] = []
    gone = 0

    def walk(items: list[dict], parent: str | None, family: str) -> None:
        nonlocal gone
        for item in items:
            if withdrawn(item):
                gone += 1 + sum(1 for _ in _all(item.get("controls", [])))
                continue
            ref = _ref(item)
            title = item.get("title") or ref
            text = statement(item, _params(item)) if with_text else None
            if title == item.get("id") and text:  # CSF subcategories are titled by their id
                title = text
            out.append(Requirement(ref, parent, title[:300], family, text, item.get("id")))
            walk(item.get("controls", []), ref, family)

    for group in cat.get("groups", []):
        walk(group.get("controls", []), None, group.get("id", "").upper())
        for sub in group.get("groups", []):  # nested groups: their controls keep the top family
            walk(sub.get("controls", []), None, group.get("id", "").upper())
    walk(cat.get("controls", []), None, "")
    return out, gone


def _all(items: list[dict]):
    for item in items:
        yield item
        yield from _all(item.get("controls", []))


def _ref(item: dict) -> str:
    """The display label (AC-2(1)) where the catalog gives one as an id, else the id itself. CSF
    category labels read 'Organizational Context (GV.OC)': the id is what people cite."""
    label = prop(item, "label")
    if label and " " not in label.strip():
        return label.strip()
    return item["id"]


def families(doc: dict[str, Any]) -> dict[str, str]:
    cat = doc.get("catalog", doc)
    return {g.get("id", "").upper(): g.get("title", "") for g in cat.get("groups", [])}


def profile_ids(doc: dict[str, Any]) -> list[str]:
    """The control ids a profile selects: the union of every include-controls with-ids, in order."""
    seen: dict[str, None] = {}
    for imp in doc["profile"].get("imports", []):
        for inc in imp.get("include-controls", []):
            for cid in inc.get("with-ids", []):
                seen.setdefault(cid, None)
    return list(seen)
