"""One diagnostic model for every stage: spans, labels, severities."""

from policyc.diagnostics.model import Diagnostic, Edit, Fix, Label, Severity, Span

__all__ = ["Diagnostic", "Edit", "Fix", "Label", "Severity", "Span"]
