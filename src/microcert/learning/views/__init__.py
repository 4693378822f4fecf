"""Pages of the teacher's journey, one module per audience."""
