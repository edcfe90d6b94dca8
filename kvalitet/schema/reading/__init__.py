"""The read machinery under the GraphQL types: relations declared once (`relations`), batched
and scoped loaders (`loaders`), cursors (`pagination`) and connections (`connection`). The
compiled fast path (`kvalitet.schema.compiled`) reads the same declarations."""
