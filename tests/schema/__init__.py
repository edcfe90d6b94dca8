"""The GraphQL API: reads (default and compiled), mutations and their errors, the change feed, statement counts."""
