"""The cookie banner: a configuration for vanilla-cookieconsent v3, generated from the policy's cookies.

The output, `<stem>.consent.js`, is one self-contained script. It holds the configuration as data
(JSON), and a small loader that adjusts it for Global Privacy Control and hands it to
`CookieConsent.run`. The site loads the library first (`cookieconsent.umd.js` and
`cookieconsent.css` from the npm package), then this file; scripts that set non-essential cookies
are written as `<script type="text/plain" data-category="analytics">`, so the library runs them only
after consent. See docs/consent.md.

- One category per cookie kind the policy uses: `necessary` always (read-only and enabled: the
  library's own consent cookie is one), then `functional`, `analytics`, `advertising` and `other`
  (cookies whose kind is not stated) only when a cookie of that kind is declared.
- Each category's section lists its cookies with their names, provider and expiry; cookies with
  known names are erased when the category is refused (`autoClear`; a `*` in a name matches any run
  of characters).
- Texts link to the published notice: the policy's `url`, else `<stem>.html`.
- Where the CCPA applies, a browser that sends Global Privacy Control (`navigator.globalPrivacyControl
  === true`) is taken as an opt-out of every category that holds advertising cookies or cookies set by
  a recipient that `sells` or `shares`: the loader removes those categories before the banner is
  built, so their scripts never run, and erases their known cookies.

The library renders titles, descriptions and table cells as HTML, so every text the author wrote is
HTML-escaped here; the only markup in the configuration is the notice link this module writes. The
JSON is also written with `<`, `>` and `&` as escapes, so the file may be inlined in a `<script>`.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from policyc.backends import BuildContext
from policyc.model import Cookie, Model
from policyc.values import Expiry

# Category key, title, and what the category is for (our words), in the order the banner shows them.
CATEGORIES: dict[str, tuple[str, str]] = {
    "necessary": ("Strictly necessary cookies",
                  "These cookies are needed for the site to work and to remember your cookie choices. "
                  "They cannot be switched off."),
    "functional": ("Functional cookies",
                   "These cookies remember choices you make and give you extra features."),
    "analytics": ("Analytics cookies",
                  "These cookies help us understand how the site is used, so that we can improve it."),
    "advertising": ("Advertising cookies",
                    "These cookies are used to show or measure advertising."),
    "other": ("Other cookies", "Cookies whose kind the policy does not state."),
}
KIND_TO_CATEGORY = {"strictly_necessary": "necessary", "functional": "functional", "analytics": "analytics",
                    "advertising": "advertising"}
LANGUAGE = "en"  # the texts below are English, whatever the policy's language


def category_of(cookie: Cookie) -> str:
    return KIND_TO_CATEGORY.get(cookie.kind, "other")


def name_pattern(name: str) -> str | None:
    """A regular expression (JavaScript syntax) for a cookie name with `*`, else None for an exact name."""
    if "*" not in name:
        return None
    return "^" + ".*".join(re.escape(part) for part in name.split("*")) + "$"


def describe_expiry(expires: Expiry | None) -> str:
    """13 months -> `13 months`, the session -> `when you close the browser`, None -> `not stated`."""
    if expires is None:
        return "not stated"
    return "when you close the browser" if expires.period is None else expires.period.words


def notice_href(model: Model, context: BuildContext) -> str:
    """Where the texts link to: the policy's http(s) `url`, else the built notice beside the site's pages."""
    url = model.policy.url if model.policy is not None else ""
    if re.match(r"https?://", url, re.I):
        return url
    return f"{context.stem}.html"


def provider_name(cookie: Cookie, model: Model) -> str:
    if cookie.provider is not None:
        return cookie.provider.legal_name or cookie.provider.title or cookie.provider.key
    controller = model.controller
    if controller is not None:
        return controller.legal_name or controller.title or controller.key
    return "us" if cookie.first_party else "not stated"


def gpc_categories(model: Model, used: list[str]) -> list[str]:
    """The categories Global Privacy Control opts out of, when the CCPA applies (else none)."""
    if model.policy is None or "ccpa" not in model.policy.jurisdictions:
        return []
    out = []
    for key in used:
        cookies = [c for c in model.cookies if category_of(c) == key]
        if key == "advertising" or any(c.provider is not None and (c.provider.sells or c.provider.shares)
                                       for c in cookies):
            out.append(key)
    return [k for k in out if k != "necessary"]


def configuration(model: Model, context: BuildContext) -> dict[str, Any]:
    """The `CookieConsent.run` configuration, as JSON data (cookie patterns as `{"pattern": ...}`)."""
    esc = html.escape
    used = [key for key in CATEGORIES if key == "necessary" or any(category_of(c) == key for c in model.cookies)]
    href = esc(notice_href(model, context), quote=True)
    link = f'<a href="{href}">privacy notice</a>'
    categories: dict[str, Any] = {}
    sections: list[dict[str, Any]] = [{
        "title": "Your choices",
        "description": "Choose which cookies we may use. Strictly necessary cookies are always on. "
                       f"You can change your choices at any time. Our {link} explains each cookie in full.",
    }]
    for key in used:
        cookies = [c for c in model.cookies if category_of(c) == key]
        category: dict[str, Any] = {"enabled": True, "readOnly": True} if key == "necessary" else {}
        clear = []
        for cookie in cookies:
            for name in cookie.names:
                pattern = name_pattern(name)
                clear.append({"pattern": pattern} if pattern else {"name": name})
        if clear and key != "necessary":
            category["autoClear"] = {"cookies": clear}
        categories[key] = category
        title, about = CATEGORIES[key]
        section: dict[str, Any] = {"title": title, "description": about, "linkedCategory": key}
        if cookies:
            section["cookieTable"] = {
                "caption": f"{title} we use",
                "headers": {"name": "Cookie", "provider": "Set by", "expiry": "Lasts",
                            "description": "What it is for"},
                "body": [{
                    "name": esc(", ".join(cookie.names) or cookie.title or cookie.key),
                    "provider": esc(provider_name(cookie, model)),
                    "expiry": esc(describe_expiry(cookie.expires)),
                    "description": esc(cookie.description or cookie.title or cookie.key),
                } for cookie in cookies],
            }
        sections.append(section)
    sections.append({"title": "More information",
                     "description": f"Our {link} says who we are, what we do with your data and how to contact us."})
    optional = [CATEGORIES[k][0].lower() for k in used if k != "necessary"]
    if optional:
        asked = ", ".join(optional[:-1]) + (" and " if len(optional) > 1 else "") + optional[-1]
        description = (f"We would like to use {asked}. They are off unless you accept them. "
                       f"Strictly necessary cookies are always on. Read our {link}.")
    else:
        description = f"We use only strictly necessary cookies. Read our {link}."
    return {
        "mode": "opt-in",
        "revision": 0,
        "categories": categories,
        "language": {
            "default": LANGUAGE,
            "translations": {LANGUAGE: {
                "consentModal": {
                    "title": "Cookies on this site",
                    "description": description,
                    "acceptAllBtn": "Accept all",
                    "acceptNecessaryBtn": "Reject all",
                    "showPreferencesBtn": "Manage preferences",
                    "footer": link,
                },
                "preferencesModal": {
                    "title": "Cookie preferences",
                    "acceptAllBtn": "Accept all",
                    "acceptNecessaryBtn": "Reject all",
                    "savePreferencesBtn": "Save my choices",
                    "closeIconLabel": "Close",
                    "sections": sections,
                },
            }},
        },
    }


LOADER = """\
(function () {
  "use strict";
  var config = %(config)s;
  // Categories that Global Privacy Control opts out of (the CCPA applies; their cookies are for
  // advertising, or set by a recipient that sells or shares personal information).
  var gpcCategories = %(gpc)s;
  var gpcNotice = %(gpc_notice)s;
  function cookieItems(category) {
    var items = (category.autoClear && category.autoClear.cookies) || [];
    return items.map(function (item) {
      return item.pattern ? { name: new RegExp(item.pattern) } : { name: item.name };
    });
  }
  var dropped = [];
  if (navigator.globalPrivacyControl === true) {
    gpcCategories.forEach(function (key) {
      if (config.categories[key]) {
        dropped = dropped.concat(cookieItems(config.categories[key]));
        delete config.categories[key];
      }
    });
    if (gpcCategories.length) {
      var texts = config.language.translations[config.language["default"]];
      texts.preferencesModal.sections = texts.preferencesModal.sections.filter(function (section) {
        return gpcCategories.indexOf(section.linkedCategory) < 0;
      });
      texts.preferencesModal.sections.splice(1, 0, gpcNotice);
    }
  }
  Object.keys(config.categories).forEach(function (key) {
    var category = config.categories[key];
    if (category.autoClear) category.autoClear = { cookies: cookieItems(category) };
  });
  if (!window.CookieConsent) {
    throw new Error("load cookieconsent.umd.js (vanilla-cookieconsent 3) before this file");
  }
  window.CookieConsent.run(config).then(function () {
    dropped.forEach(function (item) { window.CookieConsent.eraseCookies(item.name); });
  });
})();
"""


def _js(value: Any) -> str:
    """JSON as a JavaScript literal that is also safe inside an HTML `<script>`."""
    text = json.dumps(value, indent=2, ensure_ascii=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\n", "\n  ")


def render(model: Model, context: BuildContext) -> str:
    config = configuration(model, context)
    used = list(config["categories"])
    gpc = gpc_categories(model, used)
    titles = ", ".join(CATEGORIES[k][0].lower() for k in gpc)
    notice = {"title": "Global Privacy Control",
              "description": f"Your browser sends the Global Privacy Control signal, so we treat it as your "
                             f"request to opt out of the sale and sharing of your personal information: "
                             f"{titles or 'none'} stay off."}
    # The file's name only (the same bytes on every machine), quoted: no line break can end the comment.
    source = json.dumps(Path(context.source).name, ensure_ascii=True)
    header = (f"// The cookie banner of {source}: a vanilla-cookieconsent 3 configuration, made by "
              "policyc.\n// Load cookieconsent.umd.js first, then this file. Generated: edit the policy, not this.\n")
    return header + LOADER % {"config": _js(config), "gpc": _js(gpc), "gpc_notice": _js(notice)}
