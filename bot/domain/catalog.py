"""Role resolution: every name a user might type for a role, and helpful suggestions when none fits."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.domain.role import Role
from bot.domain.text import normalize_key


@dataclass(frozen=True)
class Resolved:
    role: Role


@dataclass(frozen=True)
class NotFound:
    query: str
    suggestions: tuple[Role, ...]


Resolution = Resolved | NotFound

COMMON_CUTOFF = 0.75


def role_names(role: Role) -> set[str]:
    """Every name that should open this role: slug, short name, aliases, title parts and acronyms."""
    names = {role.slug, role.title, role.short_title, role.name, *role.aliases}
    if role.source is not None:
        names.add(role.source.stem)
    # "ciso_project_position" → "ciso": the first word of a slug is the name people say.
    names.add(role.slug.split("_")[0] if role.slug.endswith("_project_position") else role.slug)
    # "CISO（Chief Information Security Officer, 最高情報セキュリティ責任者）…" → each part in brackets.
    for inner in re.findall(r"[（(]([^）)]*)[）)]", role.title):
        names.update(part.strip() for part in re.split(r"[,、，]", inner) if part.strip())
    return {n for n in names if normalize_key(n)}


class RoleCatalog:
    """All loaded documents, looked up by any of their names, case- and width-insensitively.

    `roles` are the job roles (listed, shown in Home, drawn by `all`); the common questions every
    interview asks (`kind: common`) are looked up like a role but are not one of them."""

    def __init__(self, roles: tuple[Role, ...] | list[Role]):
        self.documents: tuple[Role, ...] = tuple(sorted(roles, key=lambda r: r.slug))
        self.roles: tuple[Role, ...] = tuple(r for r in self.documents if not r.is_common)
        self.common: Role | None = next((r for r in self.documents if r.is_common), None)
        self._by_slug = {r.slug: r for r in self.documents}
        owners: dict[str, set[str]] = {}
        for role in self.documents:
            for name in role_names(role):
                owners.setdefault(normalize_key(name), set()).add(role.slug)
        # A name two roles share opens neither: it is offered as a suggestion instead.
        self._by_key = {key: self._by_slug[next(iter(slugs))] for key, slugs in owners.items() if len(slugs) == 1}
        self.ambiguous_keys = frozenset(key for key, slugs in owners.items() if len(slugs) > 1)
        self._owners = owners

    def for_team(self, *, team_id: str) -> RoleCatalog:
        """The documents as one workspace sees them, its own questions (チームの質問) included.
        Without any (this catalog alone), the documents themselves."""
        return self

    def owners_of(self, key: str) -> frozenset[str]:
        """The slugs of the roles a normalised name fits."""
        return frozenset(self._owners.get(key, ()))

    def __len__(self) -> int:
        return len(self.roles)

    def by_slug(self, slug: str) -> Role | None:
        return self._by_slug.get(slug)

    def resolve(self, query: str) -> Resolution:
        key = normalize_key(query)
        if key in self._by_key:
            return Resolved(self._by_key[key])
        return NotFound(query, self.suggest(key))

    def suggest(self, key: str, limit: int = 3) -> tuple[Role, ...]:
        if not key:
            return ()
        found: list[str] = []
        for owner_key, slugs in self._owners.items():
            if key in owner_key or (len(owner_key) >= 2 and owner_key in key):
                found.extend(sorted(slugs))
        for close in difflib.get_close_matches(key, list(self._owners), n=limit * 2, cutoff=0.6):
            # A typo of a role's name should not also offer the common questions: for them, ask
            # for a closer match.
            common = self.common.slug if self.common else None
            near = difflib.SequenceMatcher(None, key, close).ratio() >= COMMON_CUTOFF
            found.extend(sorted(s for s in self._owners[close] if s != common or near))
        unique = list(dict.fromkeys(found))
        return tuple(self._by_slug[s] for s in unique[:limit])
