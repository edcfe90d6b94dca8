"""Who may do what: the actor and its grants (`actor`), the roles (`roles`), the service's
policy (`policy`), and the one map of which municipality and unit own each row (`ownership`)."""
