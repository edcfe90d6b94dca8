"""The compiled read path: a query operation as one SQL statement that writes its JSON.

graphql-core's default execution resolves every field of every object in Python; for a large
read (a municipality's dashboard: every unit, its reports and all their assessments) that
costs many times what the database needs to build the same answer. When every field of a
query is one the compiler knows (`reads`), the operation is compiled (`compiler`) to one
statement whose single text value is the response's `data`, rendered exactly as strawberry
would render it (`json_sql`), and passed through untouched (`extension`). Anything else runs on
the default path. Parsing, validation, the query limits and the access policy apply the same
way on both paths.
"""
