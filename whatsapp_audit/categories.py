"""The 15 finding categories (../shared/CATEGORIES.md). The ids are output contract."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: str
    clause: str


CATEGORIES: dict[str, Category] = {c.id: c for c in (
    Category("personal-names", "Children's / third-party names",
             "children's names and personal details should never be used"),
    Category("personal-details", "Personal details",
             "children's names and personal details should never be used"),
    Category("political", "Political narrative", "refrain from political narrative"),
    Category("humour", "Humour, jokes, memes", "humour / jokes / memes should not be shared"),
    Category("off-topic", "Open chat / off-topic", "should not become an open chat space"),
    Category("grievance", "Grievances", "must not be used to air grievances"),
    Category("policy-challenge", "Public challenge to school policy", "publicly challenge school policies"),
    Category("family-matters", "Individual children / family matters",
             "discuss issues about individual children/families, including your own child/family"),
    Category("abusive", "Abusive, personal or defamatory comments",
             "Post abusive or personal comments about staff, pupils (including your own child) or other people"),
    Category("discriminatory", "Discriminatory or racist content",
             "Circulate or initiate postings that have abusive, discriminatory or racist content"),
    Category("threatening", "Threatening or intimidating language",
             "Use behaviour or language which could be interpreted as threatening or intimidating"),
    Category("non-school-activity", "Non-school activity",
             "nor to co-ordinate parent involvement in non-school related activity"),
    Category("media", "Images / media (check for pupils)", "Identify or post images/videos of pupils"),
    Category("membership", "Membership", "must include only current class parents"),
    Category("investigation-posting", "Posting during an investigation",
             "all parties involved are requested not to make any postings"),
)}
