"""policyc: a compiler for privacy policies written as code."""

__version__ = "0.1.0"
