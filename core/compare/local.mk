# core/compare: comparing runs (`ganlab compare`) and running suites of them (`ganlab suite`):
# CSV logs, grouping into variants, statistics, charts, Markdown/HTML reports, the suite file
# parser and the pool of child runs (docs/compare.md).
core_libganlab_la_SOURCES += core/compare/compare.h core/compare/doc.h core/compare/suite.h \
	core/compare/csv.c core/compare/eval_json.c core/compare/run.c core/compare/variants.c core/compare/stats.c \
	core/compare/table.c core/compare/charts.c core/compare/svg.c core/compare/doc_md.c core/compare/doc_html.c \
	core/compare/report.c core/compare/suite.c core/compare/jobs.c \
	core/compare/state.h core/compare/state.c core/compare/sweep.h core/compare/sweep.c
