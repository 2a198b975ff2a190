"""Figures: one module per method, each `plot_x(table, ax=None, lang=...)` returning the axes it drew on
(the multi-panel robustness figure takes `fig=None` and returns the figure); `common` holds the shared
typography (one type size per role, text wrapped into its box) and the one function that saves figures."""
