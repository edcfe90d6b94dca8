"""HTTP and websockets: the GraphQL view (`view`), its websocket transport (`websocket`), the
request middleware (`middleware`) and the HTTP protocol with its time and size limits
(`protocol`). `kvalitet.app` puts them together."""
