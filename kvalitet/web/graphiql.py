"""GraphiQL served whole by the service, for closed networks: strawberry's page loads React and
GraphiQL from unpkg.com and stays on "Loading…" where the public internet is out of reach.

The assets are the official UMD builds of GraphiQL 2, React and the explorer plug-in as the
`graphene-django-graphiql-static` wheel ships them (a package, so pip installs and pins them
like any dependency, and no copy of them lives here); the page that starts them is ours, since
the wheel's own page is a Django template."""

from __future__ import annotations

from importlib.resources import files

import graphene_django_graphiql_static  # type: ignore[import-untyped]  # static files only
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

# Where the page finds its assets; served by `assets()`.
ASSETS_PATH = "/graphiql"

# The wheel's static files, in the order the page loads them (each script needs the ones before).
STYLES = ("graphiql.min.css", "style.css")
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphql-ws.min.js",
    "graphiql-plugin-explorer.umd.js",
)

_DIRECTORY = files(graphene_django_graphiql_static).joinpath("static", "graphene_django_graphiql_static")

# Starts GraphiQL with the explorer beside it. Subscriptions go over the same path's websocket
# (graphql-transport-ws); a browser cannot set headers on a websocket, so the `Authorization`
# written in the headers pane is sent in `connection_init`, which the service reads as well.
_START = """
const endpoint = new URL(window.location.href);
endpoint.search = "";
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
let headers = {};
const wsClient = graphqlWs.createClient({
  url: socket.toString(),
  lazy: true,
  connectionParams: () => {
    const found = Object.keys(headers).find((name) => name.toLowerCase() === "authorization");
    return found ? { Authorization: headers[found] } : {};
  },
});
const fetcher = GraphiQL.createFetcher({ url: endpoint.toString(), wsClient });
function withHeaders(params, options) {
  headers = (options && options.headers) || {};
  return fetcher(params, options);
}
function Page() {
  const [query, setQuery] = React.useState(undefined);
  const explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query, onEdit: setQuery });
  return React.createElement(GraphiQL, {
    fetcher: withHeaders,
    query,
    onEditQuery: setQuery,
    plugins: [explorer],
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  });
}
ReactDOM.render(React.createElement(Page), document.getElementById("graphiql"));
"""


def page() -> str:
    """The HTML of the IDE: every asset from `ASSETS_PATH`, nothing from another host."""
    styles = "\n".join(f'    <link rel="stylesheet" href="{ASSETS_PATH}/{name}">' for name in STYLES)
    scripts = "\n".join(f'    <script src="{ASSETS_PATH}/{name}"></script>' for name in SCRIPTS)
    return f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>kvalitet · GraphiQL</title>
    <style>html, body, #graphiql {{ height: 100%; margin: 0; overflow: hidden; }}</style>
{styles}
  </head>
  <body>
    <div id="graphiql">Loading…</div>
{scripts}
    <script>{_START}</script>
  </body>
</html>
"""


def response() -> HTMLResponse:
    return HTMLResponse(page())


def assets() -> StaticFiles:
    """The assets, with the ETag and Last-Modified that let a browser keep them."""
    return StaticFiles(directory=str(_DIRECTORY))
