"""Figures: one module per method, each `plot_x(table, ax=None, lang=...)` returning the axes; `common` holds
the shared drawing helpers and the one function that saves figures."""
