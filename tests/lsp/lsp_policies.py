"""Policies the language-server tests open."""

from __future__ import annotations

# A clean UK policy.
BASE = '''use uk_gdpr

# Who we are.
policy { controller acme; jurisdictions uk_gdpr; shares_with none }
controller acme "Acme Ltd" { email "privacy@acme.example"; authority ico }

# Orders placed in the shop.
# Kept for the limitation period.
data orders "Order details" {
  includes "items ordered", "delivery address"; source subject; required_for contract
  if_not_provided "We cannot deliver your order."
}

purpose delivery "Delivering your orders" {
  uses orders
  basis contract
  retain 6 years after contract_end
}
'''

# A transfer to India with no safeguard (P040 under the UK GDPR).
TRANSFER = '''use uk_gdpr

policy { controller acme; jurisdictions uk_gdpr }
controller acme "Acme Ltd" { email "privacy@acme.example"; authority ico }

data enquiries "Your enquiries" { includes "your message"; source subject; required_for optional }

recipient helpdesk "Customer support centre" {
  role processor; legal_name "HelpDesk Services Pvt Ltd"
  country IN  # Bangalore
}

purpose support "Answering your questions" {
  uses enquiries; basis contract; shares_with helpdesk; retain 2 years after last_contact
}
'''

# The same transfer seen by both laws (P040 twice).
TRANSFER_BOTH = TRANSFER.replace("jurisdictions uk_gdpr", "jurisdictions uk_gdpr, gdpr").replace(
    "authority ico", "authority ico, dpc_ie")

# The same transfer under the EU GDPR only.
TRANSFER_EU = TRANSFER.replace("use uk_gdpr", "use gdpr").replace("jurisdictions uk_gdpr", "jurisdictions gdpr") \
    .replace("authority ico", "authority dpc_ie")
