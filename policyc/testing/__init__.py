"""Property-based testing for policies: Hypothesis strategies that generate well-typed policies.

    from hypothesis import given
    from policyc.testing import policies, print_module

    @given(policies(jurisdictions=["uk_gdpr"]))
    def test_my_template_renders(tree):
        text = print_module(tree)
        ...

Needs Hypothesis (`pip install policyc[testing]`). See docs/testing.md for the strategies, their
parameters, the tree helpers and the mutation helpers.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as err:  # pragma: no cover - the dev and testing extras install it
    raise ImportError("policyc.testing needs Hypothesis: pip install 'policyc[testing]'") from err

from policyc.testing.mutations import (
    Mutation,
    add_recipient,
    add_special_data,
    basis_removals,
    remove_basis,
    special_data_additions,
    unsafe_transfers,
)
from policyc.testing.strategies import (
    contacts,
    controllers,
    cookies,
    data_flags,
    dates,
    decisions,
    durations,
    emails,
    identifiers,
    jurisdiction_sets,
    personal_data,
    phones,
    phrases,
    policies,
    policies_with_text,
    policy_decls,
    policy_texts,
    prose,
    purposes,
    recipients,
    retentions,
    rights_blocks,
    sections,
    security_blocks,
    sources,
    titles,
    urls,
)
from policyc.testing.trees import (
    NOWHERE,
    decls_of,
    field_words,
    find_decl,
    parse_module,
    print_module,
    same_tree,
    strip_spans,
)
from policyc.testing.vocabulary import Grounds, Vocabulary, vocabulary

__all__ = [
    "NOWHERE",
    "Grounds",
    "Mutation",
    "Vocabulary",
    "add_recipient",
    "add_special_data",
    "basis_removals",
    "contacts",
    "controllers",
    "cookies",
    "data_flags",
    "dates",
    "decisions",
    "decls_of",
    "durations",
    "emails",
    "field_words",
    "find_decl",
    "identifiers",
    "jurisdiction_sets",
    "parse_module",
    "personal_data",
    "phones",
    "phrases",
    "policies",
    "policies_with_text",
    "policy_decls",
    "policy_texts",
    "print_module",
    "prose",
    "purposes",
    "recipients",
    "remove_basis",
    "retentions",
    "rights_blocks",
    "same_tree",
    "sections",
    "security_blocks",
    "sources",
    "special_data_additions",
    "strip_spans",
    "titles",
    "unsafe_transfers",
    "urls",
    "vocabulary",
]
