# core/compare: comparing runs (`ganlab compare`) and running suites of them (`ganlab suite`):
# CSV logs and eval.json, grouping into variants, statistics, charts (PNG and SVG), Markdown/HTML
# reports, the pool of child runs, the state of a suite's runs, sweeps (docs/compare.md). The
# suite file's parser is the config system's (config/suite.h).
core_libganlab_internal_la_SOURCES += core/compare/compare.h core/compare/doc.h core/compare/jobs.h \
	core/compare/csv.c core/compare/eval_json.c core/compare/run.c core/compare/variants.c \
	core/compare/stats.c core/compare/table.c core/compare/charts.c core/compare/svg.c \
	core/compare/doc_md.c core/compare/doc_html.c core/compare/report.c core/compare/jobs.c \
	core/compare/state.h core/compare/state.c core/compare/sweep.h core/compare/sweep.c
