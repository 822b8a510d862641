"""The words the demo company is written in: company and people names, titles, comments.

Kept apart from the simulation so that the models read as behaviour, not as word lists.
Nothing here starts with =, +, - or @, which the loader refuses as spreadsheet formulas.
"""

from __future__ import annotations

import numpy as np

COMPANY_FIRST = (
    "Northwind", "Blue Harbor", "Summit", "Ironwood", "Brightline", "Cedar", "Redwood", "Silver Lake",
    "Granite", "Harbor Point", "Meridian", "Oakridge", "Pinecrest", "Riverbend", "Stonebridge", "Sunrise",
    "Tidewater", "Westfield", "Evergreen", "Lakeshore", "Highland", "Crescent", "Falcon", "Golden Gate",
    "Horizon", "Keystone", "Lighthouse", "Maple", "Northstar", "Orchard", "Pioneer", "Quarry", "Ridgeway",
    "Sapphire", "Trident", "Union", "Vantage", "Willow", "Aspen", "Beacon", "Cobalt", "Driftwood",
    "Elm Street", "Foxglove", "Greenfield", "Hawthorne", "Juniper", "Kestrel", "Larkspur", "Mosaic",
)
COMPANY_SECOND = (
    "Logistics", "Health", "Capital", "Foods", "Systems", "Media", "Labs", "Energy", "Retail", "Analytics",
    "Manufacturing", "Insurance", "Learning", "Networks", "Robotics", "Realty", "Pharma", "Outfitters",
    "Consulting", "Software", "Freight", "Clinics", "Brands", "Studios", "Mobility", "Security", "Water",
    "Biotech", "Partners", "Markets",
)
COMPANY_SUFFIX = ("Inc.", "Group", "Ltd", "Co.", "Holdings", "LLC", "Corp.", "")
SUBSIDIARY_SUFFIX = {"NA": "US", "EMEA": "Europe", "APAC": "Asia Pacific", "LATAM": "Latin America"}

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Olivia", "Liam", "Sofia", "Noah", "Priya", "Lucas", "Emma", "Mateo",
    "Hana", "Ethan", "Chloe", "Omar", "Ava", "Daniel", "Yuki", "Grace", "Samuel", "Leila", "Jonas", "Nina",
    "Diego", "Zara", "Felix", "Amara", "Henry", "Ines", "Ravi", "Clara", "Tomas", "Mei", "Oscar", "Freya",
    "Kofi", "Elena", "Marcus", "Ingrid",
)
LAST_NAMES = (
    "Lopez", "Smith", "Khan", "Chen", "Brown", "Muller", "Rossi", "Garcia", "Patel", "Silva", "Johnson",
    "Kim", "Nakamura", "Dubois", "Okafor", "Novak", "Andersson", "Haddad", "Costa", "Murphy", "Singh",
    "Ivanova", "Fischer", "Moreau", "Tanaka", "Schmidt", "Nguyen", "Wilson", "Jensen", "Mendes",
)

INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education",
              "Media", "Logistics", "Professional Services", "Public Sector")

CONTACT_TITLES = {
    "champion": ("Head of Operations", "Director of Customer Experience", "Operations Manager",
                 "Director of Revenue Operations", "Head of Analytics"),
    "exec_sponsor": ("Chief Operating Officer", "VP Operations", "Chief Financial Officer",
                     "Chief Information Officer", "VP Customer Success"),
    "admin": ("Systems Administrator", "IT Manager", "Business Systems Analyst"),
    "power_user": ("Operations Analyst", "Senior Analyst", "Team Lead", "Data Analyst"),
    "user": ("Account Manager", "Coordinator", "Specialist", "Associate", "Project Manager"),
}

NPS_COMMENTS = {
    "detractor": ("Too hard to get value from it", "Support takes too long", "Missing integrations we need",
                  "Price does not match what we use", "Our team stopped using it"),
    "passive": ("Does the job", "Good but could be simpler", "Reporting needs work", "Fine for now"),
    "promoter": ("Our team relies on it daily", "Great support from our CSM", "Saves us hours every week",
                 "The automation features are excellent"),
}


def pick(rng: np.random.Generator, words: tuple[str, ...], size: int) -> np.ndarray:
    """`size` words drawn uniformly, as an object array (ready for Arrow)."""
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]


def slug(name: str) -> str:
    """A name as an e-mail domain label: lower case letters and digits joined by hyphens."""
    return "-".join("".join(ch for ch in word if ch.isalnum()) for word in name.lower().split()).strip("-")


def company_names(rng: np.random.Generator, count: int) -> np.ndarray:
    """Company names such as "Summit Labs Inc."; not yet distinct (see `distinct`)."""
    names = pick(rng, COMPANY_FIRST, count) + " " + pick(rng, COMPANY_SECOND, count)
    suffix = pick(rng, COMPANY_SUFFIX, count)
    return np.array([f"{name} {end}".strip() for name, end in zip(names, suffix, strict=True)], dtype=object)


def distinct(names: np.ndarray) -> np.ndarray:
    """Names made unique in order: the second "Summit Labs Inc." becomes "Summit Labs Inc. 2"."""
    seen: dict[str, int] = {}
    out = np.empty(len(names), dtype=object)
    for i, name in enumerate(names):
        seen[name] = seen.get(name, 0) + 1
        out[i] = name if seen[name] == 1 else f"{name} {seen[name]}"
    return out
