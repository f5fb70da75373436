"""`wa-audit group`: placeholder until roster tooling lands."""
