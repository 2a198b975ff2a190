"""The reproduction: running the notebooks, the report, the manifest and the verification, templates."""
