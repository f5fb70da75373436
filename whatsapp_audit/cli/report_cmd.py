"""`wa-audit report`: placeholder until the report formats land."""
