"""One diagnostic model for every stage: spans, labels, severities."""

from policyc.diagnostics.model import Diagnostic, Label, Severity, Span

__all__ = ["Diagnostic", "Label", "Severity", "Span"]
