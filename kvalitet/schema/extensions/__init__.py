"""strawberry extensions and the error shapes they give: the query cost limit (`cost`), error
masking (`masking`), error codes (`error_codes`) and the check of text arguments
(`text_arguments`)."""
