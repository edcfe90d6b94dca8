"""Who the caller is (bearer tokens: OIDC, local development tokens, API keys) and what they
may do (roles scoped to a municipality or a unit)."""
