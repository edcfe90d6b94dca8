"""What tests share, imported by name (never from conftest or another test file): paths,
the GraphQL client, the database helpers, the yearly cycle's steps (`cycle`), a served app
(`serving`), a webhook receiver (`receiver`), the property-based walk of the schema (`fuzz`)."""
