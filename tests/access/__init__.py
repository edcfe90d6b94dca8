"""Who may read and write what: the role matrix, authentication, attacks, ownership."""
