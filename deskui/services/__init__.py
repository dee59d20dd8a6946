"""Use cases of the desk: intake, claim, triage, workflow, directory, reads; permissions and audit."""
