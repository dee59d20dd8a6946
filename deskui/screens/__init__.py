"""One screen per file: intake, queue, ticket detail, emergency board, help."""
