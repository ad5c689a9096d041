"""The notice stage: the resolved model as sections of statements, each backed by source spans.

`compose(model)` (in `policyc.notice.compose`) makes the `Notice` that the Markdown and HTML
backends render; `policyc.notice.trace` writes where each published statement comes from; the CCPA
sections are made in `policyc.notice.ccpa`; plain-English helpers live in `policyc.notice.english`.
"""
