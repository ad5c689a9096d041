"""A001–A002: user assertions (evaluated in policyc.assertions)."""
