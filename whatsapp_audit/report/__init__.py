"""Rendering a ScanResult: one module per output format in `formats/`."""
