"""The document engine: GB/T 9704 layout, docxtpl rendering, numbering and PDF for the bulletins."""
