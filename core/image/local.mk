# core/image: PNG files, canvas + bitmap font, sample grids, scatter plots, line charts.
core_libganlab_internal_la_SOURCES += core/image/image.h core/image/png.c core/image/canvas.c core/image/font.c \
	core/image/grid.c core/image/axes.c core/image/scatter.c core/image/chart.c
