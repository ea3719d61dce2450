"""GraphiQL without a CDN: Strawberry's IDE page, pointed at the asset copies in `static/graphiql/`.

The school network may have no internet access; the page would otherwise load React and GraphiQL from a
CDN. The copies are the same npm files (see `static/graphiql/README.md`), so the page's integrity hashes
still hold.
"""

from __future__ import annotations

from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_URL = "/graphql-static/graphiql"

_CDN_TO_LOCAL = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


class GraphiQLAssetsMissingError(RuntimeError):
    """Strawberry's page names assets this module does not ship (a Strawberry upgrade changed them)."""


def local_graphiql_html() -> str:
    html = get_graphql_ide_html(graphql_ide="graphiql")
    for cdn, name in _CDN_TO_LOCAL.items():
        html = html.replace(cdn, f"{ASSETS_URL}/{name}")
    if "https://unpkg.com/" in html:
        raise GraphiQLAssetsMissingError(
            "Strawberry's GraphiQL page loads assets that are not shipped: run scripts/vendor_graphiql.sh "
            "for the versions it names and update app/graphql/graphiql.py"
        )
    return html
