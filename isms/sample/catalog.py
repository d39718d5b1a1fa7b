"""The fictional organisation behind the sample ISMS: its assets, risk scenarios and KRIs.

Northwind Cloud Infrastructure runs IaaS, object storage and managed Kubernetes from three
European datacenters. The scenarios are the ones such a provider's annual risk assessment
really lists; control ids are ISO/IEC 27001:2022 Annex A ids (no titles), families NIST SP 800-53.
"""

# asset id, name, class, type, criticality, owner, location
ASSETS = [
    ("BP-01", "Customer VM provisioning", "Primary", "Business process", "Critical", "Head of Compute", "All regions"),
    ("BP-02", "Object storage service", "Primary", "Business process", "Critical", "Head of Storage", "All regions"),
    ("BP-03", "Managed Kubernetes service", "Primary", "Business process", "High", "Head of Containers", "All regions"),
    ("BP-04", "Billing and metering", "Primary", "Business process", "High", "Finance Systems Lead", "DC-FRA1"),
    ("BP-05", "Customer support", "Primary", "Business process", "Medium", "Head of Support", "London"),
    ("BP-06", "Change and release management", "Primary", "Activity", "High", "Head of Platform Engineering", "All regions"),
    ("AC-01", "Security incident response", "Primary", "Activity", "High", "Head of Security Operations", "All regions"),
    ("IN-01", "Customer data at rest", "Primary", "Information", "Critical", "Data Protection Officer", "All regions"),
    ("IN-02", "Cryptographic key material", "Primary", "Information", "Critical", "Head of Security Engineering", "DC-FRA1"),
    ("IN-03", "Customer account and billing data", "Primary", "Information", "High", "Data Protection Officer", "DC-FRA1"),
    ("IN-04", "Security logs and audit trails", "Primary", "Information", "High", "Head of Security Operations", "DC-AMS2"),
    ("IN-05", "Employee personal data", "Primary", "Information", "Medium", "HR Director", "London"),
    ("HW-01", "Hypervisor fleet", "Supporting", "Hardware", "Critical", "Head of Compute", "DC-FRA1, DC-AMS2, DC-DUB1"),
    ("HW-02", "Storage arrays", "Supporting", "Hardware", "Critical", "Head of Storage", "DC-FRA1, DC-AMS2"),
    ("HW-03", "Hardware security modules", "Supporting", "Hardware", "Critical", "Head of Security Engineering", "DC-FRA1, DC-AMS2"),
    ("SW-01", "Cloud control plane API", "Supporting", "Software", "Critical", "Head of Platform Engineering", "All regions"),
    ("SW-02", "Identity and access management platform", "Supporting", "Software", "Critical", "Head of Identity", "DC-FRA1"),
    ("SW-03", "CI/CD platform", "Supporting", "Software", "High", "Head of Platform Engineering", "DC-AMS2"),
    ("SW-04", "Monitoring and SIEM stack", "Supporting", "Software", "High", "Head of Security Operations", "DC-AMS2"),
    ("SW-05", "Backup system", "Supporting", "Software", "High", "Head of Storage", "DC-DUB1"),
    ("SW-06", "Customer web console", "Supporting", "Software", "High", "Head of Product Engineering", "All regions"),
    ("NW-01", "Backbone network", "Supporting", "Network", "Critical", "Head of Network Engineering", "All regions"),
    ("NW-02", "Edge routers and DDoS scrubbing", "Supporting", "Network", "Critical", "Head of Network Engineering", "All regions"),
    ("NW-03", "Corporate VPN", "Supporting", "Network", "Medium", "IT Manager", "London"),
    ("NW-04", "DNS infrastructure", "Supporting", "Network", "High", "Head of Network Engineering", "All regions"),
    ("PE-01", "SRE on-call team", "Supporting", "Personnel", "High", "Head of SRE", "All regions"),
    ("PE-02", "Datacenter operations staff", "Supporting", "Personnel", "Medium", "Head of Datacenter Operations", "DC-FRA1, DC-AMS2, DC-DUB1"),
    ("PE-03", "Privileged administrators", "Supporting", "Personnel", "Critical", "Head of Identity", "All regions"),
    ("PE-04", "Third-party contractors", "Supporting", "Personnel", "Medium", "Head of Procurement", "All regions"),
    ("FA-01", "DC-FRA1 Frankfurt datacenter", "Supporting", "Facility", "Critical", "Head of Datacenter Operations", "DC-FRA1"),
    ("FA-02", "DC-AMS2 Amsterdam datacenter", "Supporting", "Facility", "Critical", "Head of Datacenter Operations", "DC-AMS2"),
    ("FA-03", "DC-DUB1 Dublin datacenter", "Supporting", "Facility", "High", "Head of Datacenter Operations", "DC-DUB1"),
    ("FA-04", "Head office, London", "Supporting", "Facility", "Medium", "Facilities Manager", "London"),
    ("SV-01", "Colocation power and cooling contract", "Supporting", "Service", "Critical", "Head of Procurement", "DC-AMS2"),
    ("SV-02", "Content delivery network provider", "Supporting", "Service", "High", "Head of Network Engineering", "All regions"),
]

