"""`python -m isms.catalogs.build [--source DIR] [--out DIR]`: the shipped catalogs, made compact.

Reads the public-domain OSCAL files described in the source folder's SOURCES.md (NIST SP 800-53
Rev 5 and its LOW / MODERATE / HIGH / PRIVACY baselines, FedRAMP Rev 5 baselines, NIST CSF 2.0)
and writes one small JSON file per framework to data/catalogs/, which the repository commits. The
app never reads OSCAL at run time: a 3 MB catalog parsed on every start is slow, and the files
here say plainly what is shipped. ISO/IEC 27001:2022 Annex A ships as ids and short titles only
(the control text is ISO's); its ids and themes come from isms.models, the titles from here.

Withdrawn 800-53 and CSF items are left out: they are not requirements any more.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from isms.annex_a_2013 import SUCCESSORS
from isms.catalogs.oscal import catalog_requirements, families, profile_ids
from isms.models import ANNEX_A_CONTROL_COUNT, AnnexATheme

SOURCE = Path("/work/shared/catalogs")
OUT = Path(__file__).resolve().parents[2] / "data" / "catalogs"

# ISO/IEC 27001:2022 Annex A short titles (the names ISO gives each control; no control text).
ANNEX_A_TITLES = {
    "5.1": "Policies for information security", "5.2": "Information security roles and responsibilities",
    "5.3": "Segregation of duties", "5.4": "Management responsibilities", "5.5": "Contact with authorities",
    "5.6": "Contact with special interest groups", "5.7": "Threat intelligence",
    "5.8": "Information security in project management",
    "5.9": "Inventory of information and other associated assets",
    "5.10": "Acceptable use of information and other associated assets", "5.11": "Return of assets",
    "5.12": "Classification of information", "5.13": "Labelling of information", "5.14": "Information transfer",
    "5.15": "Access control", "5.16": "Identity management", "5.17": "Authentication information",
    "5.18": "Access rights", "5.19": "Information security in supplier relationships",
    "5.20": "Addressing information security within supplier agreements",
    "5.21": "Managing information security in the ICT supply chain",
    "5.22": "Monitoring, review and change management of supplier services",
    "5.23": "Information security for use of cloud services",
    "5.24": "Information security incident management planning and preparation",
    "5.25": "Assessment and decision on information security events",
    "5.26": "Response to information security incidents", "5.27": "Learning from information security incidents",
    "5.28": "Collection of evidence", "5.29": "Information security during disruption",
    "5.30": "ICT readiness for business continuity",
    "5.31": "Legal, statutory, regulatory and contractual requirements", "5.32": "Intellectual property rights",
    "5.33": "Protection of records", "5.34": "Privacy and protection of PII",
    "5.35": "Independent review of information security",
    "5.36": "Compliance with policies, rules and standards for information security",
    "5.37": "Documented operating procedures",
    "6.1": "Screening", "6.2": "Terms and conditions of employment",
    "6.3": "Information security awareness, education and training", "6.4": "Disciplinary process",
    "6.5": "Responsibilities after termination or change of employment",
    "6.6": "Confidentiality or non-disclosure agreements", "6.7": "Remote working",
    "6.8": "Information security event reporting",
    "7.1": "Physical security perimeters", "7.2": "Physical entry", "7.3": "Securing offices, rooms and facilities",
    "7.4": "Physical security monitoring", "7.5": "Protecting against physical and environmental threats",
    "7.6": "Working in secure areas", "7.7": "Clear desk and clear screen", "7.8": "Equipment siting and protection",
    "7.9": "Security of assets off-premises", "7.10": "Storage media", "7.11": "Supporting utilities",
    "7.12": "Cabling security", "7.13": "Equipment maintenance", "7.14": "Secure disposal or re-use of equipment",
    "8.1": "User endpoint devices", "8.2": "Privileged access rights", "8.3": "Information access restriction",
    "8.4": "Access to source code", "8.5": "Secure authentication", "8.6": "Capacity management",
    "8.7": "Protection against malware", "8.8": "Management of technical vulnerabilities",
    "8.9": "Configuration management", "8.10": "Information deletion", "8.11": "Data masking",
    "8.12": "Data leakage prevention", "8.13": "Information backup",
    "8.14": "Redundancy of information processing facilities", "8.15": "Logging", "8.16": "Monitoring activities",
    "8.17": "Clock synchronization", "8.18": "Use of privileged utility programs",
    "8.19": "Installation of software on operational systems", "8.20": "Networks security",
    "8.21": "Security of network services", "8.22": "Segregation of networks", "8.23": "Web filtering",
    "8.24": "Use of cryptography", "8.25": "Secure development life cycle",
    "8.26": "Application security requirements",
    "8.27": "Secure system architecture and engineering principles", "8.28": "Secure coding",
    "8.29": "Security testing in development and acceptance", "8.30": "Outsourced development",
    "8.31": "Separation of development, test and production environments", "8.32": "Change management",
    "8.33": "Test information", "8.34": "Protection of information systems during audit testing",
}

NIST_BASELINES = ("LOW", "MODERATE", "HIGH", "PRIVACY")
FEDRAMP_BASELINES = ("LOW", "MODERATE", "HIGH", "LI-SaaS")


def annex_a() -> dict:
    """Annex A from the ids and themes isms.models knows, with the short titles above."""
    themes = {t.value[2]: t.value for t in AnnexATheme}
    ids = [f"{d}.{n}" for d, count in ANNEX_A_CONTROL_COUNT.items() for n in range(1, count + 1)]
    if set(ids) != set(ANNEX_A_TITLES):
        raise SystemExit("Annex A titles and ids disagree: " + str(set(ids) ^ set(ANNEX_A_TITLES)))
    known = {c for succ in SUCCESSORS.values() for c in succ}
    if not known <= set(ids):
        raise SystemExit(f"2013 successors outside the 2022 ids: {known - set(ids)}")
    return _framework("ISO27001-2022", "ISO/IEC 27001:2022 Annex A", "2022",
                      "ids and short titles only (the control text is ISO's)",
                      {themes[d]: themes[d] for d in themes},
                      [[f"A.{i}", None, ANNEX_A_TITLES[i], themes[i[0]], None] for i in ids])


def _framework(code: str, name: str, version: str, source: str, fams: dict, rows: list) -> dict:
    return {"framework": code, "name": name, "version": version, "licence": "shipped", "source": source,
            "families": fams, "columns": ["ref", "parent", "title", "family", "text"], "requirements": rows}


def nist(source: Path) -> list[dict]:
    doc = json.loads((source / "NIST_SP-800-53_rev5_catalog.json").read_text())
    meta = doc["catalog"]["metadata"]
    reqs, _ = catalog_requirements(doc)
    fams = families(doc)
    by_id = {r.oscal_id: r for r in reqs}
    out = [_framework("NIST-800-53r5", "NIST SP 800-53 Rev 5", meta["version"],
                      "usnistgov/oscal-content NIST_SP-800-53_rev5_catalog.json (public domain)", fams,
                      [[r.ref, r.parent, r.title, r.family, r.text] for r in reqs])]
    profiles = [(f"NIST-800-53r5-{b}", f"NIST SP 800-53 Rev 5 {b} baseline", f"NIST_SP-800-53_rev5_{b}-baseline_profile.json")
                for b in NIST_BASELINES]
    profiles += [(f"FedRAMP-r5-{b}", f"FedRAMP Rev 5 {b} baseline", f"FedRAMP_rev5_{b}-baseline_profile.json")
                 for b in FEDRAMP_BASELINES]
    for code, name, file in profiles:
        prof = json.loads((source / file).read_text())
        ids = profile_ids(prof)
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise SystemExit(f"{file}: ids not in the catalog (or withdrawn there): {missing[:5]}")
        # text stays with the full catalog (NIST-800-53r5); a baseline is a selection of it
        rows = [[by_id[i].ref, by_id[i].parent, by_id[i].title, by_id[i].family, None] for i in ids]
        out.append(_framework(code, name, prof["profile"]["metadata"]["version"],
                              f"{file} (public domain), selecting from NIST SP 800-53 Rev 5", fams, rows))
    return out


def csf(source: Path) -> dict:
    doc = json.loads((source / "NIST_CSF_v2.0_catalog-min.json").read_text())
    reqs, _ = catalog_requirements(doc)
    return _framework("NIST-CSF-2.0", "NIST Cybersecurity Framework 2.0", doc["catalog"]["metadata"]["version"],
                      "usnistgov/oscal-content NIST_CSF_v2.0_catalog-min.json (public domain)", families(doc),
                      [[r.ref, r.parent, r.title, r.family, r.text] for r in reqs])


def build(source: Path = SOURCE, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fw in [annex_a(), *nist(source), csf(source)]:
        path = out / f"{fw['framework']}.json"
        path.write_text(json.dumps(fw, ensure_ascii=False, separators=(",", ":")) + "\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m isms.catalogs.build", description=__doc__.splitlines()[0])
    p.add_argument("--source", type=Path, default=SOURCE, help=f"folder of OSCAL files (default {SOURCE})")
    p.add_argument("--out", type=Path, default=OUT, help="where the compact files go (default data/catalogs)")
    args = p.parse_args(argv)
    for path in build(args.source, args.out):
        n = len(json.loads(path.read_text())["requirements"])
        print(f"{path.name}: {n} requirements, {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
