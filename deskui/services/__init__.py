"""Use cases of the desk (intake, claim, triage, workflow, directory, reads), with permissions
and audit."""