# title pattern, Annex A theme, controls, NIST family, likelihood base, consequence, assets
SCENARIOS = [
    ("Ransomware encrypts {a}", "A.8 Technological", "8.7, 8.13", "SI", 3, "prolonged outage and extortion", ["HW-02", "SW-05", "SW-03", "SW-06"]),
    ("Unpatched critical vulnerability exploited in {a}", "A.8 Technological", "8.8", "SI", 4, "unauthorised access to customer workloads", ["SW-01", "SW-06", "HW-01", "NW-02", "SW-02", "SW-04"]),
    ("Privileged credential compromise on {a}", "A.8 Technological", "8.2, 8.5", "IA", 3, "full administrative takeover", ["SW-01", "SW-02", "HW-01", "NW-01", "HW-03"]),
    ("Misconfiguration publicly exposes {a}", "A.8 Technological", "8.9", "CM", 3, "disclosure of customer data", ["IN-01", "IN-03", "IN-04", "SW-06"]),
    ("DDoS attack degrades {a}", "A.8 Technological", "8.20", "SC", 4, "breach of availability SLAs", ["BP-01", "BP-02", "SW-06", "NW-04"]),
    ("Insufficient logging delays detection on {a}", "A.8 Technological", "8.15, 8.16", "AU", 3, "late detection and weak forensic evidence", ["SW-01", "SW-02", "NW-01", "HW-03"]),
    ("Backup restore fails for {a}", "A.8 Technological", "8.13", "CP", 2, "permanent data loss after an incident", ["IN-01", "IN-03", "SW-02", "SW-04"]),
    ("Supply-chain compromise of the build pipeline for {a}", "A.8 Technological", "8.25, 8.28", "SR", 2, "malicious code shipped to production", ["SW-03", "SW-01", "SW-06"]),
    ("Weak or outdated encryption of {a}", "A.8 Technological", "8.24", "SC", 2, "disclosure of protected data", ["IN-01", "IN-02", "IN-03"]),
    ("Capacity exhaustion of {a}", "A.8 Technological", "8.6", "CP", 3, "failed customer provisioning", ["HW-01", "HW-02", "NW-01"]),
    ("Cross-tenant isolation failure in {a}", "A.8 Technological", "8.22", "SC", 2, "one customer reaching another's data", ["HW-01", "SW-01", "BP-03"]),
    ("Data leakage of {a} through unmanaged channels", "A.8 Technological", "8.12", "AC", 3, "regulatory fines and lost trust", ["IN-01", "IN-03", "IN-05"]),
    ("Unauthorised change deployed to {a}", "A.8 Technological", "8.32", "CM", 3, "outage or silent weakening of controls", ["SW-01", "NW-01", "SW-02", "NW-04"]),
    ("Clock drift corrupts the timeline of {a}", "A.8 Technological", "8.17", "AU", 2, "unusable evidence in investigations", ["IN-04"]),
    ("DNS hijacking of {a}", "A.8 Technological", "8.20, 8.21", "SC", 2, "customer traffic redirected to attackers", ["NW-04", "SW-06"]),
    ("Loss or disclosure of key material in {a}", "A.8 Technological", "8.24", "SC", 1, "decryption of customer data", ["HW-03", "IN-02"]),
    ("Secrets committed to the source code of {a}", "A.8 Technological", "8.4, 8.28", "IA", 3, "credential abuse from leaked secrets", ["SW-01", "SW-03", "SW-06", "SW-02"]),
    ("Web application attack on {a}", "A.8 Technological", "8.26, 8.29", "SI", 3, "account takeover and data theft", ["SW-06", "BP-04", "BP-05", "SW-01"]),
    ("Network segmentation gap around {a}", "A.8 Technological", "8.22", "SC", 2, "lateral movement to critical systems", ["HW-03", "IN-04", "SW-05"]),
    ("Vulnerability scanning misses {a}", "A.8 Technological", "8.8", "RA", 3, "unknown exposure to exploits", ["HW-01", "NW-02", "NW-04", "SW-05"]),
    ("Production data used in testing of {a}", "A.8 Technological", "8.33", "SA", 2, "personal data outside its controls", ["SW-03", "IN-01"]),
    ("Security requirements missed in new {a} features", "A.8 Technological", "8.26, 8.25", "SA", 3, "vulnerable features reaching customers", ["BP-03", "SW-06", "SW-01"]),
    ("Endpoint malware on devices of {a}", "A.8 Technological", "8.1, 8.7", "SI", 3, "a foothold into administrative networks", ["PE-01", "PE-03"]),
    ("Supplier security breach affecting {a}", "A.5 Organizational", "5.19, 5.21", "SR", 3, "compromise through a trusted third party", ["SV-01", "SV-02", "PE-04", "SW-04"]),
    ("Inadequate incident response for {a}", "A.5 Organizational", "5.24, 5.26", "IR", 3, "a contained event becoming a major incident", ["AC-01", "BP-01", "BP-02"]),
    ("Regulatory non-compliance in handling {a}", "A.5 Organizational", "5.31, 5.34", "PT", 2, "GDPR fines and supervisory action", ["IN-05", "IN-03", "IN-01"]),
    ("Untested business continuity plan for {a}", "A.5 Organizational", "5.29, 5.30", "CP", 3, "recovery far beyond the RTO", ["BP-01", "BP-02", "BP-04", "BP-03", "FA-01"]),
    ("Excessive access rights to {a}", "A.5 Organizational", "5.15, 5.18", "AC", 4, "misuse of privileges going unnoticed", ["SW-02", "IN-01", "IN-03", "SW-04", "HW-03"]),
    ("Asset inventory gaps for {a}", "A.5 Organizational", "5.9", "CM", 3, "unmanaged systems outside patching", ["HW-01", "NW-03", "SW-03"]),
    ("Cloud service provider failure affecting {a}", "A.5 Organizational", "5.23", "SA", 2, "loss of a dependent service", ["SV-02", "BP-02"]),
    ("Threat intelligence not acted on for {a}", "A.5 Organizational", "5.7", "RA", 3, "known campaigns succeeding", ["NW-02", "SW-06"]),
    ("Information classification not applied to {a}", "A.5 Organizational", "5.12, 5.13", "MP", 3, "sensitive data handled as public", ["IN-03", "IN-05"]),
    ("Undocumented operating procedures for {a}", "A.5 Organizational", "5.37", "PL", 3, "errors during routine and emergency work", ["BP-06", "BP-04"]),
    ("Audit evidence unavailable for {a}", "A.5 Organizational", "5.35, 5.36", "CA", 3, "qualified SOC 2 or ISO 27001 opinions", ["BP-01", "BP-04", "IN-04"]),
    ("Phishing compromises {a}", "A.6 People", "6.3", "AT", 4, "stolen credentials and mailbox access", ["PE-03", "PE-01", "PE-04", "FA-04"]),
    ("Insider misuse by {a}", "A.6 People", "6.4, 6.1", "PS", 2, "deliberate theft or sabotage", ["PE-03", "PE-02", "PE-04"]),
    ("Key-person dependency in {a}", "A.6 People", "6.2", "PS", 3, "inability to operate during absence", ["PE-01", "PE-03"]),
    ("Incomplete offboarding of {a}", "A.6 People", "6.5", "PS", 3, "former staff keeping access", ["PE-04", "PE-02"]),
    ("Remote working exposes {a}", "A.6 People", "6.7", "AC", 3, "data handled on unmanaged networks", ["NW-03", "IN-05"]),
    ("Security events not reported by {a}", "A.6 People", "6.8", "IR", 3, "incidents discovered weeks late", ["PE-02", "PE-04"]),
    ("Power failure at {a}", "A.7 Physical", "7.11", "PE", 2, "loss of all hosted services in the site", ["FA-01", "FA-02", "FA-03"]),
    ("Cooling failure at {a}", "A.7 Physical", "7.11, 7.5", "PE", 2, "thermal shutdown of racks", ["FA-01", "FA-02", "FA-03"]),
    ("Unauthorised physical access to {a}", "A.7 Physical", "7.1, 7.2", "PE", 2, "tampering with or theft of equipment", ["FA-01", "FA-02", "FA-03", "FA-04"]),
    ("Fire or flood damages {a}", "A.7 Physical", "7.5", "PE", 1, "destruction of the site", ["FA-01", "FA-02", "FA-03"]),
    ("Insecure disposal of {a}", "A.7 Physical", "7.14, 7.10", "MP", 2, "customer data on discarded media", ["HW-02", "HW-01"]),
    ("Cabling damage disrupts {a}", "A.7 Physical", "7.12", "PE", 2, "loss of connectivity between sites", ["NW-01", "FA-02"]),
    ("Theft of equipment from {a}", "A.7 Physical", "7.9", "PE", 2, "loss of laptops with sensitive data", ["FA-04"]),
    ("Equipment maintenance lapse at {a}", "A.7 Physical", "7.13", "MA", 3, "avoidable hardware failures", ["FA-01", "FA-02", "FA-03", "HW-02"]),
]

