"""Tables in, tables out: one module per method (SWOT, force field, lotus, claims, sensitivity, raters)."""
