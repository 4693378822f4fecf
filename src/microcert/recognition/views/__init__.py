"""Pages of recognition, one module per audience."""