TREATMENT_PLANS = {
    "Reduce": [
        "Deploy {c} controls and verify their operation",
        "Harden configuration baseline and automate compliance checks",
        "Introduce monitoring and alerting with on-call runbooks",
        "Roll out phishing-resistant MFA and just-in-time access",
        "Close findings from the last penetration test",
        "Implement automated patch pipeline with staged rollout",
        "Segment the network and restrict management plane access",
        "Run quarterly restore and failover exercises",
    ],
    "Transfer": [
        "Extend cyber insurance cover to this scenario",
        "Contractual liability and SLA credits with the supplier",
    ],
    "Avoid": [
        "Decommission the legacy component and migrate workloads",
        "Withdraw the feature until redesigned",
    ],
    "Accept": [
        "Formal acceptance by the risk owner, reviewed annually",
    ],
}

PEOPLE = [
    "Priya Raman", "Tom Becker", "Elena Rossi", "Marcus Lindqvist", "Aoife Byrne", "Daniel Okafor",
    "Sofia Martins", "Jan de Vries", "Hannah Weber", "Luca Moretti", "Grace Chen", "Omar Haddad",
]

ASSESSORS = ["Risk team: A. Byrne", "Risk team: D. Okafor", "Internal audit: G. Chen"]

# Indicators measure operations (tickets, scans, reviews), never a figure the dashboard itself
# counts from the registers, so a KRI cannot contradict the scorecard beside it.
# id, name, theme, unit, direction, target, amber, red, cadence, start value, end value, noise
KRIS = [
    ("KRI-01", "Critical patch latency (median)", "A.8 Technological", "days", "Lower is better", 14, 21, 30, "Monthly", 34, 15, 3),
    ("KRI-02", "Hosts with endpoint protection", "A.8 Technological", "%", "Higher is better", 99, 97, 95, "Monthly", 93.5, 99.2, 0.6),
    ("KRI-03", "Mean time to detect", "A.8 Technological", "hours", "Lower is better", 4, 8, 24, "Monthly", 19, 5.5, 2),
    ("KRI-04", "Mean time to respond", "A.8 Technological", "hours", "Lower is better", 8, 16, 48, "Monthly", 30, 11, 4),
    ("KRI-05", "Failed backup jobs", "A.8 Technological", "%", "Lower is better", 1, 2, 5, "Monthly", 2.8, 0.9, 0.5),
    ("KRI-06", "Backup restore tests passed", "A.8 Technological", "%", "Higher is better", 100, 95, 90, "Quarterly", 88, 98, 3),
    ("KRI-07", "Privileged accounts with MFA", "A.8 Technological", "%", "Higher is better", 100, 99, 97, "Monthly", 95, 100, 0.5),
    ("KRI-08", "Open critical vulnerabilities", "A.8 Technological", "count", "Lower is better", 0, 5, 15, "Monthly", 22, 4, 3),
    ("KRI-09", "Vulnerability scan coverage", "A.8 Technological", "%", "Higher is better", 98, 95, 90, "Monthly", 87, 97.5, 1.2),
    ("KRI-10", "Log sources onboarded to SIEM", "A.8 Technological", "%", "Higher is better", 95, 90, 80, "Monthly", 72, 94, 1.5),
    ("KRI-11", "Storage encrypted at rest", "A.8 Technological", "%", "Higher is better", 100, 98, 95, "Monthly", 96, 100, 0.3),
    ("KRI-12", "Secrets detected in repositories", "A.8 Technological", "count", "Lower is better", 0, 3, 10, "Monthly", 12, 1, 2),
    ("KRI-13", "Configuration drift findings", "A.8 Technological", "count", "Lower is better", 10, 25, 50, "Monthly", 48, 14, 6),
    ("KRI-14", "Internet-facing apps behind WAF", "A.8 Technological", "%", "Higher is better", 100, 95, 90, "Monthly", 90, 99, 1),
    ("KRI-15", "Certificates expiring within 14 days", "A.8 Technological", "count", "Lower is better", 0, 2, 5, "Monthly", 3, 0, 1.2),
    ("KRI-16", "DDoS mitigation time", "A.8 Technological", "minutes", "Lower is better", 5, 10, 20, "Monthly", 14, 4, 2),
    ("KRI-17", "Unauthorised changes detected", "A.8 Technological", "count", "Lower is better", 0, 2, 5, "Monthly", 4, 1, 1.2),
    ("KRI-18", "Privileged sessions recorded", "A.8 Technological", "%", "Higher is better", 100, 98, 95, "Monthly", 91, 99.6, 1),
    ("KRI-19", "Control plane availability", "A.8 Technological", "%", "Higher is better", 99.99, 99.95, 99.9, "Monthly", 99.94, 99.985, 0.02),
    ("KRI-20", "Internet-facing hosts patch latency", "A.8 Technological", "days", "Lower is better", 7, 14, 21, "Monthly", 16, 6, 2),
    ("KRI-21", "Critical suppliers with current assessment", "A.5 Organizational", "%", "Higher is better", 90, 80, 70, "Monthly", 82, 66, 2.5),
    ("KRI-22", "Firewall rule reviews overdue", "A.5 Organizational", "count", "Lower is better", 0, 2, 5, "Monthly", 1, 4, 1),
    ("KRI-23", "Access reviews completed on time", "A.5 Organizational", "%", "Higher is better", 100, 95, 85, "Monthly", 84, 97, 3),
    ("KRI-24", "Incidents closed within SLA", "A.5 Organizational", "%", "Higher is better", 95, 90, 80, "Monthly", 83, 93, 3),
    ("KRI-25", "Audit findings past due", "A.5 Organizational", "count", "Lower is better", 0, 3, 8, "Monthly", 9, 2, 1.5),
    ("KRI-26", "Remediation tickets past SLA", "A.5 Organizational", "count", "Lower is better", 0, 5, 10, "Monthly", 3, 12, 1),
    ("KRI-27", "Business continuity tests completed", "A.5 Organizational", "%", "Higher is better", 100, 90, 75, "Quarterly", 60, 92, 6),
    ("KRI-28", "Orphaned accounts", "A.5 Organizational", "count", "Lower is better", 0, 5, 15, "Monthly", 21, 3, 3),
    ("KRI-29", "Assets without an owner", "A.5 Organizational", "%", "Lower is better", 1, 3, 5, "Monthly", 6.5, 1.2, 0.5),
    ("KRI-30", "Data subject requests answered in time", "A.5 Organizational", "%", "Higher is better", 100, 95, 90, "Monthly", 94, 99, 1.5),
    ("KRI-31", "Security awareness training completion", "A.6 People", "%", "Higher is better", 95, 90, 80, "Monthly", 78, 96, 2.5),
    ("KRI-32", "Phishing simulation click rate", "A.6 People", "%", "Lower is better", 3, 5, 10, "Monthly", 14, 3.5, 1.5),
    ("KRI-33", "Phishing simulations reported", "A.6 People", "%", "Higher is better", 70, 50, 30, "Monthly", 28, 68, 4),
    ("KRI-34", "Leavers' access removed within 24 hours", "A.6 People", "%", "Higher is better", 100, 95, 90, "Monthly", 88, 98.5, 2),
    ("KRI-35", "Background checks completed before start", "A.6 People", "%", "Higher is better", 100, 98, 95, "Monthly", 97, 100, 1),
    ("KRI-36", "Datacenter badge access anomalies", "A.7 Physical", "count", "Lower is better", 0, 3, 8, "Monthly", 5, 1, 1.5),
    ("KRI-37", "UPS battery tests passed", "A.7 Physical", "%", "Higher is better", 100, 95, 90, "Monthly", 96, 99, 1.5),
    ("KRI-38", "Cooling alarms", "A.7 Physical", "count", "Lower is better", 2, 5, 10, "Monthly", 4, 3, 1.2),
    ("KRI-39", "CCTV coverage of restricted areas", "A.7 Physical", "%", "Higher is better", 100, 98, 95, "Monthly", 97, 100, 0.6),
    ("KRI-40", "Generator load tests completed", "A.7 Physical", "%", "Higher is better", 100, 90, 75, "Quarterly", 80, 100, 5),
]

KRI_OWNERS = {
    "A.8 Technological": "Head of Security Operations",
    "A.5 Organizational": "Head of GRC",
    "A.6 People": "HR Director",
    "A.7 Physical": "Head of Datacenter Operations",
}

POLICIES = [
    ("Patch management standard", "A.8.8"),
    ("Password and authentication standard", "A.5.17"),
    ("Encryption standard", "A.8.24"),
    ("Logging and monitoring standard", "A.8.15"),
    ("Remote access policy", "A.6.7"),
    ("Supplier security policy", "A.5.19"),
    ("Backup standard", "A.8.13"),
    ("Secure development policy", "A.8.25"),
    ("Access control policy", "A.5.15"),
    ("Physical security standard", "A.7.2"),
]
