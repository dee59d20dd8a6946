"""Pure service-desk rules: no Textual, no SQL, nothing of ours imported from outside core."""
