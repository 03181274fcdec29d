"""Reports of sweep results: paper-ready tables (kvopt.report.tables) and matplotlib plots
(kvopt.report.plots for single schedules and distributions, kvopt.report.results_plots for a results file).
"""
