# core/compare: comparing runs (`ganlab compare`) and running suites of them (`ganlab suite`):
# CSV logs, grouping into variants, statistics, charts, Markdown/HTML reports and the pool of
# child runs (docs/compare.md). The suite file's parser is the config system's (config/suite.h).
core_libganlab_internal_la_SOURCES += core/compare/compare.h core/compare/doc.h core/compare/jobs.h \
	core/compare/csv.c core/compare/run.c core/compare/variants.c core/compare/stats.c \
	core/compare/table.c core/compare/charts.c core/compare/doc_md.c core/compare/doc_html.c \
	core/compare/report.c core/compare/jobs.c
